"""Redis: the entity cache's shared store, one server of our own on 127.0.0.1.

Debian's `redis-server` package (installed with apt-get when missing, as PostgreSQL is),
run with its settings on the command line rather than Debian's config file: bound to
127.0.0.1 only with `protected-mode yes` (no password: a development server that nothing
off this machine can reach), no RDB snapshots and no AOF (a cache: every entry can be
fetched again from the subgraphs, so nothing is worth writing to disk), its working dir
under the data dir. Health is a real PING answered with PONG.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import redis

from pos.infra.config import HOST, InfraConfig
from pos.infra.errors import InfraError
from pos.infra.process import file_lock, spawn
from pos.infra.service import Service, port_open

BINARY = Path("/usr/bin/redis-server")


def apt_install() -> None:
    """Install Debian's redis-server package (root only)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfraError(
            "Redis is not installed and this is not root on Debian: "
            "install the `redis-server` package (or run `pos infra up` as root) and retry."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (
        ["apt-get", "update", "-qq"],
        [
            "apt-get",
            "install",
            "-y",
            "-qq",
            "-o",
            "Dpkg::Options::=--force-confold",
            "redis-server",
        ],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InfraError(f"`{' '.join(argv)}` failed:\n{(done.stdout + done.stderr)[-3000:]}")


class Redis(Service):
    """A private redis-server with its working dir under the data dir."""

    name = "redis"

    def port(self, config: InfraConfig) -> int:
        return config.redis_port

    def install(self, config: InfraConfig) -> None:
        if BINARY.exists():
            return
        with file_lock(config.cache_dir / "redis.lock"):
            if not BINARY.exists():
                apt_install()
        if not BINARY.exists():
            raise InfraError(f"redis-server was installed but {BINARY} is missing.")

    def launch(self, config: InfraConfig) -> int:
        home = config.service_dir(self.name)
        data = home / "data"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            str(BINARY),
            "--bind", HOST,
            "--port", str(config.redis_port),
            "--protected-mode", "yes",
            "--unixsocket", "",
            "--dir", str(data),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", "",
            "--loglevel", "warning",
        ]  # fmt: skip
        return spawn(
            argv, pid_file=config.pid_file(self.name), log_file=config.log_file(self.name), cwd=home
        )

    def healthy(self, config: InfraConfig) -> bool:
        if not port_open(config.redis_port):
            return False
        client = redis.Redis(
            host=HOST, port=config.redis_port, socket_timeout=1.5, socket_connect_timeout=1.5
        )
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()
