"""What the staff application needs from the outside: a secret hasher and a clock.

The domain never hashes nor reads the time; handlers get both injected, so tests run
with a cheap hasher setting and a clock they move (the lockout's 15 minutes pass
instantly).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class SecretHasher(Protocol):
    """One-way hashing of passwords and PINs (argon2id in `security.hashing`)."""

    def hash(self, secret: str) -> str:
        """A salted hash of `secret`, self-describing (algorithm and parameters)."""
        ...

    def verify(self, hashed: str, secret: str) -> bool:
        """Does `secret` match `hashed`? False for a mismatch or an unreadable hash."""
        ...

    def dummy_verify(self, secret: str) -> None:
        """Spend the time a `verify` would (for an unknown username), answer nothing."""
        ...
