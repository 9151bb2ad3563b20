"""Sales `history` and `asOf` for Sale and Shift through the subgraph (embedded), against
states computed by hand from the commands sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.subgraphs.sales.shop import AMS, CASHIER, Shop, eur, open_shop

SALE = """query($id: ID!, $at: DateTime) { sale(id: $id, asOf: $at) {
  asOf status total { amount } lines { quantity } receiptNumber
  history { totalCount edges { node { name changes { field } actor { staffMember { id } } } } }
} }"""
SHIFT = """query($id: ID!, $at: DateTime) { shift(id: $id, asOf: $at) {
  asOf status openSaleIds history { edges { node { name } } } } }"""


@pytest.fixture(scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    async with open_shop(tmp_path_factory.mktemp("sales-history")) as opened:
        yield opened


async def _instant() -> datetime:
    await asyncio.sleep(0.02)
    moment = datetime.now(UTC)
    await asyncio.sleep(0.02)
    return moment


async def test_sale_and_shift_as_of_and_history(shop: Shop) -> None:
    register = await shop.register(AMS)
    mug = await shop.product("8.00", name="Mug")
    shift = await shop.open_shift(register, "100.00", "EUR")
    t0 = await _instant()
    sale = await shop.start(register)
    await shop.scan(sale["id"], mug["barcode"], 2)
    t1 = await _instant()
    await shop.tender(sale["id"], "CARD", eur("16.00"), ref="AUTH-1")
    await shop.complete(sale["id"])
    t2 = await _instant()

    then = (await shop.data(SALE, {"id": sale["id"], "at": t1.isoformat()}))["sale"]
    assert (then["status"], then["total"], then["lines"]) == (
        "OPEN",
        {"amount": "16.00"},
        [{"quantity": 2}],
    )
    assert then["receiptNumber"] is None and datetime.fromisoformat(then["asOf"]) == t1
    assert [e["node"]["name"] for e in then["history"]["edges"]] == ["LineAdded", "SaleStarted"]
    now = (await shop.data(SALE, {"id": sale["id"], "at": t2.isoformat()}))["sale"]
    assert now["status"] == "COMPLETED" and now["receiptNumber"]
    events = [e["node"] for e in now["history"]["edges"]]
    assert [e["name"] for e in events][:2] == ["SaleCompleted", "TenderAdded"]
    assert events[0]["changes"] == []  # the payload says what a sale event changed
    assert events[0]["actor"] == {"staffMember": {"id": CASHIER["sub"]}}

    opened = (await shop.data(SHIFT, {"id": shift["id"], "at": t0.isoformat()}))["shift"]
    assert (opened["status"], opened["openSaleIds"]) == ("OPEN", [])
    busy = (await shop.data(SHIFT, {"id": shift["id"], "at": t1.isoformat()}))["shift"]
    assert busy["openSaleIds"] == [sale["id"]]
    assert [e["node"]["name"] for e in busy["history"]["edges"]] == [
        "SaleOpenedOnShift",
        "ShiftOpened",
    ]

    early = await shop.gql(SALE, {"id": sale["id"], "at": t0.isoformat()})
    assert early["data"]["sale"] is None
    assert early["errors"][0]["extensions"]["reason"] == "AS_OF_BEFORE_CREATION"
    future = await shop.gql(
        SHIFT, {"id": shift["id"], "at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    )
    assert future["errors"][0]["extensions"]["reason"] == "AS_OF_IN_FUTURE"
