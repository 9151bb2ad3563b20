"""A whole shop day on the real services, through the gateway: every subgraph behind its
own server on PostgreSQL, Kafka and FerretDB (`services_stack`).

Two stores trading in EUR with different rules (S01 Amsterdam: VAT on the total, cash
rounded to 0.05; S03 Rotterdam, opened here: VAT per line half-even, no cash rounding),
one register each, a cashier at each. Both ring up sales of the same products at the
same time (cash with change, cards, split tenders, a discount a supervisor approves),
a customer returns goods at each store, S01 sends stock to S03. At the close the test
checks, to the cent, against its own book of what happened: each Z report's expected
cash and card, each store's stock per product (inventory), and the reports (reporting:
storeSales, tenderMix, shiftOverShort).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from subgraphs.staff import STAFF
from subgraphs.stores import seed_demo_stores
from subgraphs.stores.application.demo import demo_register_id, demo_store_id
from tests.e2e.stacks import Stack, services_stack
from tests.staff_tokens import staff_token
from tests.subgraphs.sales.shop import (
    ADD_LINE,
    CLOSE_SHIFT,
    COMPLETE,
    DISCOUNT,
    MOVE_CASH,
    OPEN_SHIFT,
    RETURN_SALE,
    START,
    TENDER,
    ean13,
)

S01, S01_R1 = demo_store_id("S01"), demo_register_id("S01", "R1")
D = Decimal
ZERO = D("0.00")


def member(role: str, name: str) -> dict[str, str]:
    return {"role": role, "name": name, "id": str(uuid4())}


def authorization(who: dict[str, str]) -> str:
    """Signed when sent, not at import: the staff key ring may be new by then (another
    test of the same run can have made the process-wide identity anew)."""
    token = staff_token(STAFF.identity, [who["role"]], staff_id=who["id"], name=who["name"])
    return f"Bearer {token}"


ANNA, BORIS = member("CASHIER", "Anna Till"), member("CASHIER", "Boris Till")
SUE, MAX = member("SUPERVISOR", "Sue Visor"), member("MANAGER", "Max Manager")


def eur(amount: Decimal | str) -> dict[str, str]:
    return {"amount": str(amount), "currency": "EUR"}


def cid() -> str:
    return str(uuid4())


@dataclass
class Book:
    """What the test itself records of a register's day (the independent reckoning)."""

    float_: Decimal
    sales: int = 0
    gross: Decimal = ZERO
    cash_in: Decimal = ZERO  # tendered - change
    card: Decimal = ZERO
    rounding: Decimal = ZERO
    drops: Decimal = ZERO
    refunds: int = 0
    refunded: Decimal = ZERO
    cash_refunds: Decimal = ZERO
    card_refunds: Decimal = ZERO
    sold: dict[str, int] = field(default_factory=dict)

    @property
    def expected_cash(self) -> Decimal:
        return self.float_ + self.cash_in - self.drops - self.cash_refunds

    @property
    def expected_card(self) -> Decimal:
        return self.card - self.card_refunds


@dataclass
class Day:
    stack: Stack

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, who: dict[str, str] = MAX
    ) -> dict[str, Any]:
        response = await self.stack.gateway.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": authorization(who)},
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, who: dict[str, str] = MAX
    ) -> Any:
        body = await self.gql(query, variables, who)
        assert not body.get("errors"), (query[:60], body["errors"])
        return body["data"]

    async def eventually(self, attempt: Callable[[], Awaitable[Any]], what: str) -> Any:
        """Until `attempt` stops failing (the projections catch up over Kafka)."""
        for _ in range(200):
            try:
                return await attempt()
            except AssertionError:
                await asyncio.sleep(0.1)
        raise AssertionError(f"{what}: not seen within 20 s")


