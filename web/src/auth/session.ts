/**
 * The signed-in session: the access token sent with every request and WebSocket, and the
 * one-time refresh token traded for a new session before the access token's 15 minutes
 * run out. Kept in sessionStorage: a closed tab signs the member out, and another person
 * at the same till starts from the sign-in screen.
 */
import { tokenScopes } from "./access";

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  staff: { id: string; username: string; displayName: string; roles: readonly string[] };
}

const KEY = "pos.session";
type Listener = (session: Session | null) => void;

const listeners = new Set<Listener>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const raw = globalThis.sessionStorage?.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  try {
    if (session) globalThis.sessionStorage?.setItem(KEY, JSON.stringify(session));
    else globalThis.sessionStorage?.removeItem(KEY);
  } catch {
    // storage full or disabled: the session still lives in memory for this page
  }
  for (const listener of listeners) listener(session);
}

export function onSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function scopesOf(session: Session | null): Set<string> {
  return session ? tokenScopes(session.accessToken) : new Set();
}

/** Milliseconds until the session should be refreshed (a minute before it expires). */
export function refreshDelay(session: Session, now: number = Date.now()): number {
  return Math.max(0, new Date(session.expiresAt).getTime() - now - 60_000);
}
