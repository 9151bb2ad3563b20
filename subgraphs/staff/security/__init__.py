"""The staff context's edge: argon2id hashing, the Ed25519 key ring and JWT tokens."""

from subgraphs.staff.security.hashing import Argon2Hasher
from subgraphs.staff.security.identity import (
    AUDIENCE,
    DEFAULT_ISSUER,
    StaffIdentity,
)
from subgraphs.staff.security.keyring import KEY_FILE, KeyRing
from subgraphs.staff.security.tokens import (
    ACCESS_TOKEN_LIFETIME,
    IssuedToken,
    TokenIssuer,
    verify_access_token,
)

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "AUDIENCE",
    "DEFAULT_ISSUER",
    "KEY_FILE",
    "Argon2Hasher",
    "IssuedToken",
    "KeyRing",
    "StaffIdentity",
    "TokenIssuer",
    "verify_access_token",
]
