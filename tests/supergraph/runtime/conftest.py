"""Fixtures: start a fixture graph's subgraphs on real sockets and a gateway over them."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))

from gateway_harness import RunningGraph, run_graph

from supergraph.runtime.native import AVAILABLE, use_native


@pytest.fixture
def start_graph() -> Callable[..., AbstractAsyncContextManager[RunningGraph]]:
    return run_graph


@pytest.fixture
async def shop() -> AsyncIterator[RunningGraph]:
    async with run_graph("shop", forward_headers=("authorization",)) as graph:
        yield graph


@pytest.fixture(params=["python", "native"])
def data_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on the Python data path and again on the compiled core (runtime/native/).
    Without cargo the core cannot be built and its half is skipped; with cargo, scripts/setup
    builds it, so a missing core fails."""
    native = request.param == "native"
    if native and AVAILABLE is None:
        if shutil.which("cargo") is not None:
            pytest.fail("cargo is installed but the compiled core is not: run scripts/setup")
        pytest.skip("no cargo: the compiled core is not built here")
    with use_native(native):
        yield request.param
