"""Ports and folders of the local services.

One config describes one set of services: the shared development set comes from the
environment (`InfraConfig.from_env()`), and a fault test builds a private set on free
ports in its own folder (`InfraConfig.isolated(path)`) so it never disturbs the others.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pos.settings import Settings

HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class InfraConfig:
    """Where each local service listens and keeps its data, logs and pid file."""

    data_dir: Path = field(default_factory=lambda: Path("var").resolve())
    cache_dir: Path = field(default_factory=lambda: Path("~/.cache/pos").expanduser())
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    postgres_port: int = 5432
    mongo_port: int = 27017
    mongo_debug_port: int = 27080
    redis_port: int = 6379
    # Development default credentials (role pos / password pos); never for production.
    pg_user: str = "pos"
    pg_password: str = "pos"
    pg_database: str = "pos"
    start_timeout: float = 120.0

    @classmethod
    def from_settings(cls, settings: Settings) -> InfraConfig:
        """The config matching the service addresses the application will use."""
        pg = urlsplit(settings.pg_url)
        return cls(
            data_dir=settings.data_dir.resolve(),
            cache_dir=settings.cache_dir,
            kafka_port=settings.kafka_port,
            kafka_controller_port=settings.kafka_controller_port,
            postgres_port=settings.postgres_port,
            mongo_port=settings.mongo_port,
            mongo_debug_port=settings.mongo_debug_port,
            redis_port=settings.redis_port,
            pg_user=unquote(pg.username or "pos"),
            pg_password=unquote(pg.password or "pos"),
            pg_database=pg.path.lstrip("/") or "pos",
        )

    @classmethod
    def from_env(cls) -> InfraConfig:
        """The config for the POS_* environment (defaults: the standard ports, ./var)."""
        return cls.from_settings(Settings.from_env())

    @classmethod
    def isolated(cls, data_dir: Path, *, cache_dir: Path | None = None) -> InfraConfig:
        """A private set of services on free ports under `data_dir` (for tests)."""
        base = cls.from_env()
        ports: set[int] = set()
        while len(ports) < 6:
            ports.add(free_port())
        kafka, controller, postgres, mongo, mongo_debug, redis = sorted(ports)
        return replace(
            base,
            data_dir=data_dir.resolve(),
            cache_dir=cache_dir or base.cache_dir,
            kafka_port=kafka,
            kafka_controller_port=controller,
            postgres_port=postgres,
            mongo_port=mongo,
            mongo_debug_port=mongo_debug,
            redis_port=redis,
        )

    def service_dir(self, name: str) -> Path:
        """The folder holding one service's data, log and pid file."""
        return self.data_dir / name

    def log_file(self, name: str) -> Path:
        """The file a service's output goes to."""
        return self.service_dir(name) / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        """The pid file of a service started by us."""
        return self.service_dir(name) / f"{name}.pid"

    @property
    def kafka_bootstrap(self) -> str:
        """Bootstrap address for Kafka clients."""
        return f"{HOST}:{self.kafka_port}"

    @property
    def pg_url(self) -> str:
        """SQLAlchemy async URL of the application database."""
        auth = f"{self.pg_user}:{self.pg_password}"
        return f"postgresql+asyncpg://{auth}@{HOST}:{self.postgres_port}/{self.pg_database}"

    @property
    def mongo_url(self) -> str:
        """MongoDB connection string of the MongoDB-wire server."""
        return f"mongodb://{HOST}:{self.mongo_port}"

    @property
    def redis_url(self) -> str:
        """Redis URL of the entity cache's shared store."""
        return f"redis://{HOST}:{self.redis_port}/0"
