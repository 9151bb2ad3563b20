"""A real `pos run` (a child process, as a newcomer starts it) for the security suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.pos_process import PosRun, free_port, sign_in


@dataclass
class RunningPos:
    process: PosRun
    url: str
    """The GraphQL endpoint, http://127.0.0.1:<port>/graphql."""
    manager: str
    """A demo manager's access token (signed in with the printed password)."""

    @property
    def origin(self) -> str:
        return self.url.removesuffix("/graphql")


@pytest.fixture(scope="module")
async def pos_run(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    process = PosRun(tmp_path_factory.mktemp("pos") / "embedded", free_port())
    try:
        url = await process.start()
        async with httpx.AsyncClient(timeout=30) as client:
            token = await sign_in(client, url, process.lines)
        yield RunningPos(process, url, token)
    finally:
        await process.kill()