async def prepare(day: Day) -> tuple[str, str, list[dict[str, Any]]]:
    """S01 (demo) and S03 (opened here), three products, stock at both stores."""
    await seed_demo_stores(day.stack.store)
    opened = await day.data(
        """mutation($i: OpenStoreInput!) { openStore(input: $i) { id registers { id } } }""",
        {
            "i": {
                "code": f"S3{uuid4().hex[:4].upper()}",
                "name": "Lijnbaan",
                "address": {
                    "line1": "Lijnbaan 10",
                    "city": "Rotterdam",
                    "postalCode": "3012 EL",
                    "country": "NL",
                },
                "currency": "EUR",
                "taxRegion": "NL",
                "pricingMode": "TAX_INCLUSIVE",
                "rounding": {"level": "PER_LINE", "mode": "HALF_EVEN"},
            }
        },
    )
    s03 = opened["openStore"]["id"]
    added = await day.data(
        """mutation($s: ID!) { addRegister(input: {storeId: $s, code: "R1"}) { id } }""",
        {"s": s03},
    )
    s03_r1 = added["addRegister"]["id"]
    category = await day.data('mutation { createCategory(input: {name: "Shop day"}) { id } }')
    products = []
    for name, price, tax in (
        ("Espresso 250 g", "6.99", "REDUCED"),
        ("Mug", "12.50", "STANDARD"),
        ("Filter papers", "3.35", "STANDARD"),
    ):
        barcode = ean13("87" + f"{uuid4().int % 10**10:010d}")
        made = await day.data(
            """mutation($i: AddProductInput!) { addProduct(input: $i) { id barcode } }""",
            {
                "i": {
                    "sku": f"DAY-{uuid4().hex[:8].upper()}",
                    "name": name,
                    "categoryId": category["createCategory"]["id"],
                    "unitPrice": eur(price),
                    "barcode": barcode,
                    "taxClass": tax,
                }
            },
        )
        products.append(made["addProduct"])
    for store, quantity in ((S01, 20), (s03, 10)):
        for product in products:
            receipt = {"p": product["id"], "q": quantity, "l": store}

            async def receive(receipt: dict[str, Any] = receipt) -> Any:
                return await day.data(
                    """mutation($p: ID!, $q: Int!, $l: ID) { receiveStock(input: {productId: $p,
                         quantity: $q, receipt: "DN-DAY", locationId: $l}) { onHand } }""",
                    receipt,
                )

            await day.eventually(receive, "inventory knows the store and the product")
    return s03, s03_r1, products


async def open_till(day: Day, register: str, who: dict[str, str], amount: str) -> str:
    async def open_() -> Any:
        opening = {"c": cid(), "r": register, "float": {"total": eur(amount)}}
        return await day.data(OPEN_SHIFT, opening, who)

    shift = await day.eventually(open_, "sales knows the register")
    shift_id: str = shift["openShift"]["id"]
    return shift_id


async def ring_up(
    day: Day,
    register: str,
    who: dict[str, str],
    book: Book,
    basket: list[tuple[dict[str, Any], int]],
    pay: str,
    *,
    discount: str | None = None,
) -> dict[str, Any]:
    sale = (await day.data(START, {"c": cid(), "r": register}, who))["startSale"]
    for product, quantity in basket:
        scan = {"s": sale["id"], "b": product["barcode"], "q": quantity}

        async def add(scan: dict[str, Any] = scan) -> Any:
            return await day.data(ADD_LINE, {**scan, "c": cid()}, who)

        added = await day.eventually(add, "sales knows the product")
        sale = added["addSaleLine"]
        book.sold[product["id"]] = book.sold.get(product["id"], 0) + quantity
    if discount is not None:
        refused = await day.gql(
            DISCOUNT,
            {"c": cid(), "s": sale["id"], "k": "PERCENT", "pct": discount, "why": "damaged box"},
            who,
        )
        assert refused["errors"][0]["extensions"]["reason"] == "DISCOUNT_NEEDS_APPROVAL"
        approved = await day.data(
            DISCOUNT,
            {"c": cid(), "s": sale["id"], "k": "PERCENT", "pct": discount, "why": "damaged box"},
            SUE,  # the supervisor approves at the till with their own token
        )
        sale = approved["applyDiscount"]
        assert sale["discounts"][0]["approvedBy"] == {"id": SUE["id"]}
    total = D(sale["total"]["amount"])
    tenders: list[tuple[str, Decimal]] = []
    if pay == "CARD":
        tenders = [("CARD", total)]
    elif pay == "SPLIT":
        tenders = [("CARD", D("5.00")), ("CASH", (total - D("5.00")).to_integral_value() + 1)]
    else:
        tenders = [("CASH", D(50) if total <= 50 else D(100))]
    for kind, amount in tenders:
        await day.data(
            TENDER,
            {"c": cid(), "s": sale["id"], "k": kind, "a": eur(amount), "ref": "AUTH"},
            who,
        )
    command = {"c": cid(), "s": sale["id"]}
    done, again = await asyncio.gather(
        day.data(COMPLETE, command, who), day.data(COMPLETE, command, who)
    )  # the till's retry races its first attempt: one sale, one number
    assert done == again
    paid = done["completeSale"]["sale"]
    balance = paid["balance"]
    book.sales += 1
    book.gross += D(paid["total"]["amount"])
    book.rounding += D(balance["cashRounding"]["amount"])
    cash = sum((D(t["amount"]["amount"]) for t in paid["tenders"] if t["kind"] == "CASH"), ZERO)
    book.cash_in += cash - D(balance["change"]["amount"])
    book.card += sum(
        (D(t["amount"]["amount"]) for t in paid["tenders"] if t["kind"] == "CARD"), ZERO
    )
    return paid


