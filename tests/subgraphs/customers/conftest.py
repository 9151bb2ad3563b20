from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from subgraphs.customers import context as customers
from tests.subgraphs.hosting.harness import h6_pg_url
from tests.subgraphs.saga.stack import Stack, open_stack

__all__ = ["h6_pg_url", "stack"]


@pytest.fixture(scope="module", params=["embedded", "services"])
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with open_stack(
        [customers], mode=request.param, tmp_path=tmp_path_factory.mktemp("customers")
    ) as running:
        yield running
