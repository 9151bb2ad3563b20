"""The stores subgraph through its app, called with the gateway identity: stores,
registers and tax regions for signed-in members, changes under stores:manage, bad input
refused with BAD_USER_INPUT and nothing written, entities, and the committed SDL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from eventbus.projection import rebuild
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.stores import STORES, StoresContext, seed_demo_stores
from subgraphs.stores.application import demo_store_id
from tests.gateway_identity import identity_client
from tests.subgraphs.hosting.harness import Harness, running

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema" / "stores.graphql"

MANAGER: dict[str, Any] = {
    "sub": "staff-manager",
    "name": "Max Manager",
    "roles": ["MANAGER"],
    "scope": "sales:write orders:read stock:read catalog:write stores:manage",
    "sid": "session-m",
}
CASHIER: dict[str, Any] = {
    "sub": "staff-cashier",
    "name": "Cas Cashier",
    "roles": ["CASHIER"],
    "scope": "sales:write orders:read stock:read",
    "sid": "session-c",
}

STORE = """id code name currency pricingMode rounding { level mode }
  cashRoundingIncrement { amount currency } returnWindowDays discountApprovalThresholdPercent
  active openedAt closedAt openedBy { id } address { line1 line2 city postalCode region country }
  taxRegion { code } taxRates { taxClass ratePercent } registers { id code name active }"""
DEFINE = """mutation($code: String!, $rates: [TaxRateInput!]!) {
  defineTaxRegion(input: {code: $code, name: "Region", rates: $rates}) {
    id code name rates { taxClass ratePercent } } }"""
OPEN = f"""mutation($input: OpenStoreInput!) {{ openStore(input: $input) {{ {STORE} }} }}"""
ADD = """mutation($store: ID!, $code: String!) {
  addRegister(input: {storeId: $store, code: $code}) { id code name active store { code } } }"""
SET_RATE = """mutation($r: String!, $c: String!, $p: String!) {
  setTaxRate(region: $r, taxClass: $c, ratePercent: $p) { code rates { taxClass ratePercent } } }"""


@dataclass
class Stores:
    h: Harness
    context: StoresContext
    app: Any

    def client(self, claims: Mapping[str, Any] | None) -> httpx.AsyncClient:
        return identity_client(self.app, claims=claims)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        claims: Mapping[str, Any] | None = MANAGER,
    ) -> dict[str, Any]:
        async with self.client(claims) as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables or {}}
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = await self.gql(query, variables, **kw)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def events(self) -> int:
        count, position = 0, 0
        while page := await self.h.store.read_all(position, 1000):
            count += len(page)
            position = page[-1].position or position
        return count


@pytest.fixture(scope="module")
async def stores(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stores]:
    root = tmp_path_factory.mktemp("stores")
    context = StoresContext()
    async with running([context], backend="sqlite", tmp_path=root) as h:
        view = h.views["stores"]
        app = create_subgraph_app("stores", context.graphql_app(view), view, manage_services=False)
        yield Stores(h, context, app)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid4().hex[:6]}".upper()


async def define(stores: Stores, **rates: str) -> str:
    code = unique("T-")
    given = rates or {"STANDARD": "21", "REDUCED": "9", "ZERO": "0"}
    await stores.data(
        DEFINE,
        {"code": code, "rates": [{"taxClass": k, "ratePercent": v} for k, v in given.items()]},
    )
    return code


def store_input(region: str, **changes: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "code": unique("S"),
        "name": "Main Street",
        "address": {
            "line1": "Hoofdstraat 1",
            "city": "Amsterdam",
            "postalCode": "1011 AA",
            "country": "NL",
        },
        "currency": "EUR",
        "taxRegion": region,
        "pricingMode": "TAX_INCLUSIVE",
        "cashRoundingIncrement": "0.05",
    }
    given.update(changes)
    return given


async def open_store(stores: Stores, **changes: Any) -> dict[str, Any]:
    region = changes.pop("taxRegion", None) or await define(stores)
    opened: dict[str, Any] = (await stores.data(OPEN, {"input": store_input(region, **changes)}))[
        "openStore"
    ]
    return opened


async def test_a_manager_opens_a_store_with_registers_and_its_tax_table(stores: Stores) -> None:
    region = await define(stores)
    opened = await open_store(stores, taxRegion=region.lower(), code=" s-demo1 ")
    assert opened["code"] == "S-DEMO1" and opened["currency"] == "EUR" and opened["active"]
    assert opened["pricingMode"] == "TAX_INCLUSIVE"
    assert opened["rounding"] == {"level": "PER_LINE", "mode": "HALF_UP"}
    assert opened["cashRoundingIncrement"] == {"amount": "0.05", "currency": "EUR"}
    assert opened["returnWindowDays"] == 30 and opened["discountApprovalThresholdPercent"] == "20"
    assert opened["openedBy"] == {"id": MANAGER["sub"]}
    assert opened["address"]["line2"] is None and opened["address"]["country"] == "NL"
    assert opened["taxRegion"] == {"code": region}
    assert opened["taxRates"] == [
        {"taxClass": "REDUCED", "ratePercent": "9"},
        {"taxClass": "STANDARD", "ratePercent": "21"},
        {"taxClass": "ZERO", "ratePercent": "0"},
    ]
    r2 = (await stores.data(ADD, {"store": opened["id"], "code": "r2"}))["addRegister"]
    r1 = (await stores.data(ADD, {"store": opened["id"], "code": "R1"}))["addRegister"]
    assert r1 == {
        "id": r1["id"],
        "code": "R1",
        "name": "R1",
        "active": True,
        "store": {"code": "S-DEMO1"},
    }
    seen = await stores.data(
        "query($id: ID!) { store(id: $id) { registers { code } } }",
        {"id": opened["id"]},
        claims=CASHIER,
    )
    assert seen["store"]["registers"] == [{"code": "R1"}, {"code": "R2"}]
    register = await stores.data(
        "query($id: ID!) { register(id: $id) { code store { id } } }",
        {"id": r2["id"]},
        claims=CASHIER,
    )
    assert register["register"] == {"code": "R2", "store": {"id": opened["id"]}}


async def test_the_events_record_who_did_it(stores: Stores) -> None:
    opened = await open_store(stores)
    envelopes = await stores.h.store.read_stream(opened["id"])
    assert envelopes[0].type == "pos.stores.StoreOpened.v1"
    assert envelopes[0].actor is not None
    assert envelopes[0].actor["staffId"] == MANAGER["sub"]
    assert envelopes[0].actor["roles"] == ["MANAGER"]


async def test_signed_in_members_read_stores_and_tax_regions(stores: Stores) -> None:
    region = await define(stores)
    opened = await open_store(stores, taxRegion=region, name="Searchable Corner")
    page = await stores.data(
        """query($s: String!) { stores(search: $s, first: 5) {
             totalCount nodes { id code name } pageInfo { hasNextPage } } }""",
        {"s": "searchable corner"},
        claims=CASHIER,
    )
    assert page["stores"]["nodes"] == [
        {"id": opened["id"], "code": opened["code"], "name": "Searchable Corner"}
    ]
    regions = await stores.data("{ taxRegions { code rates { taxClass } } }", claims=CASHIER)
    assert region in [r["code"] for r in regions["taxRegions"]]


async def test_anonymous_callers_are_refused_everything(stores: Stores) -> None:
    for query in ("{ stores { totalCount } }", "{ taxRegions { code } }"):
        body = await stores.gql(query, claims=None)
        assert codes(body) == ["UNAUTHENTICATED"] and body.get("data") is None
    region = await define(stores)
    before = await stores.events()
    body = await stores.gql(OPEN, {"input": store_input(region)}, claims=None)
    assert codes(body) == ["UNAUTHENTICATED"]
    assert await stores.events() == before


async def test_changes_need_stores_manage(stores: Stores) -> None:
    region = await define(stores)
    opened = await open_store(stores, taxRegion=region)
    before = await stores.events()
    refused = [
        (OPEN, {"input": store_input(region)}),
        (ADD, {"store": opened["id"], "code": "R1"}),
        ("mutation($id: ID!) { closeStore(id: $id) { id } }", {"id": opened["id"]}),
        (
            'mutation($id: ID!) { updateStore(input: {id: $id, name: "x"}) { id } }',
            {"id": opened["id"]},
        ),
        (SET_RATE, {"r": region, "c": "STANDARD", "p": "1"}),
        (DEFINE, {"code": unique("T-"), "rates": []}),
    ]
    for query, variables in refused:
        body = await stores.gql(query, variables, claims=CASHIER)
        assert codes(body) == ["FORBIDDEN"], body
        assert "stores:manage" in body["errors"][0]["message"]
    assert await stores.events() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"taxRegion": "NOWHERE"}, "taxRegion"),
        ({"cashRoundingIncrement": "0.001"}, "cashRoundingIncrement"),
        ({"returnWindowDays": -5}, "returnWindowDays"),
        ({"discountApprovalThresholdPercent": "120"}, "discountApprovalThresholdPercent"),
        ({"code": "S 01"}, "code"),
    ],
)
async def test_bad_store_input_writes_nothing(
    stores: Stores, change: dict[str, Any], field: str
) -> None:
    region = await define(stores)
    before = await stores.events()
    body = await stores.gql(OPEN, {"input": store_input(region, **change)})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["extensions"]["field"] == field
    assert body["data"] is None
    assert await stores.events() == before


async def test_duplicate_store_and_register_codes_are_bad_input(stores: Stores) -> None:
    opened = await open_store(stores)
    await stores.data(ADD, {"store": opened["id"], "code": "R1"})
    before = await stores.events()
    again = await stores.gql(
        OPEN, {"input": store_input(await define(stores), code=opened["code"])}
    )
    assert codes(again) == ["BAD_USER_INPUT"]
    assert "already used" in again["errors"][0]["message"]
    before = await stores.events()
    twice = await stores.gql(ADD, {"store": opened["id"], "code": "r1"})
    assert codes(twice) == ["BAD_USER_INPUT"]
    assert twice["errors"][0]["extensions"]["field"] == "code"
    assert await stores.events() == before


async def test_tax_rates_are_set_and_checked(stores: Stores) -> None:
    region = await define(stores, STANDARD="8.875")
    done = await stores.data(SET_RATE, {"r": region, "c": "reduced", "p": "4.5"})
    assert done["setTaxRate"]["rates"] == [
        {"taxClass": "REDUCED", "ratePercent": "4.5"},
        {"taxClass": "STANDARD", "ratePercent": "8.875"},
    ]
    before = await stores.events()
    for rate in ("-1", "100", "250", "ten"):
        body = await stores.gql(SET_RATE, {"r": region, "c": "STANDARD", "p": rate})
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == "ratePercent"
    bad_define = await stores.gql(
        DEFINE, {"code": unique("T-"), "rates": [{"taxClass": "STANDARD", "ratePercent": "100"}]}
    )
    assert codes(bad_define) == ["BAD_USER_INPUT"]
    unknown = await stores.gql(SET_RATE, {"r": "NOWHERE", "c": "STANDARD", "p": "1"})
    assert codes(unknown) == ["NOT_FOUND"]
    assert await stores.events() == before


async def test_update_store_changes_only_what_is_given(stores: Stores) -> None:
    opened = await open_store(stores)
    other = await define(stores, STANDARD="8.875")
    update = """mutation($input: UpdateStoreInput!) { updateStore(input: $input) {
      name taxRegion { code } pricingMode rounding { level mode } cashRoundingIncrement { amount }
      returnWindowDays } }"""
    kept = await stores.data(update, {"input": {"id": opened["id"], "returnWindowDays": 14}})
    assert kept["updateStore"]["cashRoundingIncrement"] == {"amount": "0.05"}
    assert kept["updateStore"]["returnWindowDays"] == 14
    changed = await stores.data(
        update,
        {
            "input": {
                "id": opened["id"],
                "taxRegion": other,
                "pricingMode": "TAX_EXCLUSIVE",
                "rounding": {"level": "PER_TOTAL", "mode": "HALF_EVEN"},
                "cashRoundingIncrement": None,
            }
        },
    )
    assert changed["updateStore"] == {
        "name": "Main Street",
        "taxRegion": {"code": other},
        "pricingMode": "TAX_EXCLUSIVE",
        "rounding": {"level": "PER_TOTAL", "mode": "HALF_EVEN"},
        "cashRoundingIncrement": None,
        "returnWindowDays": 14,
    }
    missing = await stores.gql(
        'mutation($id: ID!) { updateStore(input: {id: $id, name: "x"}) { id } }',
        {"id": str(uuid4())},
    )
    assert codes(missing) == ["NOT_FOUND"]


async def test_closing_a_store_deactivates_its_registers(stores: Stores) -> None:
    opened = await open_store(stores)
    r1 = (await stores.data(ADD, {"store": opened["id"], "code": "R1"}))["addRegister"]
    r2 = (await stores.data(ADD, {"store": opened["id"], "code": "R2"}))["addRegister"]
    off = await stores.data(
        "mutation($id: ID!) { deactivateRegister(id: $id) { code active } }", {"id": r2["id"]}
    )
    assert off["deactivateRegister"] == {"code": "R2", "active": False}
    closed = await stores.data(
        """mutation($id: ID!) { closeStore(id: $id, reason: "moved") {
             active closedAt registers { code active } } }""",
        {"id": opened["id"]},
    )
    assert closed["closeStore"]["active"] is False and closed["closeStore"]["closedAt"]
    assert closed["closeStore"]["registers"] == [
        {"code": "R1", "active": False},
        {"code": "R2", "active": False},
    ]
    again = await stores.gql(ADD, {"store": opened["id"], "code": "R3"})
    assert codes(again) == ["CONFLICT"]
    assert r1["active"]


async def test_entities_resolve_by_id(stores: Stores) -> None:
    opened = await open_store(stores)
    register = (await stores.data(ADD, {"store": opened["id"], "code": "R1"}))["addRegister"]
    data = await stores.data(
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Store { code currency } ... on Register { code store { code } } } }""",
        {
            "r": [
                {"__typename": "Store", "id": opened["id"]},
                {"__typename": "Register", "id": register["id"]},
                {"__typename": "Store", "id": str(uuid4())},
            ]
        },
        claims=CASHIER,
    )
    assert data["_entities"] == [
        {"code": opened["code"], "currency": "EUR"},
        {"code": "R1", "store": {"code": opened["code"]}},
        None,
    ]


