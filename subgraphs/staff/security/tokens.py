"""Access tokens: short-lived JWTs signed EdDSA (Ed25519) with the key ring's current key.

Claims: `iss`, `aud` ("pos"), `sub` (staff id), `iat`, `nbf`, `exp` (15 minutes),
`jti`, `scope` (the member's roles' scopes, space-separated; docs/access.md), `roles`,
`name`, `username`, `sid` (the session, whose refresh token renews the access token),
`amr` (["pwd"] or ["pin"]), and `register` for a PIN sign-in at a register. The header
names the key (`kid`), so verifiers pick it from the JWKS during a rotation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import jwt

from subgraphs.staff.application.ports import Clock, utcnow
from subgraphs.staff.domain import Role, scopes_for

if TYPE_CHECKING:
    from subgraphs.staff.security.keyring import KeyRing

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti", "scope", "sid")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    claims: dict[str, Any]


class TokenIssuer:
    def __init__(
        self,
        keyring: KeyRing,
        *,
        issuer: str,
        audience: str,
        clock: Clock = utcnow,
        lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
    ) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.clock = clock
        self.lifetime = lifetime

    def issue(
        self,
        *,
        staff_id: str,
        username: str,
        name: str,
        roles: Sequence[Role],
        session_id: str,
        method: str,
        register_id: str | None = None,
    ) -> IssuedToken:
        now = self.clock().replace(microsecond=0)
        expires = now + self.lifetime
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": staff_id,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": str(uuid4()),
            "scope": " ".join(scopes_for(roles)),
            "roles": [Role(r).value for r in roles],
            "name": name,
            "username": username,
            "sid": session_id,
            "amr": [method],
        }
        if register_id is not None:
            claims["register"] = register_id
        key = self.keyring.current()
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return IssuedToken(token, expires, claims)


def verify_access_token(
    token: str,
    jwks: Mapping[str, Any],
    *,
    issuer: str,
    audience: str,
    leeway: float = 0,
) -> dict[str, Any]:
    """The claims of `token` if a key of `jwks` (chosen by `kid`) signed it with EdDSA,
    and it is for `audience` from `issuer` and within its validity; else `jwt.InvalidTokenError`.
    """
    kid = jwt.get_unverified_header(token).get("kid")
    for entry in jwks.get("keys", []):
        if entry.get("kid") == kid:
            key = jwt.PyJWK(entry, ALGORITHM)
            break
    else:
        raise jwt.InvalidTokenError(f"no key {kid!r} in the JWKS (retired, or never ours)")
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        leeway=leeway,
        options={"require": list(REQUIRED_CLAIMS)},
    )
    return claims
