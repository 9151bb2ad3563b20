// graphql-sse (distinct connections mode, the client's defaults otherwise) subscribes once
// and prints each callback as a line. A fourth argument N unsubscribes after N results.
import { createClient } from "graphql-sse";
import { emit, printSubscription, request } from "./emit.mjs";

const { url, query, variables } = request();
const client = createClient({
  url,
  on: { connecting: (retrying) => emit({ event: "connecting", retrying }) },
});
printSubscription((sink) => client.subscribe({ query, variables }, sink), {
  stopAfter: Number(process.argv[5] ?? "0"),
  finish: () => client.dispose(),
  show: (payload) => ({ payload }),
});
