"""Gateway -> subgraph identity: every subgraph request carries a JWT the gateway signed.

Subgraphs trust only the gateway. For each request it sends them (queries, mutations,
`_entities` fetches, deferred fetches, subscription events it resolves and the WebSocket
of a subscription it forwards), the gateway attaches, in the `pos-gateway-identity`
header, a short-lived token it signs itself (EdDSA over Ed25519):

- ``iss`` = ``urn:pos:gateway``, ``aud`` = ``urn:pos:subgraphs``, ``iat``, ``exp`` (60 s);
- the client's verified claims that subgraphs use: ``sub``, ``scope``, ``roles``, ``name``,
  ``username``, ``sid``, ``register``, ``amr``, and the client token's own issuer as
  ``client_iss``. An anonymous client gets a token without ``sub``.

A token is signed once per identity and reused for `reuse` seconds (30 by default, half
its lifetime), so signing costs nothing per request. The key is a private Ed25519 JWK
(`IdentitySigner.generate()` in memory, `IdentitySigner.load_or_create(path)` for a file
with mode 0600 and the public JWKS written beside it); subgraphs verify against
`public_jwks()` (`subgraphs.hosting.identity`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

if TYPE_CHECKING:
    from supergraph.subscriptions.source import (
        ExecutionResult,
        OperationRequest,
        SubscriptionSource,
    )

log = logging.getLogger(__name__)

HEADER = "pos-gateway-identity"
ISSUER = "urn:pos:gateway"
AUDIENCE = "urn:pos:subgraphs"
ALGORITHM = "EdDSA"
FORWARDED_CLAIMS = ("sub", "scope", "roles", "name", "username", "sid", "register", "amr")
"""The client's claims a gateway identity token carries (plus ``client_iss``)."""
JWKS_PATH = "/.well-known/gateway-jwks.json"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class IdentitySigner:
    """Signs the gateway identity tokens with one private Ed25519 key."""

    def __init__(
        self, private_jwk: Mapping[str, Any], *, lifetime: float = 60.0, reuse: float = 30.0
    ) -> None:
        if private_jwk.get("kty") != "OKP" or private_jwk.get("crv") != "Ed25519":
            raise ValueError("the gateway identity key must be an Ed25519 JWK (kty OKP)")
        if not private_jwk.get("d"):
            raise ValueError("the gateway identity JWK has no private part ('d')")
        if reuse >= lifetime:
            raise ValueError("reuse must be shorter than the token lifetime")
        self._key = Ed25519PrivateKey.from_private_bytes(_unb64(str(private_jwk["d"])))
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.kid = str(private_jwk.get("kid") or _b64(public[:12]))
        self._public = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64(public),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
        }
        self.lifetime = lifetime
        self.reuse = reuse
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self.cache_size = 10_000

    # ---- keys ----

    @classmethod
    def generate(cls, **kwargs: Any) -> IdentitySigner:
        """A signer with a fresh in-memory key (the embedded mode, tests)."""
        return cls(generate_private_jwk(), **kwargs)

    @classmethod
    def from_file(cls, path: Path | str, **kwargs: Any) -> IdentitySigner:
        return cls(json.loads(Path(path).read_text()), **kwargs)

    @classmethod
    def load_or_create(cls, path: Path | str, **kwargs: Any) -> tuple[IdentitySigner, bool]:
        """The signer of the JWK at `path`, made (mode 0600) when missing; also (re)writes
        the public JWKS beside it (`jwks_path_for`). Returns (signer, created)."""
        path = Path(path)
        created = False
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(generate_private_jwk(), out)
            created = True
        signer = cls.from_file(path, **kwargs)
        signer.write_jwks(jwks_path_for(path))
        return signer, created

    def public_jwks(self) -> dict[str, Any]:
        """What subgraphs verify with (served at GET /.well-known/gateway-jwks.json)."""
        return {"keys": [dict(self._public)]}

    def write_jwks(self, path: Path | str) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.public_jwks(), indent=2) + "\n")
        temporary.replace(path)

    # ---- tokens ----

    def token(self, claims: Mapping[str, Any] | None) -> str:
        """The header value for a client with these verified claims (None: anonymous)."""
        carried: dict[str, Any] = {}
        if claims:
            carried = {k: claims[k] for k in FORWARDED_CLAIMS if claims.get(k) is not None}
            if "sub" in carried:
                carried["sub"] = str(carried["sub"])
            if claims.get("iss") is not None:
                carried["client_iss"] = claims["iss"]
        key = json.dumps(carried, sort_keys=True, default=str)
        now = time.time()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.reuse:
            self._cache.move_to_end(key)
            return cached[1]
        issued = int(now)
        payload = {
            **carried,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": issued,
            "exp": issued + int(self.lifetime),
        }
        signed = jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})
        self._cache[key] = (now, signed)
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return signed

    def headers(self, claims: Mapping[str, Any] | None) -> dict[str, str]:
        return {HEADER: self.token(claims)}


def generate_private_jwk() -> dict[str, Any]:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    private = key.private_bytes_raw()
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": _b64(private),
        "x": _b64(public),
        "kid": f"gateway-{uuid.uuid4().hex[:12]}",
        "alg": ALGORITHM,
        "use": "sig",
    }


def jwks_path_for(private_key_path: Path | str) -> Path:
    """Where the public JWKS of the key at `private_key_path` is written."""
    path = Path(private_key_path)
    stem = path.name[: -len(".jwk")] if path.name.endswith(".jwk") else path.name
    return path.with_name(f"{stem}.jwks.json")


# ---- subscriptions: whose identity the subgraph requests of a stream carry ----

_subscriber: ContextVar[Mapping[str, Any] | None] = ContextVar("pos_subscriber", default=None)


def current_subscriber() -> Mapping[str, Any] | None:
    """The verified claims of the subscriber whose stream is being served (None: anonymous)."""
    return _subscriber.get()


ClaimsOf = Callable[[Mapping[str, str]], Awaitable[Mapping[str, Any] | None]]
"""A request's headers -> the caller's verified claims (None: anonymous), never raising:
`plugins/builtin.py`'s `subscriber_claims` reads them with the gateway's authenticator."""


class IdentifiedSubscriptions:
    """A `SubscriptionSource` wrapper: the subscriber's verified claims are current while
    its operation opens (a forwarded subscription's WebSocket carries them) and while each
    of its results is produced (events resolved through `_entities` carry them).

    Put it inside `SubscriptionGuard`, which refuses bad tokens before this runs."""

    def __init__(self, inner: SubscriptionSource, claims_of: ClaimsOf | None) -> None:
        self.inner = inner
        self.claims_of = claims_of

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        claims: Mapping[str, Any] | None = None
        if self.claims_of is not None:
            claims = await self.claims_of(request.headers)
        token = _subscriber.set(claims)
        try:
            stream = await self.inner.open(request)
        finally:
            _subscriber.reset(token)
        return _AsSubscriber(stream, claims)


class _AsSubscriber:
    def __init__(self, inner: AsyncIterator[ExecutionResult], claims: Mapping[str, Any] | None):
        self._inner = inner
        self._claims = claims

    def __aiter__(self) -> _AsSubscriber:
        return self

    async def __anext__(self) -> ExecutionResult:
        token = _subscriber.set(self._claims)
        try:
            return await self._inner.__anext__()
        finally:
            _subscriber.reset(token)

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()
