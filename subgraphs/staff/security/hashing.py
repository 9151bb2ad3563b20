"""Passwords and PINs hashed with argon2id (argon2-cffi).

The default parameters are argon2-cffi's (RFC 9106's low-memory profile: 3 passes,
64 MiB, 4 lanes). A stored hash names its own parameters, so raising them later keeps old
hashes verifiable. PINs go through the same function: 4 to 8 digits are few, so what
protects a PIN is the lockout (5 failures, 15 minutes), not the hash.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """The `SecretHasher` port with argon2id."""

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_cost: int = 65536,
        parallelism: int = 4,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._dummy: str | None = None

    @classmethod
    def for_tests(cls) -> Argon2Hasher:
        """Still argon2id, with the minimum cost: fast enough for many sign-ins in tests."""
        return cls(time_cost=1, memory_cost=8, parallelism=1)

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def dummy_verify(self, secret: str) -> None:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, secret)
