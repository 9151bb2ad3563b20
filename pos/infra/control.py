"""Bring the local services up and down, and report on them.

`up` is idempotent: a service of ours that is running is only health-checked, and a
healthy server already answering at the configured address (say, a system PostgreSQL on
5432 with the pos role) counts as up and is left alone; `down` stops only what we started.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pos.infra.config import InfraConfig
from pos.infra.errors import InfraError
from pos.infra.ferretdb import FerretDB
from pos.infra.kafka import Kafka
from pos.infra.postgres import Postgres
from pos.infra.process import file_lock, running_pid, terminate
from pos.infra.redis import Redis
from pos.infra.service import Service, ServiceStatus, port_open

SERVICES: dict[str, Service] = {svc.name: svc for svc in (Kafka(), FerretDB(), Postgres(), Redis())}
NAMES = tuple(SERVICES)

T = TypeVar("T")


def _service(name: str) -> Service:
    try:
        return SERVICES[name]
    except KeyError:
        raise InfraError(f"Unknown service {name!r}: choose from {', '.join(NAMES)}.") from None


def _each(names: Iterable[str] | None, action: Callable[[str], T]) -> dict[str, T]:
    """Run `action` for each service in parallel; raise one error naming every failure."""
    chosen = list(names or NAMES)
    for name in chosen:
        _service(name)
    with ThreadPoolExecutor(len(chosen) or 1) as pool:
        futures = {name: pool.submit(action, name) for name in chosen}
    results: dict[str, T] = {}
    errors: list[str] = []
    for name, future in futures.items():
        exc = future.exception()
        if exc is None:
            results[name] = future.result()
        else:
            errors.append(f"[{name}] {exc}")
    if errors:
        raise InfraError("\n\n".join(errors))
    return results


def _status(svc: Service, config: InfraConfig, healthy: bool | None = None) -> ServiceStatus:
    pid = running_pid(config.pid_file(svc.name))
    ok = svc.healthy(config) if healthy is None else healthy
    if pid is not None:
        detail = "running" if ok else "started, not healthy"
    elif ok:
        detail = "running, not started by pos"
    else:
        detail = "port in use, not answering" if port_open(svc.port(config)) else "stopped"
    return ServiceStatus(svc.name, svc.address(config), ok, pid, pid is not None, detail)


def start_service(name: str, config: InfraConfig | None = None) -> ServiceStatus:
    """Install if needed, start, and wait until healthy. No-op when already up."""
    config = config or InfraConfig.from_env()
    svc = _service(name)
    config.service_dir(name).mkdir(parents=True, exist_ok=True)
    with file_lock(config.service_dir(name) / ".start.lock"):
        pid = running_pid(config.pid_file(name))
        if pid is None:
            if svc.healthy(config):
                return _status(svc, config, healthy=True)
            if port_open(svc.port(config)):
                raise InfraError(
                    f"Port {svc.port(config)} is taken by something that is not a healthy "
                    f"{name}: stop it or choose another port (see `pos infra status`)."
                )
            svc.install(config)
            pid = svc.launch(config)
        svc.wait_healthy(config, pid, check=svc.ready_check(config))
        svc.after_start(config)
        svc.wait_healthy(config, pid)
    return _status(svc, config, healthy=True)


def stop_service(name: str, config: InfraConfig | None = None, *, kill: bool = False) -> bool:
    """Stop the service if we started it (signal, grace period, then SIGKILL).

    `kill=True` sends SIGKILL at once: a crash, for fault tests. Returns whether a process
    was stopped. A server we did not start is left running.
    """
    config = config or InfraConfig.from_env()
    svc = _service(name)
    return terminate(config.pid_file(name), sig=signal.SIGKILL if kill else svc.stop_signal)


def up(
    names: Iterable[str] | None = None, config: InfraConfig | None = None
) -> dict[str, ServiceStatus]:
    """Start the named services (default: all) in parallel; idempotent."""
    cfg = config or InfraConfig.from_env()
    return _each(names, lambda name: start_service(name, cfg))


def down(names: Iterable[str] | None = None, config: InfraConfig | None = None) -> dict[str, bool]:
    """Stop the named services (default: all) that we started; returns what was stopped."""
    cfg = config or InfraConfig.from_env()
    return _each(names, lambda name: stop_service(name, cfg))


def status(config: InfraConfig | None = None) -> dict[str, ServiceStatus]:
    """Health of every service at the configured addresses."""
    cfg = config or InfraConfig.from_env()
    return _each(None, lambda name: _status(SERVICES[name], cfg))


def log_tail(name: str, config: InfraConfig | None = None, lines: int = 80) -> str:
    """The end of a service's log files, for error messages and failing tests."""
    return _service(name).log_tail(config or InfraConfig.from_env(), lines)
