// Reference composition with Apollo's own library, used by tests to check ours.
// Usage: node compose.mjs [--hints] name=path/to/a.graphql[@url] name2=... > supergraph.graphql
// --hints also writes each composition hint to stderr as `HINT CODE: message`.
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const args = process.argv.slice(2);
const printHints = args.includes("--hints");
const services = args.filter((arg) => arg !== "--hints").map((arg) => {
  const [name, rest] = arg.split(/=(.*)/s);
  const [path, url] = rest.split("@");
  return {
    name,
    url: url || `http://${name}.invalid/graphql`,
    typeDefs: parse(readFileSync(path, "utf8")),
  };
});
const result = composeServices(services);
if (printHints) {
  for (const h of result.hints ?? []) {
    process.stderr.write(`HINT ${h.definition.code}: ${h.message}\n`);
  }
}
if (result.errors) {
  for (const e of result.errors) {
    process.stderr.write(`${e.extensions?.code ?? "ERROR"}: ${e.message}\n`);
  }
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
