// Apollo Client (HttpLink over Node's fetch) runs one query and prints every result
// it emits: with @defer, one line per incremental step until dataState is "complete".
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Defer20220824Handler } from "@apollo/client/incremental";
import { describe, emit, request } from "./emit.mjs";

const { url, query, variables } = request();
const client = new ApolloClient({
  link: new HttpLink({ uri: url }),
  cache: new InMemoryCache(),
  incrementalHandler: new Defer20220824Handler(),
});
const observable = client.watchQuery({ query: gql(query), variables, fetchPolicy: "network-only" });
const subscription = observable.subscribe({
  next(result) {
    emit({
      event: "next",
      data: result.data ?? null,
      dataState: result.dataState,
      loading: result.loading,
      error: result.error ? describe(result.error) : null,
    });
    if (!result.loading || result.error) finish();
  },
  error(error) {
    emit({ event: "error", error: describe(error) });
    finish();
  },
});

let finishing = false;
function finish() {
  if (finishing) return;
  finishing = true;
  setImmediate(() => {
    subscription.unsubscribe();
    client.stop();
    emit({ event: "done" });
  });
}
