"""GraphQL errors as response entries: the one shape every stage of the gateway answers
with (`message`, optional extra keys, `extensions.code`)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


def error(message: str, code: str, **extra: Any) -> dict[str, Any]:
    """An error entry with `code` (and `extra` keys such as `path`)."""
    return {"message": message, **extra, "extensions": {"code": code}}


def located(e: GraphQLError, code: str) -> dict[str, Any]:
    """A graphql-core error (parse, validation, variables) as an entry with `code`, keeping
    its locations and dropping its path (nothing ran yet)."""
    formatted: dict[str, Any] = dict(e.formatted)
    formatted.pop("path", None)
    extensions = dict(formatted.pop("extensions", None) or {})
    extensions["code"] = code
    formatted["extensions"] = extensions
    return formatted
