/** Small React hooks shared by the screens: state stores as hooks, catch-up on reconnect. */
import { useEffect, useState } from "react";
import { getSession, onSession, scopesOf } from "../auth/session";
import { connectionState, onConnectionState, onReconnect, type ConnectionState } from "../client/connection";

export function useConnectionState(): ConnectionState {
  const [state, setState] = useState(connectionState());
  useEffect(() => onConnectionState(setState), []);
  return state;
}

/** Run `refetch` every time the gateway is reachable again (live screens catch up). */
export function useCatchUp(refetch: () => void): void {
  useEffect(() => onReconnect(refetch), [refetch]);
}

/** A form's fields as one state object. */
export function useForm<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const field = (name: keyof T & string) => ({
    name,
    value: values[name],
    onChange: (e: { target: { value: string } }) =>
      setValues((v) => ({ ...v, [name]: e.target.value })),
  });
  return { values, setValues, field, reset: () => setValues(initial) };
}

/** The signed-in member's scopes (re-read when the session is refreshed). */
export function useScopes(): Set<string> {
  const [session, setSession] = useState(getSession());
  useEffect(() => onSession(setSession), []);
  return scopesOf(session);
}
