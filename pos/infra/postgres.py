"""PostgreSQL: our own cluster in the data dir, on its own port, next to any system one.

PostgreSQL refuses to run as root, so when we are root (CI, these machines) initdb and
the server run as the `postgres` OS user, which owns only the cluster folder. The server
listens on 127.0.0.1 only, with no Unix socket, trust authentication (a development
cluster), and a `pos` role (password `pos`, a development default) owning database `pos`.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

from pos.infra.config import HOST, InfraConfig
from pos.infra.errors import InfraError
from pos.infra.process import file_lock, spawn
from pos.infra.service import Service, port_open

OS_USER = "postgres"
SUPERUSER = "postgres"
# Keeps Debian's postgresql packages from creating and starting a "main" cluster on 5432.
CREATECLUSTER_CONF = Path("/etc/postgresql-common/createcluster.conf")
FALLBACK_ROOT = Path("/var/lib/pos-postgres")


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def apt_install() -> None:
    """Install Debian's postgresql package without its default cluster (root only)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfraError(
            "PostgreSQL is not installed and this is not root on Debian: "
            "install the `postgresql` package (or run scripts/setup as root) and retry."
        )
    if not CREATECLUSTER_CONF.exists():
        CREATECLUSTER_CONF.parent.mkdir(parents=True, exist_ok=True)
        CREATECLUSTER_CONF.write_text("create_main_cluster = false\n")
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
            "postgresql",
        ],
    ):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InfraError(f"`{' '.join(argv)}` failed:\n{(done.stdout + done.stderr)[-3000:]}")


def _run_as() -> str | None:
    return OS_USER if os.geteuid() == 0 else None


def _traversable(path: Path) -> bool:
    """Whether other users (the postgres OS user) can reach `path` through its parents."""
    existing = [p for p in path.resolve().parents if p.exists()]  # the rest we create 0755
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in existing)


def cluster_dir(config: InfraConfig) -> Path:
    """The cluster's data folder: in the data dir, unless the postgres OS user cannot reach
    it there (a checkout under /root, say); then under FALLBACK_ROOT, one per data dir."""
    home = config.service_dir("postgres")
    if os.geteuid() != 0 or _traversable(home):
        return home / "data"
    key = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]
    return FALLBACK_ROOT / key


def _psql(
    config: InfraConfig, sql: str, *, user: str, database: str
) -> subprocess.CompletedProcess[str]:
    binaries = bin_dir()
    psql = str(binaries / "psql") if binaries else shutil.which("psql") or "psql"
    env = {
        **os.environ,
        "PGPASSWORD": config.pg_password if user == config.pg_user else "",
        "PGCONNECT_TIMEOUT": "3",
    }
    argv = [psql, "-w", "-h", HOST, "-p", str(config.postgres_port), "-U", user, "-d", database]
    return subprocess.run(
        [*argv, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote_ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


class Postgres(Service):
    """A private PostgreSQL cluster under the data dir."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown; SIGTERM waits for clients to leave

    def port(self, config: InfraConfig) -> int:
        return config.postgres_port

    def install(self, config: InfraConfig) -> None:
        if bin_dir() is not None:
            return
        with file_lock(config.cache_dir / "postgres.lock"):
            if bin_dir() is None:
                apt_install()
        if bin_dir() is None:
            raise InfraError("PostgreSQL was installed but /usr/lib/postgresql/*/bin is missing.")

    def launch(self, config: InfraConfig) -> int:
        binaries = bin_dir()
        assert binaries is not None
        home = config.service_dir(self.name)
        home.mkdir(parents=True, exist_ok=True)
        data = cluster_dir(config)
        if data.parent != home:
            (home / "cluster-location").write_text(f"{data}\n")
        user = _run_as()
        if not (data / "PG_VERSION").exists():
            shutil.rmtree(data, ignore_errors=True)
            data.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            data.mkdir(mode=0o700)
            if user is not None:
                entry = pwd.getpwnam(user)
                os.chown(data, entry.pw_uid, entry.pw_gid)
            initdb = [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
            done = subprocess.run(
                initdb, cwd=data, capture_output=True, text=True, user=user, check=False
            )
            if done.returncode != 0:
                raise InfraError(f"initdb in {data} failed:\n{done.stdout}{done.stderr}")
        argv = [
            str(binaries / "postgres"),
            "-D",
            str(data),
            "-p",
            str(config.postgres_port),
            "-c",
            f"listen_addresses={HOST}",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
            "-c",
            "logging_collector=off",
        ]
        return spawn(
            argv,
            pid_file=config.pid_file(self.name),
            log_file=config.log_file(self.name),
            cwd=data,
            user=user,
        )

    def ready_check(self, config: InfraConfig) -> Callable[[], bool]:
        """The server answers the superuser (our role may not exist yet)."""

        def accepting() -> bool:
            if not port_open(config.postgres_port):
                return False
            return _psql(config, "select 1", user=SUPERUSER, database="postgres").returncode == 0

        return accepting

    def after_start(self, config: InfraConfig) -> None:
        role, database = config.pg_user, config.pg_database
        create_role = (
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"{_quote_literal(role)}) THEN CREATE ROLE {_quote_ident(role)} LOGIN SUPERUSER "
            f"PASSWORD {_quote_literal(config.pg_password)}; END IF; END $$;"
        )
        steps = [create_role]
        exists = _psql(
            config,
            f"SELECT 1 FROM pg_database WHERE datname = {_quote_literal(database)}",
            user=SUPERUSER,
            database="postgres",
        )
        if exists.stdout.strip() != "1":
            steps.append(f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(role)}")
        for sql in steps:
            done = _psql(config, sql, user=SUPERUSER, database="postgres")
            if done.returncode != 0:
                raise InfraError(f"PostgreSQL bootstrap `{sql}` failed: {done.stderr}")

    def healthy(self, config: InfraConfig) -> bool:
        if not port_open(config.postgres_port):
            return False
        done = _psql(config, "select 1", user=config.pg_user, database=config.pg_database)
        return done.returncode == 0
