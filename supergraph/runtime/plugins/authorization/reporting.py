"""Authorization's vocabulary, and where its errors go (Router's `directives.errors`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..authentication import Identity

log = logging.getLogger(__package__)  # one logger for the whole authorization package

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"
UNAUTHORIZED_MESSAGE = "Unauthorized field or type"
# Alias of a `__typename` the filter adds where it must tell concrete types apart.
TYPENAME_ALIAS = "_posAuthzTypename"
INTROSPECTION = frozenset({"__schema", "__type"})

Dnf = tuple[frozenset[str], ...]  # any of these sets, all of the set's members
PolicyEvaluator = Callable[[str, Identity, Mapping[str, str]], bool]
AuthorizationMode = Literal["filter", "reject", "dry_run"]
AUTHORIZATION_MODES: tuple[AuthorizationMode, ...] = ("filter", "reject", "dry_run")
ErrorsResponse = Literal["errors", "extensions", "disabled"]
ERRORS_RESPONSES: tuple[ErrorsResponse, ...] = ("errors", "extensions", "disabled")
# Router's key for the errors when `response` is "extensions"
EXTENSIONS_KEY = "authorizationErrors"


@dataclass(frozen=True)
class ErrorReporting:
    """Router's `authorization.directives.errors`: where the unauthorized-field errors go in
    the response, and whether their paths are logged."""

    response: ErrorsResponse = "errors"
    log: bool = True

    def __post_init__(self) -> None:
        if self.response not in ERRORS_RESPONSES:
            raise ValueError(
                f"authorization errors {self.response!r}: expected one of {ERRORS_RESPONSES}"
            )

    def logged(self, errors: list[dict[str, Any]]) -> None:
        """Log the paths of `errors` (one record per request), when logging is on."""
        if self.log and errors:
            paths = ["/" + "/".join(str(p) for p in e.get("path", ())) for e in errors]
            log.error("Authorization error: unauthorized paths %s", ", ".join(paths))

    def refusal(self, errors: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """The body refusing a whole operation (reject mode) and whether it is a request
        error. Errors elsewhere than in `errors` leave `data: null`, as in Router, so the
        body is still a GraphQL response."""
        self.logged(errors)
        if self.response == "errors":
            return {"errors": errors}, True
        if self.response == "extensions":
            return {"data": None, "extensions": {EXTENSIONS_KEY: errors}}, False
        return {"data": None}, False

    def report(self, body: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
        """`body` (a response with data) with `errors` placed where configured."""
        self.logged(errors)
        if not errors or self.response == "disabled":
            return body
        if self.response == "extensions":
            body.setdefault("extensions", {})[EXTENSIONS_KEY] = errors
            return body
        out = {"errors": [*errors, *body.get("errors", ())]}
        out.update((k, v) for k, v in body.items() if k != "errors")
        return out
