"""Automatic Persisted Queries (Apollo's protocol, version 1).

A client first sends only `extensions.persistedQuery.sha256Hash`; unknown hashes answer
`PERSISTED_QUERY_NOT_FOUND` so the client retries with the full text, which we verify and
remember (bounded LRU) for next time.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class APQError:
    """A persisted-query problem to send to the client as a GraphQL error."""

    message: str
    code: str
    status: int


NOT_FOUND = APQError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)
NO_TRUSTED_DOCUMENTS = APQError(
    "This gateway has no trusted documents to look a documentId up in; send the query.",
    "PERSISTED_QUERY_NOT_SUPPORTED",
    400,
)


class PersistedQueries:
    """Resolves `(query, extensions)` of a request to the document text to run."""

    def __init__(self, capacity: int = 5000) -> None:
        self.capacity = capacity
        self._store: OrderedDict[str, str] = OrderedDict()

    def resolve(
        self, query: str | None, extensions: Any, document_id: str | None = None
    ) -> str | APQError | None:
        """The query text to run; None when the request has neither text nor a hash.
        A `documentId` names a trusted document (trusted_documents.py): none are loaded."""
        if document_id is not None and query is None:
            return NO_TRUSTED_DOCUMENTS
        pq = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if not isinstance(pq, dict):
            return query
        if pq.get("version") != 1:
            return APQError("Unsupported persisted query version", "BAD_REQUEST", 400)
        digest = pq.get("sha256Hash")
        if not isinstance(digest, str):
            return APQError("persistedQuery.sha256Hash must be a string", "BAD_REQUEST", 400)
        if query is None:
            found = self._store.get(digest)
            if found is None:
                return NOT_FOUND
            self._store.move_to_end(digest)
            return found
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return APQError("provided sha does not match query", "BAD_REQUEST", 400)
        self._store[digest] = query
        if len(self._store) > self.capacity:
            self._store.popitem(last=False)
        return query
