"""JWT authentication for the gateway: `Authorization: Bearer <JWT>` checked against a JWKS.

A request without an Authorization header is anonymous. A header that is not a well-formed
bearer token, or a token whose signature, expiry (`exp`, `nbf`), issuer or audience does not
check out, is refused (`AuthenticationError`; the gateway answers HTTP 401 with code
`UNAUTHENTICATED` and calls no subgraph). Claims are read only from a verified token.

Keys come from a JWKS document (RFC 7517) in a file or at an http(s) URL. The token's `kid`
picks the key; without a `kid`, every key whose algorithm family fits the token's `alg` is
tried. A key accepts only its own `alg` when the JWKS names one, else its type's family
(RSA: RS*/PS*, EC: the curve's ES*, OKP: EdDSA, oct: HS*), so a token can never choose an
algorithm its key was not meant for (`none` is never accepted). An unknown `kid` reloads
the JWKS (at most every `min_refresh` seconds), so rotated keys are picked up; a URL is
also reloaded every `max_age` seconds.

Several issuers can be trusted at once (`TrustedIssuer`): our own staff identity and any
OIDC provider, each with its own keys, audience and claim mapping. A token is verified
with the keys of the issuer its `iss` names, never with another's. An issuer whose tokens
carry roles rather than our scopes (Keycloak's `realm_access.roles`, Entra's `roles`,
a `groups` claim) gets `roles_claim` and `role_scopes`: the roles found there are turned
into the `scope` claim that `@requiresScopes` reads, and any `scope` the provider put in
the token (OIDC's `openid profile`) is replaced, so a provider's scopes never grant ours.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

# the identity every stage reads is the plugin API's; named here too, where it is made
from .api import ANONYMOUS as ANONYMOUS
from .api import Identity as Identity

log = logging.getLogger(__name__)

_FAMILIES: dict[str, frozenset[str]] = {
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "OKP": frozenset({"EdDSA"}),
    "oct": frozenset({"HS256", "HS384", "HS512"}),
}
_EC_CURVES = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}


class AuthenticationError(Exception):
    """The request carries credentials the gateway cannot verify; the message says why."""


class JwksError(ValueError):
    """The JWKS cannot be read or holds no usable signing key."""


@dataclass(frozen=True)
class SigningKey:
    """One JWKS entry usable for signatures, with the algorithms it may verify."""

    kid: str | None
    jwk: Mapping[str, Any]
    algorithms: frozenset[str]


def _algorithms(jwk: Mapping[str, Any]) -> frozenset[str]:
    declared = jwk.get("alg")
    if isinstance(declared, str) and declared:
        return frozenset({declared}) if declared != "none" else frozenset()
    kty = jwk.get("kty")
    if kty == "EC":
        alg = _EC_CURVES.get(str(jwk.get("crv", "P-256")))
        return frozenset({alg}) if alg else frozenset()
    return _FAMILIES.get(str(kty), frozenset())


def parse_jwks(document: Mapping[str, Any]) -> list[SigningKey]:
    """The signing keys of a JWKS document; entries for encryption or unsupported types
    are skipped, and a JWKS with none left is an error."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise JwksError('a JWKS is a JSON object with a "keys" list')
    keys: list[SigningKey] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        algorithms = _algorithms(entry)
        if not algorithms:
            continue
        try:
            jwt.PyJWK(entry, sorted(algorithms)[0])
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError) as exc:
            log.warning("skipping JWKS key %r: %s", entry.get("kid"), exc)
            continue
        kid = entry.get("kid")
        keys.append(SigningKey(kid if isinstance(kid, str) else None, entry, algorithms))
    if not keys:
        raise JwksError("the JWKS has no usable signing key")
    return keys


