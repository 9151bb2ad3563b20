"""The Ed25519 keys that sign staff access tokens, kept in one JSON file.

`<directory>/staff-signing.json` (mode 0600) holds every key still needed: the current
one (signs new tokens) and the previous ones, whose public halves stay in the JWKS until
no token they signed can still be valid: ACCESS_TOKEN_LIFETIME plus KEY_RETIREMENT_MARGIN
(clock skew, a slow verifier) after they stopped signing. Then they are dropped.

The file is generated on first use: that is a DEVELOPMENT DEFAULT. In production give
each deployment its own directory on a secret volume, and rotate with
`pos staff rotate-keys` (safe while the service runs: every process re-reads the file
when it changes). `staff-jwks.json` beside it is the public JWKS (what
`GET /.well-known/jwks.json` serves), for `pos gateway --jwks <file>`.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from subgraphs.staff.application.ports import Clock, utcnow
from subgraphs.staff.security.tokens import ACCESS_TOKEN_LIFETIME

KEY_FILE = "staff-signing.json"
JWKS_FILE = "staff-jwks.json"
KEY_RETIREMENT_MARGIN = timedelta(minutes=5)
"""Extra time a superseded key stays published after the last token it signed expired."""

_NOTE = (
    "Staff token signing keys (Ed25519). Generated on first use: a DEVELOPMENT DEFAULT. "
    "Keep this file secret (mode 0600); rotate with `pos staff rotate-keys`."
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    created_at: datetime
    retired_at: datetime | None = None
    """When it stopped signing (a newer key became current); None for the current key."""

    @classmethod
    def generate(cls, now: datetime) -> SigningKey:
        kid = f"staff-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
        return cls(kid, Ed25519PrivateKey.generate(), now)

    def public_jwk(self) -> dict[str, str]:
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": _b64(public),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }

    def to_json(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        private = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return {
            **self.public_jwk(),
            "d": _b64(private),
            "created_at": self.created_at.isoformat(),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SigningKey:
        retired = raw.get("retired_at")
        return cls(
            kid=str(raw["kid"]),
            private_key=Ed25519PrivateKey.from_private_bytes(_unb64(str(raw["d"]))),
            created_at=datetime.fromisoformat(str(raw["created_at"])),
            retired_at=datetime.fromisoformat(retired) if retired else None,
        )


class KeyRing:
    """The signing keys in `directory`; see the module doc for the file and rotation."""

    def __init__(
        self,
        directory: Path | str,
        *,
        clock: Clock = utcnow,
        retire_after: timedelta = ACCESS_TOKEN_LIFETIME + KEY_RETIREMENT_MARGIN,
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock
        self.retire_after = retire_after
        self._keys: list[SigningKey] = []
        self._stamp: tuple[int, int, int] | None = None

    @property
    def path(self) -> Path:
        return self.directory / KEY_FILE

    def current(self) -> SigningKey:
        """The key that signs new tokens (generating the file on first use)."""
        keys = self._load()
        if not keys:
            with self._locked():
                keys = self._load()
                if not keys:
                    keys = [SigningKey.generate(self.clock())]
                    self._save(keys)
        return next(k for k in keys if k.retired_at is None)

    def rotate(self) -> SigningKey:
        """Make a new current key; the old one keeps verifying until it is retired."""
        with self._locked():
            now = self.clock()
            keys = [
                k
                if k.retired_at is not None
                else SigningKey(k.kid, k.private_key, k.created_at, now)
                for k in self._load()
            ]
            fresh = SigningKey.generate(now)
            self._save([fresh, *self._live(keys, now)])
            return fresh

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS: the current key first, then the not-yet-retired previous ones."""
        self.current()
        now = self.clock()
        return {"keys": [k.public_jwk() for k in self._live(self._load(), now)]}

    def _live(self, keys: list[SigningKey], now: datetime) -> list[SigningKey]:
        return [k for k in keys if k.retired_at is None or now < k.retired_at + self.retire_after]

    def _load(self) -> list[SigningKey]:
        """The keys in the file, re-read whenever the file changed (another process)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._keys, self._stamp = [], None
            return []
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            document = json.loads(self.path.read_text())
            keys = [SigningKey.from_json(raw) for raw in document.get("keys", [])]
            if not any(k.retired_at is None for k in keys):
                raise ValueError(f"{self.path} has no current signing key")
            self._keys, self._stamp = keys, stamp
        return self._keys

    def _save(self, keys: list[SigningKey]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {"note": _NOTE, "keys": [k.to_json() for k in keys]}
        _write(self.path, json.dumps(document, indent=2), 0o600)
        public = {"keys": [k.public_jwk() for k in keys]}
        _write(self.directory / JWKS_FILE, json.dumps(public, indent=2), 0o644)
        self._stamp = None
        self._load()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across processes (a first start racing `rotate-keys`)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".staff-signing.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._stamp = None
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, text: str, mode: int) -> None:
    """Atomically: readers see the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text + "\n")
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
