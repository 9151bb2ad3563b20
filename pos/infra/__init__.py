"""Local services without Docker: Kafka, PostgreSQL, a MongoDB-wire server and Redis."""

from pos.infra.config import InfraConfig, free_port
from pos.infra.control import (
    NAMES,
    down,
    log_tail,
    start_service,
    status,
    stop_service,
    up,
)
from pos.infra.embedded import start_embedded_mongo
from pos.infra.errors import InfraError
from pos.infra.service import ServiceStatus

__all__ = [
    "NAMES",
    "InfraConfig",
    "InfraError",
    "ServiceStatus",
    "down",
    "free_port",
    "log_tail",
    "start_embedded_mongo",
    "start_service",
    "status",
    "stop_service",
    "up",
]
