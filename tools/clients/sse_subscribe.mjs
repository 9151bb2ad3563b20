// graphql-sse (distinct connections mode, the client's defaults otherwise) subscribes once
// and prints each callback as a line. A fourth argument N unsubscribes after N results.
import { createClient } from "graphql-sse";
import { describe, emit, request } from "./emit.mjs";

const { url, query, variables } = request();
const stopAfter = Number(process.argv[5] ?? "0");
const client = createClient({
  url,
  on: { connecting: (retrying) => emit({ event: "connecting", retrying }) },
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
  setImmediate(() => {
    client.dispose();
    emit({ event: "done" });
  });
}
