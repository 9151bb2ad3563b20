// Apollo Client subscribes through HttpLink (multipart HTTP subscriptions, its default for
// subscriptions over HTTP) and prints each result as a line. A fourth argument N
// unsubscribes after N results.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { describe, printSubscription, request } from "./emit.mjs";

const { url, query, variables } = request();
const client = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache() });
printSubscription(
  (sink) => {
    const subscription = client
      .subscribe({ query: gql(query), variables, fetchPolicy: "no-cache" })
      .subscribe(sink);
    return () => subscription.unsubscribe();
  },
  {
    stopAfter: Number(process.argv[5] ?? "0"),
    finish: () => client.stop(),
    show: (result) => ({
      data: result.data ?? null,
      error: result.error ? describe(result.error) : null,
    }),
  },
);
