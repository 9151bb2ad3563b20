"""Fixtures: start a fixture graph's subgraphs on real sockets and a gateway over them."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))

from gateway_harness import RunningGraph, run_graph


@pytest.fixture
def start_graph() -> Callable[..., AbstractAsyncContextManager[RunningGraph]]:
    return run_graph


@pytest.fixture
async def shop() -> AsyncIterator[RunningGraph]:
    async with run_graph("shop", forward_headers=("authorization",)) as graph:
        yield graph