PLAN: list[tuple[list[tuple[int, int]], str, str | None]] = [
    ([(0, 2), (1, 1)], "CASH", None),
    ([(2, 3)], "CARD", None),
    ([(0, 1), (2, 1)], "SPLIT", None),
    ([(1, 2)], "CASH", "30"),
    ([(0, 1)], "CASH", None),
    ([(2, 1), (1, 1), (0, 1)], "SPLIT", None),
]
"""Each sale: (product index, quantity) lines, how it is paid, a discount percent."""


async def give_back(
    day: Day,
    register: str,
    who: dict[str, str],
    book: Book,
    sale: dict[str, Any],
    line: str,
    quantity: int,
    disposition: str,
) -> dict[str, Any]:
    returned = (
        await day.data(
            RETURN_SALE,
            {
                "c": cid(),
                "r": register,
                "s": sale["id"],
                "lines": [{"lineId": line, "quantity": quantity, "disposition": disposition}],
                "why": "changed mind",
            },
            who,
        )
    )["returnSale"]
    book.refunds += 1
    book.refunded += sum((D(x["gross"]["amount"]) for x in returned["lines"]), ZERO)
    for refund in returned["refunds"]:
        amount = D(refund["amount"]["amount"])
        if refund["kind"] == "CASH":
            book.cash_refunds += amount
        else:
            book.card_refunds += amount
    return returned


def money_of(value: dict[str, str]) -> Decimal:
    return D(value["amount"])


