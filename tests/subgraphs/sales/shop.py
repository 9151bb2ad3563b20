"""A shop for the sales GraphQL tests: catalog, stores and sales running as a host runs
them (`tests.subgraphs.hosting.harness`), the demo stores (S01 Amsterdam, tax-inclusive,
cash rounded to 0.05; S02 New York, tax-exclusive), products with barcodes, and callers
of each role signing the sales subgraph's requests like the gateway does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from subgraphs.catalog import CATALOG
from subgraphs.customers import context as CUSTOMERS
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.context import ContextModule
from subgraphs.sales.context import SalesContext
from subgraphs.staff.domain.roles import Role, scopes_for
from subgraphs.stores import STORES, seed_demo_stores
from subgraphs.stores.application.demo import demo_register_id, demo_store_id
from tests.gateway_identity import identity_client
from tests.subgraphs.hosting.harness import Backend, Harness, running

AMS, NYC = demo_store_id("S01"), demo_store_id("S02")
AMS_R1, AMS_R2 = demo_register_id("S01", "R1"), demo_register_id("S01", "R2")
NYC_R1 = demo_register_id("S02", "R1")


def member(role: Role, name: str) -> dict[str, Any]:
    return {
        "sub": f"staff-{name.lower()}",
        "name": name,
        "roles": [role.value],
        "scope": " ".join(scopes_for([role])),
        "sid": f"session-{name.lower()}",
    }


CASHIER = member(Role.CASHIER, "Cas")
SUPERVISOR = member(Role.SUPERVISOR, "Sue")
MANAGER = member(Role.MANAGER, "Max")

MONEY = "{ amount currency }"
SALE = f"""id status currency receiptNumber cashierName customer {{ id }}
  lines {{ id sku name quantity taxClass ratePercent unitPrice {MONEY} lineDiscount {MONEY}
    saleDiscount {MONEY} net {MONEY} tax {MONEY} gross {MONEY} returnedQuantity }}
  discounts {{ id lineId kind percent taken {MONEY} reason approvedBy {{ id }} promotionCode }}
  taxSummary {{ taxClass ratePercent net {MONEY} tax {MONEY} gross {MONEY} }}
  subtotal {MONEY} discountTotal {MONEY} taxTotal {MONEY} total {MONEY}
  tenders {{ id kind amount {MONEY} reference }}
  balance {{ total {MONEY} tendered {MONEY} cashRounding {MONEY} due {MONEY}
    remaining {MONEY} change {MONEY} settled }}"""
REPORT = f"""kind shiftId takenAt openingFloat {MONEY} cashTendered {MONEY}
  changeGiven {MONEY} cardSales {MONEY} payIns {MONEY} payOuts {MONEY} drops {MONEY}
  cashRefunds {MONEY} cardRefunds {MONEY} sales refunds voids
  tenders {{ kind expected {MONEY} counted {MONEY} overShort {MONEY} }} countedCash {MONEY}"""
SHIFT = f"""id status currency openingFloat {MONEY} expectedCash {MONEY} expectedCard {MONEY}
  openSaleIds register {{ id }} store {{ id }}"""
RETURN = f"""id saleId receiptNumber shiftId reason approvedBy {{ id }} refunded {MONEY}
  cashRounding {MONEY} lines {{ lineId sku quantity gross {MONEY} disposition }}
  refunds {{ kind amount {MONEY} reference }}"""

OPEN_SHIFT = f"""mutation($c: ID!, $r: ID!, $float: CashCountInput!) {{
  openShift(commandId: $c, registerId: $r, openingFloat: $float) {{ {SHIFT} }} }}"""
MOVE_CASH = f"""mutation($c: ID!, $s: ID!, $k: CashMovementKind!, $a: MoneyInput!, $why: String!) {{
  recordCashMovement(commandId: $c, shiftId: $s, kind: $k, amount: $a, reason: $why) {{
    {SHIFT} }} }}"""
X_REPORT = f"""mutation($c: ID!, $s: ID!) {{ takeXReport(commandId: $c, shiftId: $s) {{
  {REPORT} }} }}"""
CLOSE_SHIFT = f"""mutation($c: ID!, $s: ID!, $cash: CashCountInput!, $card: MoneyInput) {{
  closeShift(commandId: $c, shiftId: $s, countedCash: $cash, countedCard: $card) {{
    {REPORT} }} }}"""
START = (
    f"""mutation($c: ID!, $r: ID!) {{ startSale(commandId: $c, registerId: $r) {{ {SALE} }} }}"""
)
ADD_LINE = f"""mutation($c: ID!, $s: ID!, $p: ID, $sku: String, $b: String, $q: Int! = 1) {{
  addSaleLine(commandId: $c, saleId: $s, productId: $p, sku: $sku, barcode: $b, quantity: $q) {{
    {SALE} }} }}"""
CHANGE_QTY = f"""mutation($c: ID!, $s: ID!, $l: ID!, $q: Int!) {{
  changeLineQuantity(commandId: $c, saleId: $s, lineId: $l, quantity: $q) {{ {SALE} }} }}"""
REMOVE_LINE = f"""mutation($c: ID!, $s: ID!, $l: ID!) {{
  removeSaleLine(commandId: $c, saleId: $s, lineId: $l) {{ {SALE} }} }}"""
DISCOUNT = f"""mutation($c: ID!, $s: ID!, $k: DiscountType!, $why: String!, $l: ID,
  $pct: String, $a: MoneyInput) {{
  applyDiscount(commandId: $c, saleId: $s, kind: $k, reason: $why, lineId: $l, percent: $pct,
    amount: $a) {{ {SALE} }} }}"""
PARK = f"""mutation($c: ID!, $s: ID!) {{ parkSale(commandId: $c, saleId: $s) {{ {SALE} }} }}"""
RESUME = f"""mutation($c: ID!, $s: ID!) {{ resumeSale(commandId: $c, saleId: $s) {{ {SALE} }} }}"""
VOID = f"""mutation($c: ID!, $s: ID!, $why: String!) {{
  voidSale(commandId: $c, saleId: $s, reason: $why) {{ {SALE} }} }}"""
ATTACH = f"""mutation($c: ID!, $s: ID!, $cu: ID!) {{
  attachCustomer(commandId: $c, saleId: $s, customerId: $cu) {{ {SALE} }} }}"""
TENDER = f"""mutation($c: ID!, $s: ID!, $k: TenderKind!, $a: MoneyInput!, $ref: String) {{
  addTender(commandId: $c, saleId: $s, kind: $k, amount: $a, reference: $ref) {{ {SALE} }} }}"""
COMPLETE = f"""mutation($c: ID!, $s: ID!) {{ completeSale(commandId: $c, saleId: $s) {{
  sale {{ {SALE} }} receipt {{ number saleId copy text html }} }} }}"""
RETURN_SALE = f"""mutation($c: ID!, $r: ID!, $lines: [ReturnLineInput!]!, $why: String!,
  $s: ID, $n: String, $m: RefundMethod! = ORIGINAL) {{
  returnSale(commandId: $c, registerId: $r, lines: $lines, reason: $why, saleId: $s,
    receiptNumber: $n, refundMethod: $m) {{ {RETURN} }} }}"""
RETURN_NO_RECEIPT = f"""mutation($c: ID!, $r: ID!, $items: [UnreceiptedItemInput!]!,
  $why: String!) {{ returnWithoutReceipt(commandId: $c, registerId: $r, items: $items,
  reason: $why) {{ {RETURN} }} }}"""
CREATE_PROMOTION = """mutation($c: ID!, $code: String!, $k: DiscountType!, $from: DateTime!,
  $until: DateTime!, $pct: String, $a: MoneyInput, $limit: Int) {
  createPromotion(commandId: $c, code: $code, kind: $k, validFrom: $from, validUntil: $until,
    percent: $pct, amount: $a, usageLimit: $limit) { id code kind percent usageLimit uses
    usesLeft } }"""
REDEEM = f"""mutation($c: ID!, $s: ID!, $code: String!) {{
  redeemPromotion(commandId: $c, saleId: $s, code: $code) {{ {SALE} }} }}"""

CREATE_CATEGORY = "mutation($n: String!) { createCategory(input: {name: $n}) { id } }"
REGISTER_CUSTOMER = """mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { id } }"""
ADD_REGISTER = """mutation($s: ID!, $code: String!) {
  addRegister(input: {storeId: $s, code: $code}) { id } }"""
ADD_PRODUCT = """mutation($input: AddProductInput!) { addProduct(input: $input) {
  id sku barcode taxClass } }"""


def cid() -> str:
    """A fresh command id, as a till generates one per command."""
    return str(uuid4())


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def reasons(body: dict[str, Any]) -> list[str]:
    return [e["extensions"].get("reason", "") for e in body.get("errors") or []]


def ean13(payload12: str) -> str:
    """An EAN-13 with its check digit (GS1: weights 3, 1, 3... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload12)))
    return payload12 + str((10 - total % 10) % 10)


