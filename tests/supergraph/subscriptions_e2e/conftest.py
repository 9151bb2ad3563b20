"""One live shop per path (embedded and services), shared by this folder's tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# tests/supergraph is no package, so pytest puts only this folder on sys.path; the shop
# reuses the saga stack from tests.subgraphs, importable from the repository root.
ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from live_shop import LiveShop, open_live_shop, wait_for  # noqa: E402


@pytest.fixture(scope="module", params=["embedded", "services"])
async def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveShop]:
    async with open_live_shop(request.param, tmp_path_factory.mktemp("live")) as live:
        yield live


@pytest.fixture
async def idle_feeds(shop: LiveShop) -> None:
    """Each test starts with no subscriber left over from the last (clients gone, freed)."""
    await wait_for(lambda: all(g.feed.subscriber_count == 0 for g in shop.gateways))
