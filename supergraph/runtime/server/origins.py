"""Which page origins may open WebSockets and event streams (SSE, multipart subscriptions).

Browsers never preflight a WebSocket, and an `EventSource` GET is a simple request, so
CORS protects neither: a page on another site could open one with the user's cookies and
run operations over it (a WebSocket carries mutations too). Browsers always send `Origin`
on these requests, so the gateway checks it: allowed are the page's own origin (the
Origin's host and port equal the Host header's: the GraphiQL page the gateway serves),
the origins listed (the same list as CORS, `Cors.allow_origins`) and requests without an
Origin header (non-browser clients: graphql-ws on Node, curl, the services). Anything
else is refused before anything runs: a WebSocket handshake answered 403, an SSE or
multipart request HTTP 403 with code `FORBIDDEN_ORIGIN`.

Behind a proxy that rewrites Host, list the public origin (or keep Host, as nginx's
`proxy_set_header Host $host` does).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str | None:
    """`scheme://host[:port]` lower-cased, default port dropped; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    shown = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown}"


def _host_port(value: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(f"//{value.strip()}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port


@dataclass(frozen=True)
class OriginCheck:
    """`allowed`: extra origins (`https://shop.example`, `*` for any); same-origin and
    Origin-less requests are always allowed."""

    allowed: frozenset[str] = frozenset()

    @classmethod
    def of(cls, origins: Iterable[str]) -> OriginCheck:
        normalized = {o if o == "*" else normalize_origin(o) for o in origins}
        return cls(frozenset(o for o in normalized if o is not None))

    def allows(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is None:
            return True
        if "*" in self.allowed:
            return True
        normalized = normalize_origin(origin)
        if normalized is None:
            return False  # "null" (sandboxed frames, file:) and garbage
        if normalized in self.allowed:
            return True
        parts = urlsplit(normalized)
        default = _DEFAULT_PORTS[parts.scheme]
        host = _host_port(headers.get("host", ""))
        if host is None or host[0] != (parts.hostname or "").lower():
            return False
        # a Host without a port is the default one of whatever scheme the page used (a
        # proxy terminating TLS forwards plain HTTP)
        return (parts.port or default) == (host[1] or default)
