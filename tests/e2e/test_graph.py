"""The POS graph through the gateway, embedded (one process, as `pos run`) and on the real
services (each subgraph its own HTTP server on PostgreSQL, Kafka and FerretDB)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.scenario import assert_bad_order_is_refused, assert_order_confirmed_and_joined
from tests.e2e.stacks import Stack, embedded_stack, services_stack


@pytest.fixture(scope="module", params=["embedded", "services"])
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, h6_pg_url: str
) -> AsyncIterator[Stack]:
    if request.param == "embedded":
        async with embedded_stack(tmp_path_factory.mktemp("embedded")) as running:
            yield running
    else:
        async with services_stack(h6_pg_url) as running:
            yield running


async def test_an_order_is_confirmed_and_one_query_joins_every_subgraph(stack: Stack) -> None:
    await assert_order_confirmed_and_joined(stack.gateway)


async def test_a_bad_order_keeps_its_error_code_and_writes_nothing(stack: Stack) -> None:
    await assert_bad_order_is_refused(stack.gateway, stack.count_events)