@dataclass
class JwksSource:
    """Where the keys live (a file path or an http(s) URL) and the keys last read there."""

    location: str
    max_age: float = 300.0
    min_refresh: float = 10.0
    timeout: float = 10.0
    provider: Callable[[], Mapping[str, Any]] | None = None
    """Keys held in this process (the embedded staff identity): called instead of reading
    `location`, which then only names the source in messages."""
    _keys: list[SigningKey] = field(default_factory=list)
    _loaded_at: float = float("-inf")

    @classmethod
    def in_memory(cls, name: str, provider: Callable[[], Mapping[str, Any]]) -> JwksSource:
        """Keys read from `provider` (re-read on an unknown `kid`, so rotation shows)."""
        return cls(f"memory:{name}", provider=provider, min_refresh=0.0)

    def is_url(self) -> bool:
        return self.provider is None and self.location.startswith(("http://", "https://"))

    async def keys(self, *, refresh: bool = False) -> list[SigningKey]:
        now = time.monotonic()
        age = now - self._loaded_at
        stale = not self._keys or (self.is_url() and age > self.max_age)
        if stale or (refresh and age > self.min_refresh):
            try:
                self._keys = parse_jwks(await self._read())
                self._loaded_at = now
            except (JwksError, OSError, httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    raise JwksError(f"cannot load the JWKS at {self.location}: {exc}") from exc
                log.warning(
                    "keeping the previous JWKS: reloading %s failed: %s", self.location, exc
                )
                self._loaded_at = now
        return self._keys

    def load_now(self) -> list[SigningKey]:
        """Read a JWKS file at start, so a bad path or file stops the gateway early."""
        if self.is_url():
            return []
        raw = self.provider() if self.provider else _decode(Path(self.location).read_bytes())
        self._keys = parse_jwks(raw)
        self._loaded_at = time.monotonic()
        return self._keys

    async def _read(self) -> Mapping[str, Any]:
        if self.provider is not None:
            return self.provider()
        if not self.is_url():
            return _decode(Path(self.location).read_bytes())
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            response = await client.get(self.location, headers={"accept": "application/json"})
            response.raise_for_status()
            return _decode(response.content)


def _decode(raw: bytes) -> Mapping[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise JwksError(f"the JWKS is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise JwksError("the JWKS is not a JSON object")
    return document


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer whose tokens the gateway accepts, and how its claims become ours.

    `roles_claim` is a dotted path into the claims (``realm_access.roles``, ``groups``);
    its value (a list, or a space-separated string) names the caller's roles there.
    `role_scopes` maps each such role (compared case-insensitively) to our scopes; the
    token's `scope` becomes their union and `roles` the roles that mapped. Without
    `roles_claim` the claims pass unchanged (our own staff tokens carry `scope`).
    """

    jwks: JwksSource
    issuer: str | None = None
    audience: str | None = None
    roles_claim: str | None = None
    role_scopes: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def map_claims(self, claims: dict[str, Any]) -> dict[str, Any]:
        if self.roles_claim is None:
            return claims
        found: Any = claims
        for part in self.roles_claim.split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
        if isinstance(found, str):
            found = found.split()
        names = [r for r in found if isinstance(r, str)] if isinstance(found, list) else []
        table = {role.lower(): (role, scopes) for role, scopes in self.role_scopes.items()}
        roles: list[str] = []
        scopes: set[str] = set()
        for name in names:
            entry = table.get(name.lower())
            if entry is not None and entry[0] not in roles:
                roles.append(entry[0])
                scopes.update(entry[1])
        return {**claims, "roles": roles, "scope": " ".join(sorted(scopes))}


class JwtAuthenticator:
    """Turns a request's headers into an `Identity`, or refuses them.

    Give one JWKS (with an optional issuer and audience) or several `issuers`; with more
    than one, every issuer must name its `iss` and a token is checked against the one its
    own (unverified) `iss` points to, then verified in full with that issuer's keys.
    """

    def __init__(
        self,
        jwks: JwksSource | str | None = None,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway: float = 0.0,
        header: str = "authorization",
        issuers: Sequence[TrustedIssuer] = (),
    ) -> None:
        trusted = list(issuers)
        if jwks is not None:
            source = jwks if isinstance(jwks, JwksSource) else JwksSource(jwks)
            trusted.insert(0, TrustedIssuer(source, issuer=issuer, audience=audience))
        if not trusted:
            raise ValueError("JwtAuthenticator needs a JWKS or at least one TrustedIssuer")
        if len(trusted) > 1 and any(t.issuer is None for t in trusted):
            raise ValueError("with several trusted issuers, each must name its `iss`")
        self.issuers = trusted
        self.jwks = trusted[0].jwks
        self.issuer = trusted[0].issuer
        self.audience = trusted[0].audience
        self.leeway = leeway
        self.header = header.lower()

    async def authenticate(self, headers: Mapping[str, str]) -> Identity:
        """The caller's identity from the `header` (Authorization) of the request; on a
        WebSocket the `connection_init` payload's Authorization counts as that header
        (`supergraph.subscriptions.ws`)."""
        value = _header(headers, self.header)
        if value is None:
            return ANONYMOUS
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError(
                "The Authorization header must be 'Bearer <token>'; send a JWT, or no "
                "Authorization header for anonymous access."
            )
        return Identity(await self.verify(token))

    async def verify(self, token: str) -> dict[str, Any]:
        """The claims of `token` once its signature and registered claims check out."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError("The bearer token is not a well-formed JWT.") from exc
        alg = header.get("alg")
        kid = header.get("kid")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise AuthenticationError("The JWT is not signed; unsigned tokens are never accepted.")
        trusted = self._issuer_of(token)
        try:
            candidates = _candidates(await trusted.jwks.keys(), kid, alg)
            if not candidates and kid is not None:
                candidates = _candidates(await trusted.jwks.keys(refresh=True), kid, alg)
        except JwksError as exc:
            log.error("JWT verification impossible: %s", exc)
            raise AuthenticationError(
                "The gateway cannot verify tokens right now (its signing keys are unavailable)."
            ) from exc
        if not candidates:
            raise AuthenticationError("The JWT was not signed by a key this gateway trusts.")
        failure: jwt.InvalidTokenError | None = None
        for key in candidates:
            try:
                return trusted.map_claims(self._decode(token, key, alg, trusted))
            except jwt.InvalidSignatureError as exc:
                failure = exc
            except jwt.ExpiredSignatureError as exc:
                raise AuthenticationError("The JWT has expired; get a new token.") from exc
            except jwt.ImmatureSignatureError as exc:
                raise AuthenticationError("The JWT is not valid yet (nbf/iat).") from exc
            except jwt.InvalidIssuerError as exc:
                raise AuthenticationError("The JWT was issued by an untrusted issuer.") from exc
            except jwt.InvalidAudienceError as exc:
                raise AuthenticationError("The JWT is meant for another audience.") from exc
            except jwt.InvalidTokenError as exc:
                raise AuthenticationError(f"The JWT is invalid: {exc}.") from exc
        raise AuthenticationError("The JWT signature does not verify.") from failure

    def _issuer_of(self, token: str) -> TrustedIssuer:
        """The trusted issuer a token claims to come from (checked again when decoding)."""
        if len(self.issuers) == 1:
            return self.issuers[0]
        try:
            claimed = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError("The bearer token is not a well-formed JWT.") from exc
        for trusted in self.issuers:
            if trusted.issuer == claimed:
                return trusted
        raise AuthenticationError("The JWT was issued by an untrusted issuer.")

    def _decode(
        self, token: str, key: SigningKey, alg: str, trusted: TrustedIssuer
    ) -> dict[str, Any]:
        verifier = jwt.PyJWK(dict(key.jwk), alg)
        issuer, audience = trusted.issuer, trusted.audience
        required = [name for name, v in (("iss", issuer), ("aud", audience)) if v]
        claims: dict[str, Any] = jwt.decode(
            token,
            key=verifier,
            algorithms=[alg],
            issuer=issuer,
            audience=audience,
            leeway=self.leeway,
            options={"require": required, "verify_aud": audience is not None},
        )
        return claims


def _candidates(keys: list[SigningKey], kid: object, alg: str) -> list[SigningKey]:
    return [k for k in keys if alg in k.algorithms and (kid is None or k.kid == kid)]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    for key, found in headers.items():
        if key.lower() == name:
            return found
    return None
