"""One mapping from exceptions to the GraphQL errors users see, for every framework.

Domain errors keep their message and carry `extensions.code` (BAD_USER_INPUT, NOT_FOUND,
CONFLICT) plus the offending field; a lost concurrency race that survived its retries is
a CONFLICT; an unreachable read store (MongoDB) is READ_STORE_UNAVAILABLE; anything else
is logged here and reaches the client only as a generic INTERNAL_SERVER_ERROR, with no
exception text or trace. Strawberry uses it through
`MapErrors` (a schema extension), Ariadne through `format_error` (its error_formatter).

Logging: an unexpected error is logged once at ERROR with its trace; a client error (bad
input, not found, conflict, refused access, validation) is logged as ONE line at INFO on
``subgraphs.hosting.errors`` (code, path, message): a user's typo is not a server problem.
Ariadne's own per-error log (a trace for every error) is replaced by this
(`ARIADNE_LOGGER`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from eventbus import ConcurrencyError, DomainError
from eventbus.readmodel import read_store_unavailable

log = logging.getLogger(__name__)

INTERNAL_MESSAGE = (
    "Internal server error: the failure was logged; retry, or report it if it persists."
)


def _code_of(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def to_graphql_error(exc: BaseException, error: GraphQLError | None = None) -> GraphQLError:
    """The client-facing error for `exc`, keeping the location and path of `error`."""
    where: dict[str, Any] = {}
    if error is not None:
        where = {
            "nodes": error.nodes,
            "source": error.source,
            "positions": error.positions,
            "path": error.path,
        }
    outage = read_store_unavailable(exc)
    if outage is not None:  # one line, no trace: the operator sees the outage elsewhere
        log.warning("read store unavailable at %s: %r", where.get("path"), exc)
        exc = outage
    if isinstance(exc, DomainError):
        extensions: dict[str, Any] = {"code": exc.code}
        if exc.field is not None:
            extensions["field"] = exc.field
        extensions.update({k: v for k, v in exc.details.items() if _jsonable(v)})
        return GraphQLError(exc.message, extensions=extensions, original_error=None, **where)
    if isinstance(exc, ConcurrencyError):
        return GraphQLError(
            "Someone else changed this record at the same moment; reload it and retry.",
            extensions={"code": "CONFLICT"},
            **where,
        )
    if isinstance(exc, GraphQLError):
        # Raised on purpose (e.g. by a scalar parser): its message is meant for clients.
        extensions = dict(exc.extensions or {})
        extensions.setdefault("code", "BAD_USER_INPUT")
        return GraphQLError(exc.message, extensions=extensions, **where)
    log.error("unexpected error while resolving %s", where.get("path"), exc_info=exc)
    return GraphQLError(INTERNAL_MESSAGE, extensions={"code": "INTERNAL_SERVER_ERROR"}, **where)


def map_error(error: GraphQLError) -> GraphQLError:
    """Map a GraphQL error as graphql-core produced it (resolver errors wrap the cause)."""
    mapped = _map(error)
    code = _code_of(mapped)
    if code != "INTERNAL_SERVER_ERROR":
        where = ".".join(str(p) for p in mapped.path) if mapped.path else "-"
        log.info("client error %s at %s: %s", code, where, mapped.message.replace("\n", " "))
    return mapped


def _map(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        # Parse, validation and variable-coercion errors: the message is already precise.
        if _code_of(error) is None:
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={**(error.extensions or {}), "code": _request_error_code(error)},
            )
        return error
    return to_graphql_error(original, error)


def _request_error_code(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None and error.message.startswith("Variable "):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """Ariadne's `error_formatter`: the same mapping; `debug` never adds a trace."""
    return map_error(error).formatted  # type: ignore[return-value]


class MapErrors(SchemaExtension):
    """Strawberry schema extension: replace every error in the result by its mapping."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [map_error(e) for e in errors]


class _LoggedByMapping(logging.LoggerAdapter):
    """Ariadne's error logger: silent, since `map_error` logs every error already (one
    line for a client error, the trace for an unexpected one)."""

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        return None


ARIADNE_LOGGER = _LoggedByMapping(log, {})
"""Pass as Ariadne's `logger`: no 35-line trace for every bad email."""


def _jsonable(value: object) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | list | dict)
