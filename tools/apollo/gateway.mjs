// Reference gateway: @apollo/gateway + @apollo/server over a supergraph file, for the
// differential test and the benchmark. Usage:
//   node gateway.mjs path/to/supergraph.graphql PORT [name=url ...]
// Prints "ready http://127.0.0.1:PORT/graphql" once listening; stops on SIGTERM.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";

const [path, port, ...overrides] = process.argv.slice(2);
const urls = Object.fromEntries(overrides.map((o) => o.split(/=(.*)/s).slice(0, 2)));
// REFERENCE_SUBGRAPH_HEADERS (a JSON object): headers added to every subgraph request.
const extraHeaders = JSON.parse(process.env.REFERENCE_SUBGRAPH_HEADERS || "{}");
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(path, "utf8"),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url: urls[name] ?? url,
      willSendRequest({ request }) {
        for (const [header, value] of Object.entries(extraHeaders)) {
          request.http.headers.set(header, value);
        }
      },
    }),
  logger: { debug() {}, info() {}, warn() {}, error: console.error },
});
const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(port), host: "127.0.0.1" },
});
process.stdout.write(`ready ${url}graphql\n`);
process.on("SIGTERM", async () => {
  await server.stop();
  process.exit(0);
});
