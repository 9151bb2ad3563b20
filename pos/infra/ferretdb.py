"""The MongoDB-wire server: FerretDB v1 over SQLite files in the data dir.

Why SQLite rather than FerretDB's PostgreSQL handler: the Mongo side then has no start
order or failure coupling with PostgreSQL (a fault test can stop one without the other),
and its data is plain files under var/mongo.

Why a source build: `go install ...@v1.24.2` produces a binary that panics at start-up
("Invalid build/version/version.txt"), because the module zip lacks the version file
FerretDB's own build generates. So we copy the module source from Go's module cache into
ours, write that file, and `go build ./cmd/ferretdb`: the official CLI, all its flags.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pymongo
import pymongo.errors

from pos.infra.config import HOST, InfraConfig
from pos.infra.errors import InfraError
from pos.infra.process import file_lock, spawn
from pos.infra.service import Service, port_open

VERSION = "v1.24.2"
MODULE = "github.com/FerretDB/FerretDB"


def _go_env(config: InfraConfig) -> dict[str, str]:
    """Go's module downloads go to our cache (writable, so it can be deleted)."""
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod -modcacherw",
        "GOMODCACHE": str(config.cache_dir / "go-mod"),
    }


def binary(config: InfraConfig) -> Path:
    """Where the built ferretdb binary lives in the cache."""
    return config.cache_dir / "bin" / "ferretdb"


def _installed(path: Path) -> bool:
    if not path.exists():
        return False
    probe = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)
    return probe.returncode == 0 and f"version: {VERSION}" in probe.stdout


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InfraError(
            f"FerretDB install step failed: {' '.join(argv)} (exit {done.returncode}). "
            f"Check that Go and the Go module proxy are reachable.\n{done.stderr[-3000:]}"
        )
    return done.stdout


class FerretDB(Service):
    """FerretDB speaking the MongoDB wire protocol, SQLite handler."""

    name = "mongo"

    def port(self, config: InfraConfig) -> int:
        return config.mongo_port

    def install(self, config: InfraConfig) -> None:
        target = binary(config)
        if _installed(target):
            return
        if shutil.which("go") is None:
            raise InfraError("FerretDB needs Go to build: install Go (>= 1.22) and retry.")
        with file_lock(config.cache_dir / "ferretdb.lock"):
            if _installed(target):
                return
            env = _go_env(config)
            work = config.cache_dir / "ferretdb-build"
            work.mkdir(parents=True, exist_ok=True)
            module_json = _run(["go", "mod", "download", "-json", f"{MODULE}@{VERSION}"], work, env)
            source_dir = Path(_module_dir(module_json))
            src = work / f"src-{VERSION}"
            shutil.rmtree(src, ignore_errors=True)
            shutil.copytree(source_dir, src)
            for path in src.rglob("*"):
                path.chmod(path.stat().st_mode | 0o200)
            src.chmod(src.stat().st_mode | 0o200)
            (src / "build" / "version" / "version.txt").write_text(f"{VERSION}\n")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            _run(["go", "build", "-trimpath", "-o", str(tmp), "./cmd/ferretdb"], src, env)
            tmp.replace(target)
            shutil.rmtree(src, ignore_errors=True)

    def launch(self, config: InfraConfig) -> int:
        home = config.service_dir(self.name)
        data = home / "data"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            str(binary(config)),
            "--handler=sqlite",
            f"--sqlite-url=file:{data}/",
            f"--listen-addr={HOST}:{config.mongo_port}",
            f"--debug-addr={HOST}:{config.mongo_debug_port}",
            f"--state-dir={home}",
            "--telemetry=disable",
            "--log-level=ERROR",
        ]
        return spawn(
            argv, pid_file=config.pid_file(self.name), log_file=config.log_file(self.name), cwd=home
        )

    def healthy(self, config: InfraConfig) -> bool:
        if not port_open(config.mongo_port):
            return False
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            config.mongo_url, serverSelectionTimeoutMS=1500, connectTimeoutMS=1500
        )
        try:
            client.admin.command("ping")
            return True
        except pymongo.errors.PyMongoError:
            return False
        finally:
            client.close()


def _module_dir(module_json: str) -> str:
    info = json.loads(module_json)
    directory = info.get("Dir")
    if not directory:
        raise InfraError(f"`go mod download` did not report where {MODULE} is: {module_json}")
    return str(directory)
