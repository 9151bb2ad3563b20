/**
 * The urql client: queries and mutations over HTTP to /graphql, subscriptions over
 * graphql-ws on the same URL, both authenticated with the signed-in member's token
 * (Authorization header; for the WebSocket, connection_init's payload, read again at every
 * reconnect so a refreshed token is used).
 */
import { Client, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { makeCacheExchange } from "./cache";
import { persistedDocumentsExchange } from "./persisted";
import { connectionState, setConnectionState, trackedFetch } from "./connection";
import { getSession } from "../auth/session";

export const ENDPOINT = "/graphql";

function wsUrl(): string {
  const url = new URL(ENDPOINT, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Plain JSON answers: subscriptions use the WebSocket, so an event stream or multipart
 * reply is never needed over HTTP (and a cancelled stream would surface as an error). */
export const ACCEPT = "application/graphql-response+json, application/json";

function authorization(): Record<string, string> {
  const session = getSession();
  return session ? { Authorization: `Bearer ${session.accessToken}` } : {};
}

/** Read-your-writes (docs/consistency.md): the last mutation's consistency token rides on
 * the requests of the next 30 s, so a list or report read right after a sale waits
 * (bounded, at the gateway) until it shows it instead of showing it missing. */
let consistency: { token: string; until: number } | undefined;
function consistencyHeader(): Record<string, string> {
  return consistency && Date.now() < consistency.until
    ? { "POS-Consistency": consistency.token }
    : {};
}
const consistencyExchange = mapExchange({
  onResult(result) {
    const token: unknown = result.extensions?.consistency;
    if (result.operation.kind === "mutation" && typeof token === "string") {
      consistency = { token, until: Date.now() + 30_000 };
    }
  },
});

export interface AppClient {
  client: Client;
  ws: WsClient;
  dispose: () => void;
}

export function makeClient(): AppClient {
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  let disposed = false; // a signed-out client's socket says nothing about the network
  const ws = createWsClient({
    url: wsUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 3_000)));
    },
    connectionParams: () => authorization(),
    on: {
      // retrying while offline stays offline: only a connection brings it back
      connecting: () => {
        if (!disposed && connectionState() !== "offline") setConnectionState("connecting");
      },
      connected: () => {
        clearTimeout(giveUp);
        setConnectionState("online");
      },
      // a dropped socket is "connecting" while it retries; "offline" once the browser
      // says so or a few seconds pass without a connection
      closed: () => {
        if (disposed) return;
        if (globalThis.navigator?.onLine === false) setConnectionState("offline");
        else setConnectionState("connecting");
        clearTimeout(giveUp);
        giveUp = setTimeout(() => setConnectionState("offline"), 4000);
      },
    },
  });
  const client = new Client({
    url: ENDPOINT,
    fetch: trackedFetch,
    fetchOptions: () => ({
      headers: { accept: ACCEPT, ...authorization(), ...consistencyHeader() },
    }),
    requestPolicy: "cache-and-network",
    // POST with a JSON body: the gateway refuses GETs a browser could forge (CSRF rule)
    preferGetMethod: false,
    exchanges: [
      consistencyExchange, // sees every result: keeps a mutation's token
      makeCacheExchange(),
      persistedDocumentsExchange, // after the cache (it forwards no extensions): by id
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  // the browser knows first when the network goes or comes back: drop the socket then, so
  // the state shows it at once and a fresh connection (and the catch-up) follows
  const reconnect = () => ws.terminate();
  const offline = () => {
    setConnectionState("offline");
    ws.terminate();
  };
  window.addEventListener("online", reconnect);
  window.addEventListener("offline", offline);
  return {
    client,
    ws,
    dispose: () => {
      window.removeEventListener("online", reconnect);
      window.removeEventListener("offline", offline);
      disposed = true;
      clearTimeout(giveUp);
      void ws.dispose();
    },
  };
}