async def test_a_whole_day_at_two_stores_reconciles_to_the_cent(h6_pg_url: str) -> None:
    async with services_stack(h6_pg_url) as stack:
        day = Day(stack)
        s03, s03_r1, products = await prepare(day)
        books = {S01_R1: Book(D("100.00")), s03_r1: Book(D("80.00"))}
        shifts = {
            S01_R1: await open_till(day, S01_R1, ANNA, "100.00"),
            s03_r1: await open_till(day, s03_r1, BORIS, "80.00"),
        }

        async def till(register: str, who: dict[str, str]) -> list[dict[str, Any]]:
            rung = []
            for basket, pay, discount in PLAN:
                lines = [(products[i], q) for i, q in basket]
                rung.append(
                    await ring_up(
                        day, register, who, books[register], lines, pay, discount=discount
                    )
                )
            return rung

        sold_01, sold_03 = await asyncio.gather(till(S01_R1, ANNA), till(s03_r1, BORIS))
        numbers = [s["receiptNumber"][-6:] for s in sold_01]
        assert numbers == [f"{n:06d}" for n in range(1, len(PLAN) + 1)]  # gap-free

        # returns: a unit back on the shelf at S01 (paid cash), two written off at S03 (card)
        back = await give_back(day, S01_R1, ANNA, books[S01_R1], sold_01[0], "L1", 1, "RESTOCK")
        assert back["refunds"][0]["kind"] == "CASH"
        off = await give_back(day, s03_r1, BORIS, books[s03_r1], sold_03[1], "L1", 2, "WRITE_OFF")
        assert off["refunds"][0]["kind"] == "CARD"
        too_many = await day.gql(
            RETURN_SALE,
            {
                "c": cid(),
                "r": s03_r1,
                "s": sold_03[1]["id"],
                "lines": [{"lineId": "L1", "quantity": 2}],
                "why": "again",
            },
            BORIS,
        )
        assert too_many["errors"][0]["extensions"]["reason"] == "RETURN_EXCEEDS_SOLD"

        # a safe drop at S01, and S01 sends three mugs to S03
        await day.data(
            MOVE_CASH,
            {"c": cid(), "s": shifts[S01_R1], "k": "DROP", "a": eur("50.00"), "why": "safe"},
            ANNA,
        )
        books[S01_R1].drops += D("50.00")
        mug = products[1]["id"]
        sent = await day.data(
            """mutation($f: ID!, $t: ID!, $l: [StockLineInput!]!) {
                 sendTransfer(from: $f, to: $t, lines: $l) { id } }""",
            {"f": S01, "t": s03, "l": [{"productId": mug, "quantity": 3}]},
            SUE,
        )
        await day.data(
            """mutation($id: ID!, $l: [StockLineInput!]!) {
                 receiveTransfer(transferId: $id, receivedLines: $l) { status } }""",
            {"id": sent["sendTransfer"]["id"], "l": [{"productId": mug, "quantity": 3}]},
            SUE,
        )

        # the close: S01 counts what it should hold, S03 is a euro short
        z_reports = {}
        for register, who, short in ((S01_R1, ANNA, ZERO), (s03_r1, BORIS, D("1.00"))):
            book = books[register]
            z = (
                await day.data(
                    CLOSE_SHIFT,
                    {
                        "c": cid(),
                        "s": shifts[register],
                        "cash": {"total": eur(book.expected_cash - short)},
                    },
                    who,
                )
            )["closeShift"]
            tenders = {t["kind"]: t for t in z["tenders"]}
            assert money_of(tenders["CASH"]["expected"]) == book.expected_cash
            assert money_of(tenders["CASH"]["overShort"]) == -short
            assert money_of(tenders["CARD"]["expected"]) == book.expected_card
            assert (z["sales"], z["refunds"]) == (book.sales, book.refunds)
            z_reports[register] = z

        # stock: received - sold + restocked -/+ transferred, per store and product
        restocked = {products[0]["id"]: 1}
        for store, register, received in ((S01, S01_R1, 20), (s03, s03_r1, 10)):
            for product in products:
                pid = product["id"]
                moved = 3 if pid == mug else 0
                expected = (
                    received
                    - books[register].sold.get(pid, 0)
                    + (restocked.get(pid, 0) if store == S01 else 0)
                    + (-moved if store == S01 else moved)
                )

                async def stock_is(p: str = pid, s: str = store, want: int = expected) -> None:
                    found = await day.data(
                        """query($p: ID!, $l: ID) { stockItem(productId: $p, locationId: $l) {
                             onHand } }""",
                        {"p": p, "l": s},
                    )
                    assert found["stockItem"]["onHand"] == want, (p, s, found, want)

                await day.eventually(stock_is, "inventory shows the day's stock")

        # reports: what the till books say, to the cent
        today = str(datetime.now(UTC).date())
        for store, register in ((S01, S01_R1), (s03, s03_r1)):
            book = books[register]

            async def reports_agree(s: str = store, b: Book = book) -> None:
                found = await day.data(
                    """query($s: ID!, $d: Date!) {
                      storeSales(storeId: $s, from: $d, to: $d, groupBy: STORE) {
                        saleCount returnCount gross { amount } refunds { amount } }
                      tenderMix(storeId: $s, from: $d, to: $d) {
                        tenders { tender net { amount } } takings { amount } }
                      shiftOverShort(storeId: $s, from: $d, to: $d) {
                        overShort { amount } tenders { tender expected { amount } } } }""",
                    {"s": s, "d": today},
                )
                [sales] = found["storeSales"]
                assert (sales["saleCount"], sales["returnCount"]) == (b.sales, b.refunds)
                assert money_of(sales["gross"]) == b.gross
                assert money_of(sales["refunds"]) == b.refunded
                [mix] = found["tenderMix"]
                nets = {t["tender"]: money_of(t["net"]) for t in mix["tenders"]}
                assert nets == {
                    "CASH": b.cash_in - b.cash_refunds,
                    "CARD": b.card - b.card_refunds,
                }
                assert money_of(mix["takings"]) == sum(nets.values(), ZERO)
                [shift] = found["shiftOverShort"]
                expected = {t["tender"]: money_of(t["expected"]) for t in shift["tenders"]}
                assert expected == {"CASH": b.expected_cash, "CARD": b.expected_card}

            await day.eventually(reports_agree, "reporting shows the day")
        assert money_of({"amount": z_reports[s03_r1]["tenders"][0]["overShort"]["amount"]}) == D(
            "-1.00"
        )
