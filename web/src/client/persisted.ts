/**
 * Operations sent by id: every document codegen generated carries its sha256 id
 * (`__meta__.hash`, the key of the trusted-document manifest the build ships), so the
 * request carries `extensions.persistedQuery.sha256Hash` and no query text. The gateway
 * runs the manifest's text for that id; with the manifest enforced (a production
 * `pos gateway --app`) nothing else runs. A document without an id (none in this app)
 * goes as text.
 */
import { mapExchange, type Exchange, type Operation } from "urql";

interface WithHash { __meta__?: { hash?: unknown } }

export function documentIdOf(operation: Pick<Operation, "query">): string | null {
  const hash = (operation.query as WithHash).__meta__?.hash;
  return typeof hash === "string" ? hash : null;
}

/** Put after the cache exchange (which forwards operations without their extensions) and
 * before the fetch and subscription exchanges; the cache's copy of the document (with
 * __typename added) keeps the generated `__meta__`. */
export const persistedDocumentsExchange: Exchange = mapExchange({
  onOperation(operation) {
    if (operation.kind === "teardown") return operation;
    const hash = documentIdOf(operation);
    if (!hash) return operation;
    return { ...operation, extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: hash } } };
  },
});
