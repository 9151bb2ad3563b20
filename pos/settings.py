"""Where POS finds its services and keeps its files, read from the environment.

Plain env reading (no pydantic-settings): every value has a development default so a
fresh checkout runs with no configuration, and every one can be overridden per process.
The service ports default to the ports in the URLs, so pointing POS_KAFKA_BOOTSTRAP at
another port also moves the broker that `pos infra up` starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092"
# Development default credentials (role pos / password pos): never use them in production.
DEFAULT_PG_URL = "postgresql+asyncpg://pos:pos@127.0.0.1:5432/pos"
DEFAULT_MONGO_URL = "mongodb://127.0.0.1:27017"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _port_of(url: str, default: int) -> int:
    """The port in a URL or a bare host:port, or `default` when there is none."""
    target = url if "://" in url else f"tcp://{url.split(',')[0]}"
    try:
        return urlsplit(target).port or default
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Service addresses, folders and local service ports."""

    kafka_bootstrap: str = DEFAULT_KAFKA_BOOTSTRAP
    pg_url: str = DEFAULT_PG_URL
    mongo_url: str = DEFAULT_MONGO_URL
    redis_url: str = DEFAULT_REDIS_URL
    """The entity cache's shared store (POS_REDIS_URL; `pos gateway --entity-cache redis`)."""
    data_dir: Path = Path("var")
    cache_dir: Path = field(default_factory=lambda: Path("~/.cache/pos").expanduser())
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    postgres_port: int = 5432
    mongo_port: int = 27017
    mongo_debug_port: int = 27080
    redis_port: int = 6379
    gateway_identity_key: Path | None = None
    """The gateway's private Ed25519 JWK (POS_GATEWAY_IDENTITY_KEY); None: the development
    default ``<data_dir>/keys/gateway-identity.jwk``, made on first start."""
    gateway_identity_jwks: str | None = None
    """Where subgraphs read the gateway's public JWKS (POS_GATEWAY_IDENTITY_JWKS: a file
    or an http(s) URL); None: ``<data_dir>/keys/gateway-identity.jwks.json``."""

    @property
    def identity_key_path(self) -> Path:
        return self.gateway_identity_key or self.data_dir / "keys" / "gateway-identity.jwk"

    @property
    def identity_jwks_location(self) -> str:
        if self.gateway_identity_jwks:
            return self.gateway_identity_jwks
        return str(self.data_dir / "keys" / "gateway-identity.jwks.json")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read POS_* variables; anything unset keeps its default."""
        env = os.environ if env is None else env
        kafka = env.get("POS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
        pg = env.get("POS_PG_URL", DEFAULT_PG_URL)
        mongo = env.get("POS_MONGO_URL", DEFAULT_MONGO_URL)
        redis = env.get("POS_REDIS_URL", DEFAULT_REDIS_URL)
        kafka_port = int(env.get("POS_KAFKA_PORT", _port_of(kafka, 9092)))
        mongo_port = int(env.get("POS_MONGO_PORT", _port_of(mongo, 27017)))
        return cls(
            kafka_bootstrap=kafka,
            pg_url=pg,
            mongo_url=mongo,
            redis_url=redis,
            data_dir=Path(env.get("POS_DATA_DIR", "var")).expanduser(),
            cache_dir=Path(env.get("POS_CACHE_DIR", "~/.cache/pos")).expanduser(),
            kafka_port=kafka_port,
            kafka_controller_port=int(env.get("POS_KAFKA_CONTROLLER_PORT", kafka_port + 1)),
            postgres_port=int(env.get("POS_PG_PORT", _port_of(pg, 5432))),
            mongo_port=mongo_port,
            mongo_debug_port=int(env.get("POS_MONGO_DEBUG_PORT", mongo_port + 63)),
            redis_port=int(env.get("POS_REDIS_PORT", _port_of(redis, 6379))),
            gateway_identity_key=(
                Path(env["POS_GATEWAY_IDENTITY_KEY"]).expanduser()
                if env.get("POS_GATEWAY_IDENTITY_KEY")
                else None
            ),
            gateway_identity_jwks=env.get("POS_GATEWAY_IDENTITY_JWKS") or None,
        )
