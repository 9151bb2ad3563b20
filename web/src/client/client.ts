/**
 * The urql client: queries and mutations over HTTP to /graphql, subscriptions over
 * graphql-ws on the same URL, both authenticated with the signed-in member's token
 * (Authorization header; for the WebSocket, connection_init's payload, read again at every
 * reconnect so a refreshed token is used).
 */
import { Client, fetchExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { makeCacheExchange } from "./cache";
import { setConnectionState, trackedFetch } from "./connection";
import { getSession } from "../auth/session";

export const ENDPOINT = "/graphql";

function wsUrl(): string {
  const url = new URL(ENDPOINT, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function authorization(): Record<string, string> {
  const session = getSession();
  return session ? { Authorization: `Bearer ${session.accessToken}` } : {};
}

export interface AppClient {
  client: Client;
  ws: WsClient;
  dispose: () => void;
}

export function makeClient(): AppClient {
  const ws = createWsClient({
    url: wsUrl(),
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 10_000)));
    },
    connectionParams: () => authorization(),
    on: {
      connecting: () => setConnectionState("connecting"),
      connected: () => setConnectionState("online"),
      closed: () => setConnectionState("offline"),
    },
  });
  const client = new Client({
    url: ENDPOINT,
    fetch: trackedFetch,
    fetchOptions: () => ({ headers: authorization() }),
    requestPolicy: "cache-and-network",
    // POST with a JSON body: the gateway refuses GETs a browser could forge (CSRF rule)
    preferGetMethod: false,
    exchanges: [
      makeCacheExchange(),
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
  return { client, ws, dispose: () => void ws.dispose() };
}
