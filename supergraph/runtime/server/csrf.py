"""CSRF prevention, Apollo Router's rule (its `csrf` plugin, on by default there too).

A browser sends a "simple" request cross-site without asking the server first (no CORS
preflight): GET, or POST with a content-type of `text/plain`,
`application/x-www-form-urlencoded` or `multipart/form-data`, and no custom header. Such
a request runs before the browser looks at any CORS answer, so a page on another site
could make a signed-in browser run an operation. The gateway therefore refuses every
request that a browser could have sent without a preflight: it needs either a
content-type other than those three (e.g. `application/json`, which every POSTing
GraphQL client sends) or one of the `required_headers` (any value):
`apollo-require-preflight` or `x-apollo-operation-name` by default (Apollo iOS and Kotlin
send the latter; add `apollo-require-preflight: true` to other clients' GET requests).
Refused: HTTP 400, code `CSRF_ERROR`, Router's message; nothing runs.

The GraphiQL page (GET with `Accept: text/html`) is not an operation and is served.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import Response

from .policy_response import refusal

NON_PREFLIGHTED_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
DEFAULT_REQUIRED_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")


@dataclass(frozen=True)
class CsrfPrevention:
    """`required_headers`: names whose presence proves a script set them (preflighted)."""

    required_headers: tuple[str, ...] = DEFAULT_REQUIRED_HEADERS

    def __post_init__(self) -> None:
        if not self.required_headers:
            raise ValueError("CSRF prevention needs at least one required header")
        object.__setattr__(
            self, "required_headers", tuple(h.strip().lower() for h in self.required_headers)
        )

    def is_preflighted(self, headers: Headers) -> bool:
        """Whether a browser would have had to preflight a request with these headers."""
        return _content_type_requires_preflight(headers) or any(
            name in headers for name in self.required_headers
        )

    def refusal(self, method: str, headers: Headers) -> Response | None:
        """The 400 for a request that needs a preflight proof and has none, else None."""
        if method == "GET" and "text/html" in headers.get("accept", ""):
            return None  # the GraphiQL page: HTML, never an operation
        if self.is_preflighted(headers):
            return None
        return refusal(
            400,
            "This operation has been blocked as a potential Cross-Site Request Forgery "
            "(CSRF). Please either specify a 'content-type' header (with a mime-type that is "
            f"not one of {', '.join(NON_PREFLIGHTED_CONTENT_TYPES)}) or provide one of the "
            f"following headers: {', '.join(self.required_headers)}",
            "CSRF_ERROR",
        )


def _content_type_requires_preflight(headers: Headers) -> bool:
    """As Router: the content-type values joined; a parsable media type outside the three
    simple ones forces a preflight; none, a simple one or an unparsable one does not."""
    values = [v.strip().replace("\t", " ") for v in headers.getlist("content-type")]
    if not values:
        return False
    joined = ", ".join(values)
    essence = joined.split(";", 1)[0].strip().lower()
    kind, slash, subtype = essence.partition("/")
    if not slash or not kind or not subtype or any(c in essence for c in ' ,"()<>@:[]?={}'):
        return False  # not a media type: no solid reason to believe a preflight happened
    return essence not in NON_PREFLIGHTED_CONTENT_TYPES


DEFAULT_CSRF = CsrfPrevention()
