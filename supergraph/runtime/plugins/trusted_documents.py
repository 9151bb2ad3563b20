"""Trusted documents (persisted query lists): the operations a gateway agrees to run.

A front end that ships with the gateway knows every operation it will ever send, so the
build writes them to a manifest and the gateway loads it. Clients may then send only an
operation's id, and in `enforce` mode the gateway runs nothing else: an attacker who
reaches the port can send no operation the app does not, whatever the limits allow.

Manifests understood (several may be loaded; ids must not clash):
- Apollo's persisted query list: `{"format": "apollo-persisted-query-manifest",
  "version": 1, "operations": [{"id", "body", "name"?, "type"?}]}`;
- a document map, `{"<id>": "<document>"}`, as GraphQL Code Generator's client preset
  (`persisted-documents.json`) and Relay write them.

Ids arrive as `extensions.persistedQuery.sha256Hash` (Apollo's clients, urql's
persisted exchange) or as the request's `documentId` (the GraphQL-over-HTTP persisted
documents proposal; a `sha256:` prefix is accepted). Modes:
- `allow`: listed ids resolve; any other document runs too (automatic persisted
  queries included);
- `log`: the same, and each unlisted document is logged once (a rollout's dry run);
- `enforce`: only listed documents run, by id or by their exact text; automatic
  persisted queries cannot register new ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, cast

import orjson

from supergraph.subscriptions import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
)

from ..apq import APQError, PersistedQueries

log = logging.getLogger(__name__)

Mode = Literal["allow", "log", "enforce"]
MODES: tuple[Mode, ...] = ("allow", "log", "enforce")

NOT_IN_LIST = APQError(
    "This gateway runs only trusted documents, and this operation is not one of them.",
    "PERSISTED_QUERY_NOT_IN_LIST",
    400,
)
UNKNOWN_ID = APQError(
    "No trusted document has this id (is the client newer than the gateway's manifest?).",
    "PERSISTED_QUERY_NOT_IN_LIST",
    400,
)
MISMATCH = APQError(
    "The query sent is not the trusted document of this id.", "PERSISTED_QUERY_ID_MISMATCH", 400
)
_LOGGED_CAP = 10_000  # distinct unlisted documents remembered in `log` mode


def parse_manifest(text: str | bytes, source: str = "manifest") -> dict[str, str]:
    """The id -> document map of one manifest; ValueError says what is wrong with it."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{source}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a JSON object")
    if data.get("format") == "apollo-persisted-query-manifest":
        if data.get("version") != 1:
            raise ValueError(f"{source}: unsupported manifest version {data.get('version')!r}")
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ValueError(f"{source}: `operations` must be a list")
        pairs: list[tuple[Any, Any]] = []
        for index, op in enumerate(operations):
            if not isinstance(op, dict):
                raise ValueError(f"{source}: operations[{index}] must be an object")
            pairs.append((op.get("id"), op.get("body")))
    else:
        pairs = list(data.items())
    documents: dict[str, str] = {}
    for index, (doc_id, body) in enumerate(pairs):
        if not isinstance(doc_id, str) or not doc_id:
            raise ValueError(f"{source}: entry {index} has no string id")
        if not isinstance(body, str) or not body.strip():
            raise ValueError(f"{source}: document {doc_id!r} has no text")
        if documents.get(doc_id, body) != body:
            raise ValueError(f"{source}: id {doc_id!r} names two different documents")
        documents[doc_id] = body
    return documents


class TrustedDocuments:
    """Resolves a request's `(query, extensions, documentId)` to the text to run, like
    `PersistedQueries`, which it wraps for the modes that still allow other documents."""

    def __init__(
        self,
        documents: Mapping[str, str],
        mode: Mode = "enforce",
        apq: PersistedQueries | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"trusted documents mode {mode!r}: expected one of {MODES}")
        self.mode = mode
        self.by_id = dict(documents)
        self._texts = frozenset(self.by_id.values())
        self._apq = apq if apq is not None else PersistedQueries()
        self._logged: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_files(cls, paths: Iterable[Path | str], mode: Mode = "enforce") -> TrustedDocuments:
        documents: dict[str, str] = {}
        for path in paths:
            loaded = parse_manifest(Path(path).read_bytes(), str(path))
            for doc_id, body in loaded.items():
                if documents.get(doc_id, body) != body:
                    raise ValueError(f"{path}: id {doc_id!r} is another document elsewhere")
                documents[doc_id] = body
        return cls(documents, mode)

    def __len__(self) -> int:
        return len(self.by_id)

    def resolve(
        self, query: str | None, extensions: Any, document_id: str | None = None
    ) -> str | APQError | None:
        """The document text to run; None when the request has neither text nor an id."""
        doc_id = document_id
        pq = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if doc_id is None and isinstance(pq, dict) and isinstance(pq.get("sha256Hash"), str):
            doc_id = cast(str, pq["sha256Hash"])
        if doc_id is not None:
            body = self.by_id.get(doc_id)
            if body is None and doc_id.startswith("sha256:"):
                body = self.by_id.get(doc_id.removeprefix("sha256:"))
            if body is not None:
                if query is not None and query != body:
                    return MISMATCH
                return body
            if self.mode == "enforce":
                return UNKNOWN_ID
            if document_id is not None and query is None:
                return UNKNOWN_ID  # a documentId names no automatic persisted query
        if query is not None and query not in self._texts:
            if self.mode == "enforce":
                return NOT_IN_LIST
            if self.mode == "log":
                self._log_unlisted(query)
        return self._apq.resolve(query, extensions)

    def _log_unlisted(self, query: str) -> None:
        digest = hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self._logged:
            return
        self._logged[digest] = None
        if len(self._logged) > _LOGGED_CAP:
            self._logged.popitem(last=False)
        log.warning(
            "operation not in the trusted documents (sha256 %s, %d bytes): %.200s",
            digest,
            len(query),
            " ".join(query.split()),
        )


class TrustedSubscriptions:
    """The same check in front of the subscription source (WebSocket, SSE, multipart),
    whose operations do not pass the gateway's `execute`: a subscription whose document is
    not trusted is refused when it opens; one sent by id runs the listed text."""

    def __init__(self, inner: SubscriptionSource, trusted: TrustedDocuments) -> None:
        self.inner = inner
        self.trusted = trusted

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        resolved = self.trusted.resolve(request.query or None, request.extensions)
        if isinstance(resolved, APQError):
            raise OperationErrors(
                [{"message": resolved.message, "extensions": {"code": resolved.code}}]
            )
        if resolved is not None and resolved != request.query:
            request = dataclasses.replace(request, query=resolved)
        return await self.inner.open(request)
