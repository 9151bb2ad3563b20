"""Detached service processes tracked by pid files.

A service outlives the command that started it (`pos infra up` returns, the broker keeps
running), so each one runs in its own session with its output in a log file, and its pid
plus start time go to a pid file: the start time guards against a recycled pid.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import psutil

# Popen objects of children started by this process, so they are reaped (no zombies).
_children: dict[int, subprocess.Popen[bytes]] = {}


def spawn(
    argv: Sequence[str],
    *,
    pid_file: Path,
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
) -> int:
    """Start `argv` detached, appending its output to `log_file`; record it in `pid_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} start: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=None if env is None else dict(env),
            start_new_session=True,
            user=user,
        )
    _children[proc.pid] = proc
    pid_file.write_text(f"{proc.pid} {psutil.Process(proc.pid).create_time()}\n")
    return proc.pid


def running_pid(pid_file: Path) -> int | None:
    """The pid recorded in `pid_file` if that very process is still alive, else None."""
    try:
        pid_text, started_text = pid_file.read_text().split()
        pid, started = int(pid_text), float(started_text)
    except (OSError, ValueError):
        return None
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        del _children[pid]
        return None
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - started) > 0.01 or proc.status() == psutil.STATUS_ZOMBIE:
            return None
    except psutil.Error:
        return None
    return pid


def exited_code(pid: int) -> int | None:
    """The exit code of a child of ours that has ended, or None if unknown or running."""
    child = _children.get(pid)
    return None if child is None else child.poll()


def terminate(pid_file: Path, *, sig: int = signal.SIGTERM, grace: float = 20.0) -> bool:
    """Stop the process in `pid_file`: `sig`, wait up to `grace` seconds, then SIGKILL.

    Returns True if a live process was stopped. The pid file is removed either way.
    """
    pid = running_pid(pid_file)
    stopped = False
    if pid is not None:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            proc.send_signal(sig)
            try:
                proc.wait(grace)
            except psutil.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            stopped = True
        child = _children.pop(pid, None)
        if child is not None:
            child.poll()
    pid_file.unlink(missing_ok=True)
    return stopped


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.25) -> bool:
    """Poll `check` until it returns true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def tail(path: Path, lines: int = 80) -> str:
    """The last `lines` lines of a text file ('' if it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256 * 1024))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock across processes (parallel test runs install the same cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
