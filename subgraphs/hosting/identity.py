"""Subgraphs trust only the gateway: every GraphQL call carries the identity it signed.

The gateway (`supergraph.runtime.fetching.subgraph_identity`) sends a short-lived EdDSA JWT in the
`pos-gateway-identity` header of every subgraph request. `GatewayIdentityGuard` wraps each
subgraph's GraphQL app (HTTP and WebSocket) and refuses a call without a token that
verifies against the gateway's public JWKS (issuer ``urn:pos:gateway``, audience
``urn:pos:subgraphs``, ``exp`` required): HTTP 401 with
``{"errors": [{"message": ..., "extensions": {"code": "UNAUTHENTICATED"}}]}``, nothing
executed (not even `_service` or `_entities`). A subgraph that has no JWKS yet refuses
every call with 503 and says where it looked, and looks again on the next call.

For an accepted call, the client's claims (``sub``, ``scope``, ``roles``, ``name``,
``username``, ``sid``, ``register``, ``amr``, ``client_iss``) are the request's identity:
``info.context["identity"]`` (None for an anonymous client, whose token has no ``sub``),
`current_identity()` while the request runs, and the actor stamped on every event the
request writes (`eventbus.actor`).

Keys (`IdentityVerifier`): the gateway's JWKS from memory (embedded mode), a file, or an
http(s) URL (`POS_GATEWAY_IDENTITY_JWKS`; default
``$POS_DATA_DIR/keys/gateway-identity.jwks.json``, which `pos gateway` writes). A verified
token is cached until it expires, so a burst of calls verifies it once.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from eventbus.actor import acting_as, staff_actor
from supergraph.runtime.fetching.subgraph_identity import ALGORITHM, AUDIENCE, HEADER, ISSUER

log = logging.getLogger(__name__)

JWKS_ENV = "POS_GATEWAY_IDENTITY_JWKS"
SCOPE_KEY = "pos.identity"
"""Where the guard puts the verified claims in the ASGI scope (None: anonymous)."""
_REGISTERED = ("iss", "aud", "iat", "exp", "nbf", "jti")

_identity: ContextVar[dict[str, Any] | None] = ContextVar("pos_identity", default=None)


def current_identity() -> dict[str, Any] | None:
    """The verified identity of the request being served (None: anonymous or none)."""
    return _identity.get()


def default_jwks_location(env: Mapping[str, str] | None = None) -> str:
    """POS_GATEWAY_IDENTITY_JWKS, else ``$POS_DATA_DIR/keys/gateway-identity.jwks.json``."""
    from pos.settings import Settings

    return Settings.from_env(env).identity_jwks_location


class IdentityError(Exception):
    """The call cannot be accepted; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class IdentityVerifier:
    """Verifies gateway identity tokens against the gateway's public JWKS."""

    def __init__(
        self,
        location: str,
        *,
        provider: Callable[[], Mapping[str, Any]] | None = None,
        leeway: float = 5.0,
        retry_after: float = 1.0,
        max_age: float = 300.0,
        cache_size: int = 4096,
    ) -> None:
        self.location = location
        self.provider = provider
        self.leeway = leeway
        self.retry_after = retry_after
        self.max_age = max_age
        self.cache_size = cache_size
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = float("-inf")
        self._tried_at = float("-inf")
        self._last_error = "not read yet"
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any], name: str = "memory") -> IdentityVerifier:
        """Keys held in this process (embedded mode, tests)."""
        document = dict(jwks)
        return cls(f"memory:{name}", provider=lambda: document)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IdentityVerifier:
        """POS_GATEWAY_IDENTITY_JWKS (file or URL), else the gateway's default file."""
        return cls(default_jwks_location(env))

    # ---- keys ----

    async def _load(self) -> None:
        now = time.monotonic()
        if now - self._tried_at < self.retry_after and self._keys:
            return
        if now - self._tried_at < self.retry_after and not self._keys:
            raise IdentityError(self._unavailable(), 503)
        self._tried_at = now
        try:
            document = await self._read()
            keys = _parse(document)
        except (OSError, ValueError, httpx.HTTPError, jwt.PyJWKError) as exc:
            self._last_error = f"{type(exc).__name__}: {exc}"
            if not self._keys:
                log.warning("gateway identity JWKS unavailable: %s", self._unavailable())
                raise IdentityError(self._unavailable(), 503) from None
            log.warning("keeping the previous gateway JWKS: %s", self._last_error)
            return
        self._keys = keys
        self._loaded_at = now

    def _unavailable(self) -> str:
        return (
            "This subgraph has no gateway identity keys, so it accepts no calls: looked for "
            f"the gateway's JWKS at {self.location} ({self._last_error}). Start the gateway "
            f"(it writes that file) or set {JWKS_ENV} to its JWKS file or URL."
        )

    async def _read(self) -> Mapping[str, Any]:
        if self.provider is not None:
            return self.provider()
        if self.location.startswith(("http://", "https://")):
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self.location)
                response.raise_for_status()
                document = orjson.loads(response.content)
        else:
            document = json.loads(Path(self.location).read_bytes())
        if not isinstance(document, dict):
            raise ValueError("the JWKS is not a JSON object")
        return document

    async def _key(self, kid: Any) -> jwt.PyJWK:
        stale = time.monotonic() - self._loaded_at > self.max_age and self.provider is None
        if not self._keys or stale:
            await self._load()
        found = self._keys.get(kid) if isinstance(kid, str) else None
        if found is None and len(self._keys) == 1 and kid is None:
            found = next(iter(self._keys.values()))
        if found is None:  # rotated? look again (at most every `retry_after` seconds)
            await self._load()
            found = self._keys.get(kid) if isinstance(kid, str) else None
        if found is None:
            raise IdentityError("The gateway identity token was not signed by the gateway.")
        return found

    # ---- tokens ----

    async def verify(self, token: str | None) -> dict[str, Any] | None:
        """The client's claims (None for an anonymous client) of a valid token."""
        if not token:
            raise IdentityError(
                f"This subgraph accepts calls from the gateway only (no {HEADER} header)."
            )
        now = time.time()
        cached = self._verified.get(token)
        if cached is not None:
            if cached[0] + self.leeway > now:
                self._verified.move_to_end(token)
                return _client_claims(cached[1])
            del self._verified[token]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise IdentityError("The gateway identity token is not a well-formed JWT.") from None
        if header.get("alg") != ALGORITHM:
            raise IdentityError("The gateway identity token is not signed with EdDSA.")
        key = await self._key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                audience=AUDIENCE,
                leeway=self.leeway,
                options={"require": ["iss", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise IdentityError("The gateway identity token has expired.") from None
        except jwt.InvalidAudienceError:
            raise IdentityError(
                "The gateway identity token is meant for another audience."
            ) from None
        except jwt.InvalidIssuerError:
            raise IdentityError("The gateway identity token has the wrong issuer.") from None
        except jwt.InvalidSignatureError:
            raise IdentityError(
                "The gateway identity token was not signed by the gateway."
            ) from None
        except jwt.InvalidTokenError as exc:
            raise IdentityError(f"The gateway identity token is invalid: {exc}.") from None
        self._verified[token] = (float(claims["exp"]), claims)
        if len(self._verified) > self.cache_size:
            self._verified.popitem(last=False)
        return _client_claims(claims)


def _parse(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError('a JWKS is a JSON object with a "keys" list')
    keys: dict[str, jwt.PyJWK] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("kty") != "OKP":
            continue
        if entry.get("crv") != "Ed25519" or entry.get("use", "sig") != "sig":
            continue
        public = {k: v for k, v in entry.items() if k != "d"}  # never sign from here
        keys[str(entry.get("kid") or f"#{i}")] = jwt.PyJWK(public, ALGORITHM)
    if not keys:
        raise ValueError("the JWKS has no Ed25519 signing key")
    return keys


def _client_claims(claims: Mapping[str, Any]) -> dict[str, Any] | None:
    if not claims.get("sub"):
        return None
    return {k: v for k, v in claims.items() if k not in _REGISTERED}


def _refusal(message: str) -> bytes:
    return orjson.dumps(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    )


class GatewayIdentityGuard:
    """ASGI wrapper of a subgraph's GraphQL app: only calls the gateway signed get in."""

    def __init__(self, app: ASGIApp, verifier: IdentityVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = None
        for name, value in scope.get("headers") or ():
            if name.decode("latin-1").lower() == HEADER:
                token = value.decode("latin-1")
                break
        try:
            claims = await self.verifier.verify(token)
        except IdentityError as refused:
            log.info("refused a subgraph call: %s", refused.message)
            if scope["type"] == "http":
                await _answer(send, refused.status, _refusal(refused.message))
            else:
                await _deny_websocket(scope, receive, send, refused)
            return
        scope[SCOPE_KEY] = claims
        token_var = _identity.set(claims)
        try:
            with acting_as(staff_actor(claims)):
                await self.app(scope, receive, send)
        finally:
            _identity.reset(token_var)


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _deny_websocket(
    scope: Scope, receive: Receive, send: Send, refused: IdentityError
) -> None:
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        body = _refusal(refused.message)
        await send(
            {
                "type": "websocket.http.response.start",
                "status": refused.status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.close", "code": 4401, "reason": refused.message[:120]})


def identity_of(context: Mapping[str, Any] | Any) -> dict[str, Any] | None:
    """The verified identity from a Starlette request or WebSocket (None: anonymous)."""
    scope = getattr(context, "scope", None)
    if isinstance(scope, Mapping):
        found = scope.get(SCOPE_KEY)
        return dict(found) if isinstance(found, Mapping) else None
    return current_identity()