async def test_the_demo_seed_shows_through_the_graph(stores: Stores) -> None:
    handlers = stores.context.runtime(stores.h.views["stores"]).handlers
    await seed_demo_stores(handlers)
    await stores.h.settle()
    query = f"""query($a: ID!, $b: ID!) {{ a: store(id: $a) {{ {STORE} }}
      b: store(id: $b) {{ {STORE} }} }}"""
    ids = {"a": demo_store_id("S01"), "b": demo_store_id("S02")}
    found = await stores.data(query, ids, claims=CASHIER)
    s01, s02 = found["a"], found["b"]
    assert s01["name"] == "Main Street" and s01["taxRegion"] == {"code": "NL"}
    assert s01["pricingMode"] == "TAX_INCLUSIVE"
    assert s01["cashRoundingIncrement"] == {"amount": "0.05", "currency": "EUR"}
    assert {r["taxClass"]: r["ratePercent"] for r in s01["taxRates"]} == {
        "STANDARD": "21",
        "REDUCED": "9",
        "ZERO": "0",
    }
    assert [r["code"] for r in s01["registers"]] == ["R1", "R2"]
    assert s01["openedBy"] is None  # no member of staff: the system
    assert s02["pricingMode"] == "TAX_EXCLUSIVE" and s02["currency"] == "USD"
    assert s02["taxRates"][0] == {"taxClass": "STANDARD", "ratePercent": "8.875"}
    assert s02["cashRoundingIncrement"] is None


