"""`pos run` as a child process, as a user starts it, for tests that need the real thing.

The process's output is read the whole time it runs (kept in `lines`), so a chatty server
never blocks on a full pipe. `sign_in` signs a demo member in with the password `pos run`
printed, as a newcomer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
READY = "POS is running: GraphiQL at "
SIGN_IN = """mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PosRun:
    """One `pos run` child process and what it printed."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 120.0) -> str:
        """Start and wait for the printed URL; returns it."""
        env = {**os.environ, "POS_PORT": str(self.port)}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "pos.cli", "run", "--data-dir", str(self.data_dir),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read(ready))
        async with asyncio.timeout(timeout):
            return await ready

    async def _read(self, ready: asyncio.Future[str]) -> None:
        assert self.process is not None and self.process.stdout is not None
        while raw := await self.process.stdout.readline():
            line = raw.decode(errors="replace")
            self.lines.append(line)
            if line.startswith(READY) and not ready.done():
                ready.set_result(line.removeprefix(READY).strip())
        if not ready.done():
            ready.set_exception(
                AssertionError(f"pos run exited before it was ready:\n{''.join(self.lines)}")
            )

    def rss_bytes(self) -> int:
        """The server process's resident memory now (Linux /proc)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]
        return kib * 1024

    async def interrupt(self, timeout: float = 20.0) -> int:
        """Ctrl-C as a terminal sends it (to the whole process group, so the embedded read
        store's process gets it too); the exit code once `pos run` has stopped."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        async with asyncio.timeout(timeout):
            if self._reader is not None:
                await self._reader
            return await self.process.wait()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


def printed_password(lines: list[str], username: str = "manager") -> str:
    """A demo member's password as `pos run` printed it (DEV DEFAULTS)."""
    for line in lines:
        match = re.match(rf"\s+{re.escape(username)}\s+password\s+(\S+)\s+PIN", line)
        if match:
            return match.group(1)
    raise AssertionError(f"no demo {username} printed:\n" + "".join(lines))


async def sign_in(
    client: httpx.AsyncClient, url: str, lines: list[str], username: str = "manager"
) -> str:
    """A demo member's access token, signed in with the password `pos run` printed."""
    credentials = {"username": username, "password": printed_password(lines, username)}
    response = await client.post(url, json={"query": SIGN_IN, "variables": {"input": credentials}})
    assert response.status_code == 200, response.text
    token: str = response.json()["data"]["signIn"]["accessToken"]
    return token
