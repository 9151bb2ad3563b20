// graphql-ws (graphql-transport-ws) subscribes once and prints each callback as a line.
// A fourth argument N makes the client unsubscribe itself after N results.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { emit, printSubscription, request } from "./emit.mjs";

const { url, query, variables } = request();
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  on: { connected: () => emit({ event: "connected" }) },
});
printSubscription((sink) => client.subscribe({ query, variables }, sink), {
  stopAfter: Number(process.argv[5] ?? "0"),
  finish: () => client.dispose(),
  show: (payload) => ({ payload }),
});