def test_the_committed_sdl_is_the_served_one() -> None:
    assert SCHEMA_FILE.read_text() == STORES.sdl()


def test_the_sdl_declares_what_each_field_needs() -> None:
    sdl = STORES.sdl()
    for query in ("stores(", "store(", "register(", "taxRegions:"):
        line = next(line for line in sdl.splitlines() if line.strip().startswith(query))
        assert line.endswith("@authenticated"), line
    for mutation in (
        "openStore",
        "updateStore",
        "closeStore",
        "addRegister",
        "deactivateRegister",
        "defineTaxRegion",
        "setTaxRate",
    ):
        line = next(line for line in sdl.splitlines() if line.strip().startswith(f"{mutation}("))
        assert line.endswith('@requiresScopes(scopes: [["stores:manage"]])'), line
    assert 'type Store @key(fields: "id")' in sdl
    assert 'type Register @key(fields: "id")' in sdl


async def test_a_rebuild_equals_the_live_result(stores: Stores) -> None:
    opened = await open_store(stores)
    await stores.data(ADD, {"store": opened["id"], "code": "R1"})
    await stores.data(
        "mutation($id: ID!) { updateStore(input: {id: $id, returnWindowDays: 7}) { id } }",
        {"id": opened["id"]},
    )
    await stores.h.settle()
    everything = f"""{{ stores(first: 100) {{ totalCount nodes {{ {STORE} }} }}
      taxRegions {{ id code name rates {{ taxClass ratePercent }} }} }}"""
    live = await stores.data(everything)
    for runner in stores.h.views["stores"].runners:
        await rebuild(stores.h.store, runner.projection)
    assert await stores.data(everything) == live
