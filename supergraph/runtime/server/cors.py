"""CORS for the GraphQL endpoint: which other sites' pages may call it from a browser.

Default: none. The gateway's own pages (GraphiQL) are same-origin and need no CORS; a
front end served from another origin must be listed (`Cors(allow_origins=(...))`, `pos
gateway --cors-origin https://shop.example`, exact `scheme://host[:port]`, `*` for any).
For a listed origin a preflight (`OPTIONS` with `Access-Control-Request-Method`) is
answered with `Access-Control-Allow-Origin` (the origin itself), `-Allow-Methods` (GET,
POST), `-Allow-Headers` (what GraphQL clients send: content-type, authorization, Apollo's
preflight and client-awareness headers) and `-Max-Age`, plus `Vary: Origin`; actual
responses get `Access-Control-Allow-Origin` and `Vary: Origin`. Credentials (cookies)
are off by default (`allow_credentials=True` turns them on; never with `*`). A preflight
from an origin not listed is refused (400) and the browser sends nothing.

The same list opens WebSockets and event streams to those origins (`origins.py`).
Built on Starlette's `CORSMiddleware`.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

DEFAULT_ALLOW_HEADERS = (
    "content-type",
    "authorization",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-query-plan-experimental",
)


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_credentials: bool = False
    allow_headers: tuple[str, ...] = DEFAULT_ALLOW_HEADERS
    max_age: int = 600

    def __post_init__(self) -> None:
        origins = tuple(o.strip().rstrip("/") for o in self.allow_origins if o.strip())
        if self.allow_credentials and "*" in origins:
            raise ValueError("CORS credentials cannot be allowed for every origin ('*')")
        object.__setattr__(self, "allow_origins", origins)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return CORSMiddleware(
            app,
            allow_origins=self.allow_origins,
            allow_methods=("GET", "POST"),
            allow_headers=self.allow_headers,
            allow_credentials=self.allow_credentials,
            max_age=self.max_age,
        )


DEFAULT_CORS = Cors()
