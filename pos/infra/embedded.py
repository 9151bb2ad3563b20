"""The embedded default's MongoDB-wire store: SecantusDB in a child process.

No server to install: `start_embedded_mongo(dir)` spawns `pos.infra.embedded_server`
(SecantusDB on WiredTiger files in `dir`, a free loopback port) and returns its URL and
a stop function. SecantusDB is GPL-2.0 and ships as the optional `embedded` extra.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from pos.infra.errors import InfraError


def start_embedded_mongo(
    data_dir: Path | str, *, timeout: float = 30.0
) -> tuple[str, Callable[[], None]]:
    """Start the embedded store on WiredTiger files in `data_dir`; return (url, stop).

    `stop()` is idempotent and waits for the store to close its files. The child also
    stops by itself when this process exits.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "pos.infra.embedded_server", str(Path(data_dir).resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a terminal's Ctrl-C is for the parent, which stops it last
    )
    assert proc.stdout is not None and proc.stdin is not None
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    line = first[0].strip() if first else ""
    if not line.startswith("ready "):
        proc.kill()
        rest = "" if reader.is_alive() else proc.stdout.read()
        raise InfraError(
            f"The embedded MongoDB-wire store did not start in {data_dir}: "
            f"{line or f'no answer within {timeout:.0f}s'}\n{rest[-2000:]}"
        )
    url = line.removeprefix("ready ").rstrip("/")

    # Keep draining output so the child never blocks on a full pipe.
    def drain() -> None:
        assert proc.stdout is not None
        proc.stdout.read()
        proc.stdout.close()

    threading.Thread(target=drain, daemon=True).start()

    def stop() -> None:
        if proc.poll() is not None:
            return
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(5)

    return url, stop
