// graphql-ws (graphql-transport-ws) subscribes once and prints each callback as a line.
// A fourth argument N makes the client unsubscribe itself after N results.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { describe, emit, request } from "./emit.mjs";

const { url, query, variables } = request();
const stopAfter = Number(process.argv[5] ?? "0");
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  on: { connected: () => emit({ event: "connected" }) },
});
let seen = 0;
const unsubscribe = client.subscribe(
  { query, variables },
  {
    next(payload) {
      emit({ event: "next", payload });
      seen += 1;
      if (stopAfter && seen >= stopAfter) {
        unsubscribe();
        emit({ event: "unsubscribed" });
        close();
      }
    },
    error(error) {
      emit({ event: "error", error: describe(error) });
      close();
    },
    complete() {
      emit({ event: "complete" });
      close();
    },
  },
);

let closing = false;
function close() {
  if (closing) return;
  closing = true;
  setImmediate(async () => {
    await client.dispose();
    emit({ event: "done" });
  });
}
