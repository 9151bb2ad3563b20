"""Child-process entry point: a SecantusDB MongoDB-wire server on a free loopback port.

Run as `python -m pos.infra.embedded_server DATA_DIR`. It prints `ready <url>` once
listening and stops when its stdin closes, so it never outlives the parent that started
it (even one killed with SIGKILL). A separate process keeps the store's work off the
application's GIL and event loop.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from pathlib import Path


def main(argv: list[str]) -> int:
    """Serve until stdin reaches EOF or SIGTERM arrives."""
    try:
        from secantus import SecantusDBServer
    except ImportError:
        print(
            "error SecantusDB is not installed: pip install -e '.[embedded]' "
            "(GPL-2.0, an optional extra; see README)",
            flush=True,
        )
        return 2
    data_dir = Path(argv[0])
    data_dir.mkdir(parents=True, exist_ok=True)
    server = SecantusDBServer(
        host="127.0.0.1", port=0, storage_path=str(data_dir), cache_size="256M"
    )
    server.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def wait_for_eof() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    print(f"ready {server.uri}", flush=True)
    try:
        done.wait()
    finally:
        _wake_accept(server)
        server.stop()
    return 0


def _wake_accept(server: object) -> None:
    """End the accept thread's blocking accept() now: closing the listening socket does
    not wake it on Linux, so `stop()` waited out its 2 s join timeout on every exit
    (most of an idle `pos run`'s Ctrl-C). Shutting the socket down does."""
    listening = getattr(server, "_socket", None)
    if isinstance(listening, socket.socket):
        with contextlib.suppress(OSError):
            listening.shutdown(socket.SHUT_RDWR)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
