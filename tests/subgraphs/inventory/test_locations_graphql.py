"""Stock per store through inventory's GraphQL (embedded): receipts at a store, transfers,
counts, and the sales context's SaleCompleted / ReturnProcessed moving store stock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from eventbus.repository import EventSourcedRepository
from subgraphs.catalog import CATALOG
from subgraphs.inventory import INVENTORY
from subgraphs.sales.domain.money import Money
from subgraphs.sales.domain.refunds import Disposition, RefundMethod
from subgraphs.sales.domain.sale import Sale
from subgraphs.sales.domain.sale_return import Counter, ReturnItem, SaleReturn
from subgraphs.sales.domain.tax import TaxClass, TaxPolicy, TaxTable
from subgraphs.sales.domain.tenders import TenderKind
from subgraphs.stores.application.demo import demo_store_id, seed_demo_stores
from tests.subgraphs.catalog.queries import add_product, create_category
from tests.subgraphs.hosting.harness import Harness, running

AMS = demo_store_id("S01")
NYC = demo_store_id("S02")
LEVEL = "productId warehouse onHand reserved available needsCount"
RECEIVE = f"""mutation($id: ID!, $q: Int!, $r: String!, $loc: ID) {{
  receiveStock(input: {{productId: $id, quantity: $q, receipt: $r, locationId: $loc}}) {{
    {LEVEL} }} }}"""
STOCK_AT = f"""query($id: ID!, $loc: ID!) {{ _entities(representations: [
  {{__typename: "Product", id: $id}}]) {{ ... on Product {{ onHand stockAt(locationId: $loc) {{
    {LEVEL} }} stockLevels {{ warehouse onHand needsCount }} }} }} }}"""
SEND = """mutation($from: ID!, $to: ID!, $lines: [StockLineInput!]!, $tid: ID) {
  sendTransfer(from: $from, to: $to, lines: $lines, transferId: $tid) {
    id fromLocation toLocation status lines { productId sent received difference } } }"""
RECEIVE_TRANSFER = """mutation($tid: ID!, $lines: [StockLineInput!]!) {
  receiveTransfer(transferId: $tid, receivedLines: $lines) {
    status lines { productId sent received difference } } }"""
COUNT = """mutation($loc: ID!, $lines: [CountedLineInput!]!) {
  recordStockCount(locationId: $loc, lines: $lines) {
    locationId lines { productId expected counted variance } } }"""


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG, INVENTORY], backend="sqlite", tmp_path=tmp_path_factory.mktemp("locations")
    ) as harness:
        await seed_demo_stores(harness.store)  # pos.stores events: inventory learns S01, S02
        await harness.settle()
        yield harness


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def new_product(h: Harness) -> str:
    category = await create_category(h)
    product = await add_product(h, category["id"])
    await h.settle()
    pid: str = product["id"]
    return pid


async def stock(h: Harness, pid: str, location: str) -> dict[str, Any]:
    data = await h.data("inventory", STOCK_AT, {"id": pid, "loc": location})
    entity: dict[str, Any] = data["_entities"][0]
    return entity


async def test_receipts_land_at_the_chosen_store_and_main_stays_the_default(h: Harness) -> None:
    pid = await new_product(h)
    at_store = await h.data("inventory", RECEIVE, {"id": pid, "q": 7, "r": "DN-1", "loc": AMS})
    assert at_store["receiveStock"] == {
        "productId": pid,
        "warehouse": AMS,
        "onHand": 7,
        "reserved": 0,
        "available": 7,
        "needsCount": False,
    }
    at_main = await h.data("inventory", RECEIVE, {"id": pid, "q": 3, "r": "DN-1", "loc": None})
    assert at_main["receiveStock"]["warehouse"] == "MAIN"
    seen = await stock(h, pid, AMS)
    assert seen["onHand"] == 3  # Product.onHand is MAIN's, as before
    assert seen["stockAt"]["onHand"] == 7
    assert seen["stockLevels"] == [
        {"warehouse": "MAIN", "onHand": 3, "needsCount": False},
        {"warehouse": AMS, "onHand": 7, "needsCount": False},
    ]
    empty = await stock(h, pid, NYC)
    assert empty["stockAt"]["onHand"] == 0
    one = await h.data(
        "inventory",
        "query($id: ID!, $loc: ID) { stockItem(productId: $id, locationId: $loc) { onHand } }",
        {"id": pid, "loc": AMS},
    )
    assert one["stockItem"] == {"onHand": 7}


async def test_bad_locations_are_refused_and_write_nothing(h: Harness) -> None:
    pid = await new_product(h)
    unknown = await h.gql("inventory", RECEIVE, {"id": pid, "q": 1, "r": "X", "loc": str(uuid4())})
    assert codes(unknown) == ["NOT_FOUND"] and "not a store" in unknown["errors"][0]["message"]
    bad = await h.gql("inventory", RECEIVE, {"id": pid, "q": 1, "r": "X", "loc": "S01"})
    assert codes(bad) == ["BAD_USER_INPUT"] and "neither MAIN" in bad["errors"][0]["message"]
    assert (await stock(h, pid, "MAIN"))["stockLevels"] == [
        {"warehouse": "MAIN", "onHand": 0, "needsCount": False}
    ]


async def test_a_transfer_books_out_sends_and_records_what_arrived(h: Harness) -> None:
    pid, other = await new_product(h), await new_product(h)
    await h.data("inventory", RECEIVE, {"id": pid, "q": 10, "r": "DN-1", "loc": None})
    await h.data("inventory", RECEIVE, {"id": other, "q": 4, "r": "DN-1", "loc": None})
    lines = [{"productId": pid, "quantity": 6}, {"productId": other, "quantity": 4}]
    too_many = await h.gql(
        "inventory",
        SEND,
        {"from": "MAIN", "to": AMS, "lines": [{"productId": pid, "quantity": 11}]},
    )
    assert codes(too_many) == ["CONFLICT"] and "only 10" in too_many["errors"][0]["message"]
    same = await h.gql("inventory", SEND, {"from": AMS, "to": AMS, "lines": lines})
    assert codes(same) == ["BAD_USER_INPUT"]
    sent = (await h.data("inventory", SEND, {"from": "main", "to": AMS, "lines": lines}))[
        "sendTransfer"
    ]
    assert (sent["fromLocation"], sent["toLocation"], sent["status"]) == ("MAIN", AMS, "IN_TRANSIT")
    assert sent["lines"][0] == {"productId": pid, "sent": 6, "received": None, "difference": None}
    assert (await stock(h, pid, AMS))["onHand"] == 4  # left MAIN at once
    assert (await stock(h, pid, AMS))["stockAt"]["onHand"] == 0  # not arrived yet
    got = await h.data(
        "inventory",
        RECEIVE_TRANSFER,
        {"tid": sent["id"], "lines": [{"productId": pid, "quantity": 5}]},
    )
    assert got["receiveTransfer"] == {
        "status": "RECEIVED",
        "lines": [
            {"productId": pid, "sent": 6, "received": 5, "difference": -1},
            {"productId": other, "sent": 4, "received": 0, "difference": -4},
        ],
    }
    assert (await stock(h, pid, AMS))["stockAt"]["onHand"] == 5
    again = await h.gql("inventory", RECEIVE_TRANSFER, {"tid": sent["id"], "lines": []})
    assert codes(again) == ["CONFLICT"]
    missing = await h.gql("inventory", RECEIVE_TRANSFER, {"tid": str(uuid4()), "lines": []})
    assert codes(missing) == ["NOT_FOUND"]


async def test_a_count_books_its_variances(h: Harness) -> None:
    pid, other = await new_product(h), await new_product(h)
    await h.data("inventory", RECEIVE, {"id": pid, "q": 10, "r": "DN-1", "loc": NYC})
    counted = await h.data(
        "inventory",
        COUNT,
        {
            "loc": NYC,
            "lines": [{"productId": pid, "counted": 8}, {"productId": other, "counted": 2}],
        },
    )
    assert counted["recordStockCount"] == {
        "locationId": NYC,
        "lines": [
            {"productId": pid, "expected": 10, "counted": 8, "variance": -2},
            {"productId": other, "expected": 0, "counted": 2, "variance": 2},
        ],
    }
    assert (await stock(h, pid, NYC))["stockAt"]["onHand"] == 8
    assert (await stock(h, other, NYC))["stockAt"]["onHand"] == 2
    dup = await h.gql(
        "inventory",
        COUNT,
        {"loc": NYC, "lines": [{"productId": pid, "counted": 1}, {"productId": pid, "counted": 1}]},
    )
    assert codes(dup) == ["BAD_USER_INPUT"]
    negative = await h.gql(
        "inventory", COUNT, {"loc": NYC, "lines": [{"productId": pid, "counted": -1}]}
    )
    assert codes(negative) == ["BAD_USER_INPUT"]
    assert (await stock(h, pid, NYC))["stockAt"]["onHand"] == 8


def _completed_sale(store_id: str, product_id: str, quantity: int) -> Sale:
    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    sale = Sale.start(
        str(uuid4()),
        store_id=store_id,
        register_id="reg-1",
        shift_id="shift-1",
        currency="EUR",
        tax_table=TaxTable("NL", {TaxClass.STANDARD: Decimal("21")}),
        policy=TaxPolicy(),
        by="staff-1",
        now=now,
        command_id=str(uuid4()),
    )
    sale.add_line(
        product_id=product_id,
        sku="SKU",
        name="Tea",
        unit_price=Money(Decimal("2.00"), "EUR"),
        tax_class=TaxClass.STANDARD,
        quantity=quantity,
        by="staff-1",
        now=now,
        command_id=str(uuid4()),
    )
    left = sale.settlement().remaining
    sale.add_tender(TenderKind.CASH, Money(left, "EUR"), by="staff-1", now=now, command_id="t")
    sale.complete("S01-R1-000001", by="staff-1", now=now, command_id=str(uuid4()))
    return sale


async def test_store_sales_take_stock_out_below_zero_and_restocked_returns_put_it_back(
    h: Harness,
) -> None:
    pid = await new_product(h)
    await h.data("inventory", RECEIVE, {"id": pid, "q": 2, "r": "DN-1", "loc": AMS})
    sale = _completed_sale(AMS, pid, 3)
    sales = EventSourcedRepository(h.store, Sale)
    await sales.save(sale)
    await h.settle()
    level = (await stock(h, pid, AMS))["stockAt"]
    assert (level["onHand"], level["available"], level["needsCount"]) == (-1, -1, True)
    # a redelivered SaleCompleted changes nothing
    reactor = h.projection("inventory", "inventory.store-sales")
    for envelope in await h.store.read_stream(sale.id):
        if envelope.type.startswith("pos.sales.SaleCompleted"):
            assert await reactor.has_applied(envelope)
            await reactor.apply(envelope)
    await h.settle()
    assert (await stock(h, pid, AMS))["stockAt"]["onHand"] == -1
    line_id = next(iter(sale.lines))
    back = SaleReturn.against_receipt(
        str(uuid4()),
        sale,
        [ReturnItem(line_id, 2, Disposition.RESTOCK)],
        at=Counter(AMS, "reg-1", "shift-1"),
        refund_method=RefundMethod.CASH,
        return_window_days=30,
        reason="changed mind",
        by="staff-1",
        now=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        command_id=str(uuid4()),
    )
    await EventSourcedRepository(h.store, SaleReturn).save(back)
    await sales.save(sale)
    await h.settle()
    level = (await stock(h, pid, AMS))["stockAt"]
    assert (level["onHand"], level["needsCount"]) == (1, False)
    assert (await stock(h, pid, AMS))["onHand"] == 0  # MAIN untouched
