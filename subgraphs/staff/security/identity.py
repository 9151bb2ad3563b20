"""`StaffIdentity`: the staff context's token authority, as hosts and the gateway see it.

One object per process holds the key ring, the issuer and the audience. Hosts get the
public keys from `jwks()` (a callable the gateway can poll, so a rotation shows up),
verify with `verify()`, and the staff subgraph signs with `tokens`.

Configuration (each a DEVELOPMENT DEFAULT when unset):
- POS_STAFF_KEYS_DIR: where the signing keys live (default `$POS_DATA_DIR/keys`);
- POS_STAFF_ISSUER: the `iss` of our tokens (default ``urn:pos:staff``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from subgraphs.staff.application.ports import Clock, utcnow
from subgraphs.staff.security.keyring import KeyRing
from subgraphs.staff.security.tokens import TokenIssuer, verify_access_token

DEFAULT_ISSUER = "urn:pos:staff"
AUDIENCE = "pos"


class StaffIdentity:
    def __init__(
        self,
        keys_dir: Path | str,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = AUDIENCE,
        clock: Clock = utcnow,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keyring = KeyRing(keys_dir, clock=clock)
        self.tokens = TokenIssuer(self.keyring, issuer=issuer, audience=audience, clock=clock)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, data_dir: Path | str | None = None
    ) -> StaffIdentity:
        """Keys in POS_STAFF_KEYS_DIR, else `<data_dir>/keys` (default $POS_DATA_DIR/keys)."""
        env = os.environ if env is None else env
        keys = env.get("POS_STAFF_KEYS_DIR")
        if keys is None:
            root = Path(data_dir) if data_dir is not None else Path(env.get("POS_DATA_DIR", "var"))
            keys = str(root.expanduser() / "keys")
        return cls(Path(keys).expanduser(), issuer=env.get("POS_STAFF_ISSUER", DEFAULT_ISSUER))

    @property
    def keys_dir(self) -> Path:
        return self.keyring.directory

    def jwks(self) -> dict[str, Any]:
        """The public JWKS (RFC 7517): current key first, then keys still in their grace."""
        return self.keyring.jwks()

    def rotate_keys(self) -> str:
        """Start signing with a new key; returns its `kid`."""
        return self.keyring.rotate().kid

    def verify(self, token: str, *, leeway: float = 0) -> dict[str, Any]:
        """The verified claims of one of our access tokens (`jwt.InvalidTokenError` if not)."""
        return verify_access_token(
            token, self.jwks(), issuer=self.issuer, audience=self.audience, leeway=leeway
        )