def fresh_barcode() -> str:
    return ean13("2" + f"{uuid4().int % 10**11:011d}")


class ShopClock:
    """The sales context's clock: real time, moved on by `advance` (a return window)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, days: int) -> None:
        self.offset += timedelta(days=days)


@dataclass
class Shop:
    """Calls into a running host's subgraph apps, signed as the gateway signs them for
    the member in `claims` (default: a cashier)."""

    h: Harness
    contexts: Mapping[str, ContextModule]
    clock: ShopClock = field(default_factory=ShopClock)

    def _app(self, context: str) -> Any:
        view = self.h.views[context]
        return create_subgraph_app(
            context, self.contexts[context].graphql_app(view), view, manage_services=False
        )

    async def gql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        claims: Mapping[str, Any] | None = CASHIER,
        context: str = "sales",
    ) -> dict[str, Any]:
        apps: dict[str, Any] = self.__dict__.setdefault("_apps", {})
        if context not in apps:
            apps[context] = self._app(context)
        async with identity_client(apps[context], claims=claims) as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": dict(variables or {})}
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        claims: Mapping[str, Any] | None = CASHIER,
        context: str = "sales",
    ) -> Any:
        body = await self.gql(query, variables, claims=claims, context=context)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def events(self) -> int:
        """How many events the store holds (a refused command must not add one)."""
        count, position = 0, 0
        store = self.h.services.store
        while page := await store.read_all(position, 1000):
            count += len(page)
            position = page[-1].position or position
        return count

    async def product(
        self,
        price: str,
        currency: str = "EUR",
        *,
        tax_class: str = "STANDARD",
        name: str = "Espresso beans 1kg",
        barcode: str | None = None,
    ) -> dict[str, Any]:
        """A product with a fresh EAN-13, as the catalog publishes it (then settled)."""
        category = await self.data(
            CREATE_CATEGORY, {"n": f"Cat {uuid4().hex[:8]}"}, claims=MANAGER, context="catalog"
        )
        added = await self.data(
            ADD_PRODUCT,
            {
                "input": {
                    "sku": f"SKU-{uuid4().hex[:10].upper()}",
                    "name": name,
                    "categoryId": category["createCategory"]["id"],
                    "unitPrice": {"amount": price, "currency": currency},
                    "barcode": barcode or fresh_barcode(),
                    "taxClass": tax_class,
                }
            },
            claims=MANAGER,
            context="catalog",
        )
        await self.h.settle()
        product: dict[str, Any] = added["addProduct"]
        return product

    async def customer(self) -> str:
        """A registered customer, as the customers context publishes them (settled)."""
        made = await self.data(
            REGISTER_CUSTOMER,
            {
                "input": {
                    "name": "Ria Regular",
                    "email": f"ria.{uuid4().hex[:8]}@example.org",
                    "phone": "+31 20 555 0101",
                    "address": {
                        "line1": "Prinsengracht 2",
                        "city": "Amsterdam",
                        "postalCode": "1015 DV",
                        "country": "NL",
                    },
                }
            },
            claims=MANAGER,
            context="customers",
        )
        await self.h.settle()
        customer_id: str = made["registerCustomer"]["id"]
        return customer_id

    async def register(self, store_id: str) -> str:
        """A new register of `store_id` (each test opens its own shift on its own)."""
        added = await self.data(
            ADD_REGISTER,
            {"s": store_id, "code": f"T{uuid4().hex[:6].upper()}"},
            claims=MANAGER,
            context="stores",
        )
        await self.h.settle()
        register_id: str = added["addRegister"]["id"]
        return register_id

    async def open_shift(self, register: str, float_amount: str, currency: str) -> dict[str, Any]:
        opened = await self.data(
            OPEN_SHIFT,
            {
                "c": cid(),
                "r": register,
                "float": {"total": {"amount": float_amount, "currency": currency}},
            },
        )
        shift: dict[str, Any] = opened["openShift"]
        return shift

    async def start(self, register: str) -> dict[str, Any]:
        sale: dict[str, Any] = (await self.data(START, {"c": cid(), "r": register}))["startSale"]
        return sale

    async def scan(self, sale_id: str, barcode: str, quantity: int = 1) -> dict[str, Any]:
        sale: dict[str, Any] = (
            await self.data(ADD_LINE, {"c": cid(), "s": sale_id, "b": barcode, "q": quantity})
        )["addSaleLine"]
        return sale

    async def tender(
        self, sale_id: str, kind: str, amount: dict[str, str], ref: str | None = None
    ) -> dict[str, Any]:
        sale: dict[str, Any] = (
            await self.data(TENDER, {"c": cid(), "s": sale_id, "k": kind, "a": amount, "ref": ref})
        )["addTender"]
        return sale

    async def complete(self, sale_id: str) -> dict[str, Any]:
        done: dict[str, Any] = (await self.data(COMPLETE, {"c": cid(), "s": sale_id}))[
            "completeSale"
        ]
        return done


@asynccontextmanager
async def open_shop(
    tmp_path: Path,
    *,
    backend: Backend = "sqlite",
    pg_url: str | None = None,
    more: Sequence[ContextModule] = (),
) -> AsyncIterator[Shop]:
    """Catalog, stores and sales (with `ShopClock`) running, and `more` contexts (e.g.
    inventory, reporting), the demo stores seeded."""
    clock = ShopClock()
    contexts: dict[str, ContextModule] = {
        "catalog": CATALOG,
        "stores": STORES,
        "customers": CUSTOMERS,
        "sales": SalesContext(clock=clock),
        **{context.name: context for context in more},
    }
    async with running(
        list(contexts.values()), backend=backend, tmp_path=tmp_path, pg_url=pg_url
    ) as h:
        await seed_demo_stores(h.store)
        await h.settle()
        yield Shop(h, contexts, clock)
