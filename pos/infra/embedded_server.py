"""Child-process entry point: a SecantusDB MongoDB-wire server on a free loopback port.

Run as `python -m pos.infra.embedded_server DATA_DIR`. It prints `ready <url>` once
listening and stops when its stdin closes, so it never outlives the parent that started
it (even one killed with SIGKILL). A separate process keeps the store's work off the
application's GIL and event loop.
"""

from __future__ import annotations

import signal
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
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
