"""What every local service offers, and the shared start/stop mechanics.

A service knows how to install itself into the cache, start one process for a config,
and tell whether something healthy answers at its address. The generic parts (pid files,
waiting for health while watching the process, error messages with the log tail) live
here so each service module only says what is specific to it.
"""

from __future__ import annotations

import signal
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pos.infra.config import HOST, InfraConfig
from pos.infra.errors import InfraError
from pos.infra.process import exited_code, running_pid, tail, wait_until


@dataclass(frozen=True)
class ServiceStatus:
    """What `status` reports for one service."""

    name: str
    address: str
    healthy: bool
    pid: int | None
    managed: bool
    detail: str = ""


def port_open(port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on the loopback port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


class Service(ABC):
    """One kind of local service (Kafka, PostgreSQL, the MongoDB-wire server)."""

    name: str
    stop_signal: int = signal.SIGTERM

    @abstractmethod
    def port(self, config: InfraConfig) -> int:
        """The client port this service listens on."""

    @abstractmethod
    def install(self, config: InfraConfig) -> None:
        """Make the service's binaries available in the cache (no-op when present)."""

    @abstractmethod
    def launch(self, config: InfraConfig) -> int:
        """Prepare the data dir and spawn the server process; return its pid."""

    @abstractmethod
    def healthy(self, config: InfraConfig) -> bool:
        """Whether a server answers real requests at this config's address."""

    def ready_check(self, config: InfraConfig) -> Callable[[], bool]:
        """What to wait for before `after_start` (default: full health)."""
        return lambda: self.healthy(config)

    def after_start(self, config: InfraConfig) -> None:  # noqa: B027 - optional hook
        """Bootstrap that needs the running server (roles, databases)."""

    def log_files(self, config: InfraConfig) -> list[Path]:
        """The files holding this service's output, most basic first."""
        return [config.log_file(self.name)]

    def log_tail(self, config: InfraConfig, lines: int = 80) -> str:
        """The end of each log file, headed by its path."""
        parts = []
        for path in self.log_files(config):
            if path.exists():
                parts.append(f"==> {path} <==\n{tail(path, lines)}")
        return "\n".join(parts) or f"(no log yet under {config.service_dir(self.name)})"

    def address(self, config: InfraConfig) -> str:
        """Host and port for humans."""
        return f"{HOST}:{self.port(config)}"

    def wait_healthy(
        self, config: InfraConfig, pid: int, check: Callable[[], bool] | None = None
    ) -> None:
        """Wait until `check` (default: `healthy`) passes; fail early if the process ends."""
        probe = check or (lambda: self.healthy(config))
        failure: list[str] = []

        def ready() -> bool:
            code = exited_code(pid)
            if code is not None or running_pid(config.pid_file(self.name)) != pid:
                failure.append(f"exited with code {code}")
                return True
            return probe()

        if not wait_until(ready, config.start_timeout, interval=0.5):
            failure.append(f"not healthy after {config.start_timeout:.0f}s")
        if failure:
            raise InfraError(
                f"{self.name} at {self.address(config)} {failure[0]}. "
                f"Its logs end with:\n{self.log_tail(config, 40)}"
            )
