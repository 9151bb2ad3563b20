// Apollo Client subscribes through HttpLink (multipart HTTP subscriptions, its default for
// subscriptions over HTTP) and prints each result as a line. A fourth argument N
// unsubscribes after N results.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { describe, emit, request } from "./emit.mjs";

const { url, query, variables } = request();
const stopAfter = Number(process.argv[5] ?? "0");
const client = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache() });
let seen = 0;
const subscription = client
  .subscribe({ query: gql(query), variables, fetchPolicy: "no-cache" })
  .subscribe({
    next(result) {
      emit({
        event: "next",
        data: result.data ?? null,
        error: result.error ? describe(result.error) : null,
      });
      seen += 1;
      if (stopAfter && seen >= stopAfter) {
        subscription.unsubscribe();
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
  });

let closing = false;
function close() {
  if (closing) return;
  closing = true;
  setImmediate(() => {
    client.stop();
    emit({ event: "done" });
  });
}
