// The GraphQL-over-HTTP conformance audit of the `graphql-http` package, run against a
// server. Usage: node http_audit.mjs http://127.0.0.1:4000/graphql
// Prints one JSON line per audit ({id, name, status, reason}); exit code 0.
import { auditServer } from "graphql-http";

const results = await auditServer({ url: process.argv[2] });
for (const r of results) {
  process.stdout.write(
    JSON.stringify({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }) + "\n",
  );
}
