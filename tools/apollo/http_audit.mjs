// The GraphQL-over-HTTP conformance audit of the `graphql-http` package, run against a
// server. Usage: node http_audit.mjs http://127.0.0.1:4000/graphql
// Prints one JSON line per audit ({id, name, status, reason}); exit code 0.
// Extra arguments `name=value` are headers added to every request (e.g.
// apollo-require-preflight=true for a gateway with CSRF prevention on).
import { auditServer } from "graphql-http";

const extra = Object.fromEntries(process.argv.slice(3).map((pair) => pair.split(/=(.*)/s, 2)));
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url: process.argv[2], fetchFn });
for (const r of results) {
  process.stdout.write(
    JSON.stringify({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }) + "\n",
  );
}
