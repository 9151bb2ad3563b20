/**
 * Whether the gateway is reachable, as the cashier sees it in the header: the WebSocket's
 * state and every HTTP request's outcome feed one value. A return to "online" after
 * "offline" is announced so screens can catch up on what they missed (`onReconnect`).
 */
export type ConnectionState = "online" | "connecting" | "offline";

type Listener = (state: ConnectionState) => void;
const listeners = new Set<Listener>();
const reconnectListeners = new Set<() => void>();
let state: ConnectionState = "connecting";
let wasOffline = false;

export function connectionState(): ConnectionState {
  return state;
}

export function setConnectionState(next: ConnectionState): void {
  if (next === state) return;
  if (next === "offline") wasOffline = true;
  state = next;
  for (const listener of listeners) listener(next);
  if (next === "online" && wasOffline) {
    wasOffline = false;
    for (const listener of reconnectListeners) listener();
  }
}

export function onConnectionState(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called once each time the gateway is reachable again after being offline. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** fetch that reports reachability: a network failure means offline, any answer online. */
export const trackedFetch: typeof fetch = async (input, init) => {
  try {
    const response = await fetch(input, init);
    setConnectionState(response.status >= 502 && response.status <= 504 ? "offline" : "online");
    return response;
  } catch (error) {
    // a request the app cancelled (a screen closed) says nothing about the network
    const aborted = error instanceof DOMException && error.name === "AbortError";
    if (!aborted && !init?.signal?.aborted) setConnectionState("offline");
    throw error;
  }
};
