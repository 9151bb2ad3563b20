"""A MongoDB-wire (FerretDB) outage under load (issue 11): nothing is lost, nothing that
committed answers as a failure, and the read side recovers by itself.

The catalog (Strawberry) and customers (Ariadne) subgraphs run as uvicorn servers on
PostgreSQL (the session's database), Kafka (a private topic prefix) and a FerretDB of this
test's own (own ports and folder, started through `pos.infra` as `pos infra up` starts
it; never the shared one), behind the gateway (production profile, entity cache off so
every query reads the store). Four clients (two cashiers creating categories and
registering customers, two readers looking categories up and paging products and
customers) run for a bounded time; meanwhile FerretDB is killed (SIGKILL, as a crash or
an OOM kill), left down for 12 s, and started again on the same data.

What a user may expect, and what is asserted (docs/operations.md, "MongoDB outage"):
- while it is down, a query answers within `QUERY_BOUND` with READ_STORE_UNAVAILABLE
  (no stack trace, no INTERNAL_SERVER_ERROR, no hang), and no request of any kind takes
  longer than `ANSWER_BOUND`;
- mutations still commit to the event store and answer within `MUTATION_BOUND` from the
  write model (or OUTCOME_UNKNOWN); none answers as failed when its events were committed;
- once it is back, every request that starts answers (no stale connection or cursor
  fails), and within `CATCH_UP_BOUND` both read models hold every committed category
  and customer, each event applied exactly once, no stray document, nothing
  dead-lettered, with no restart of anything.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import uvicorn
from pymongo import AsyncMongoClient

from eventbus.relay import Relay
from eventbus.sqlstore import SqlEventStore
from pos.commands.run import SUPERGRAPH, staff_authenticator
from pos.infra import InfraConfig, start_service, stop_service
from subgraphs.catalog.context import CATALOG
from subgraphs.customers.context import context as CUSTOMERS
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.running import start_context, stop_context
from subgraphs.hosting.services import ContextServices
from subgraphs.staff import STAFF
from supergraph.runtime import create_app
from tests.e2e.stacks import _serve
from tests.gateway_identity import TEST_SIGNER, TEST_VERIFIER
from tests.staff_tokens import bearer
from tests.subgraphs.hosting.harness import KAFKA, PrefixedTransport

pytestmark = pytest.mark.services

DOWN_FOR = 12.0
"""Seconds FerretDB stays down."""
QUERY_BOUND = 5.0
"""A query needing the read store answers within this while it is down (measured ~2.5 s:
the read store client's 2 s server selection timeout)."""
MUTATION_BOUND = 4.0
"""A mutation answers within this while it is down (measured ~2.3 s: its read-your-writes
wait, 2 s, gives up at its bound and the payload comes from the write model)."""
ANSWER_BOUND = 10.0
"""No request, during the outage or not, takes longer than this to answer."""
CATCH_UP_BOUND = 30.0
"""Seconds after FerretDB is back by which the read model shows every committed event."""
LOAD_BOUND = 90.0
"""The load stops by itself after this many seconds, whatever happens."""
MAX_REQUESTS = 600
"""... or after this many requests in all."""

CREATE = """mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id name } }"""
CATEGORY = """query($id: ID!) { category(id: $id) { id name } }"""
PRODUCTS = """{ products(first: 5) { totalCount edges { cursor } } }"""
CUSTOMERS_PAGE = """{ customers(first: 5) { totalCount } }"""
REGISTER = """mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { id name } }"""
ADDRESS = {"line1": "Coolsingel 1", "city": "Rotterdam", "postalCode": "3011 AD", "country": "NL"}
WRITES = {"create": ("catalog", "catalog_categories"), "register": ("customers", "customers")}
"""Mutation kinds: the context whose read model shows them, and its collection."""


@pytest.fixture(scope="module")
def private_mongo() -> Iterator[InfraConfig]:
    """A FerretDB of this test's own: free ports, data under a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="pos-mongo-outage-"))
    config = InfraConfig.isolated(folder)
    try:
        assert start_service("mongo", config).healthy
        yield config
    finally:
        stop_service("mongo", config, kill=True)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Shop:
    gateway: httpx.AsyncClient
    store: SqlEventStore
    views: dict[str, ContextServices]
    """Each context's view: its runners and read database."""


@pytest.fixture
async def shop(h6_pg_url: str, private_mongo: InfraConfig) -> AsyncIterator[Shop]:
    from eventbus.transports.kafka import KafkaTransport

    run = uuid4().hex[:10]
    store = SqlEventStore(h6_pg_url)
    transport = PrefixedTransport(KafkaTransport(KAFKA, client_id="e2e-mongo-outage"), f"mo{run}")
    services = ContextServices(
        store=store,
        transport=transport,
        mongo_url=private_mongo.mongo_url,
        database=f"mo_{run}_all",
        relay=Relay(store.outbox, transport, poll_interval=0.02),
        database_prefix=f"mo_{run}",
        gateway_identity=TEST_VERIFIER,
    )
    await services.start()
    views: dict[str, ContextServices] = {}
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    gateway_app = None
    try:
        urls = {}
        for context in (CATALOG, CUSTOMERS):  # a Strawberry and an Ariadne subgraph
            view = services.for_context(context.name)
            await start_context(context, view)
            views[context.name] = view
            app = create_subgraph_app(
                context.name, context.graphql_app(view), view, manage_services=False
            )
            server, task, port = await _serve(app)
            servers.append((server, task))
            urls[context.name] = f"http://127.0.0.1:{port}/graphql"
        gateway_app = create_app(
            SUPERGRAPH.read_text(),
            subgraph_urls=urls,
            subgraph_identity=TEST_SIGNER,
            authenticator=staff_authenticator(STAFF.identity),
            entity_cache="off",  # every query reaches the read store
            rate_limits=None,
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway_app),
            base_url="http://pos.test",
            timeout=ANSWER_BOUND * 3,  # the assertion on durations says more than a timeout
            headers=bearer(STAFF.identity),
        ) as client:
            yield Shop(client, store, views)
    finally:
        if gateway_app is not None:
            await gateway_app.state.gateway.aclose()
        for server, _ in servers:
            server.should_exit = True
        await asyncio.gather(*(task for _, task in servers), return_exceptions=True)
        for view in reversed(views.values()):
            await stop_context(view)
        await services.stop()


@dataclass
class Answer:
    kind: str  # create | register (mutations) | category | products | customers
    began: float
    ended: float
    code: str | None  # None: answered with data and no error
    body: str
    stream: str | None = None
    """The id a mutation asked for (client-chosen: known even if the answer is lost)."""

    @property
    def took(self) -> float:
        return self.ended - self.began


def _code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    if not errors:
        return None
    codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
    return ",".join(sorted(codes))


class Load:
    """Bounded traffic: `MAX_REQUESTS` requests or `LOAD_BOUND` seconds, whichever first."""

    def __init__(self, shop: Shop, tag: str, known: list[str]) -> None:
        self.shop, self.tag, self.known = shop, tag, known
        self.answers: list[Answer] = []
        self.done = asyncio.Event()
        self.stop_at = time.monotonic() + LOAD_BOUND
        self.sent = 0

    def _more(self) -> bool:
        return (
            not self.done.is_set()
            and time.monotonic() < self.stop_at
            and (self.sent < MAX_REQUESTS)
        )

    async def _post(self, kind: str, query: str, variables: dict[str, Any], **extra: Any) -> None:
        self.sent += 1
        began = time.monotonic()
        response = await self.shop.gateway.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        ended = time.monotonic()
        text = response.text
        try:
            code = _code(response.json())
        except ValueError:
            code = f"HTTP {response.status_code}"
        self.answers.append(Answer(kind, began, ended, code, text, **extra))

    async def cashier(self, number: int) -> None:
        n = number
        while self._more():
            n += 1
            stream = str(uuid4())
            name = f"Outage {self.tag} {number}-{n}"
            variables: dict[str, Any]
            if n % 2:
                variables = {"i": {"id": stream, "name": name}}
                await self._post("create", CREATE, variables, stream=stream)
            else:
                customer = {"email": f"{stream}@example.com", "phone": "+31 10 123 4567"}
                variables = {"i": {"id": stream, "name": name, "address": ADDRESS, **customer}}
                await self._post("register", REGISTER, variables, stream=stream)
            await asyncio.sleep(0.1)

    async def reader(self, number: int) -> None:
        n = number  # readers out of step: each kind is read at any moment
        while self._more():
            n += 1
            if n % 3 == 0:
                await self._post("category", CATEGORY, {"id": self.known[n % len(self.known)]})
            elif n % 3 == 1:
                await self._post("products", PRODUCTS, {})
            else:
                await self._post("customers", CUSTOMERS_PAGE, {})
            await asyncio.sleep(0.1)

    async def run(self) -> None:
        await asyncio.gather(
            *(self.cashier(i) for i in range(2)), *(self.reader(i) for i in range(2))
        )


async def _set_down(config: InfraConfig) -> None:
    assert await asyncio.to_thread(stop_service, "mongo", config, kill=True)


async def _bring_up(config: InfraConfig) -> None:
    assert (await asyncio.to_thread(start_service, "mongo", config)).healthy


async def _committed(store: SqlEventStore, stream: str) -> int:
    """The stream's version in the event store (0: nothing was written)."""
    return len(await store.read_stream(stream))


async def test_a_read_store_outage_under_load_loses_nothing_and_heals(
    shop: Shop, private_mongo: InfraConfig
) -> None:
    tag = uuid4().hex[:6]
    known = []
    for i in range(3):
        body = (
            await shop.gateway.post(
                "/graphql",
                json={"query": CREATE, "variables": {"i": {"name": f"Known {tag} {i}"}}},
            )
        ).json()
        assert _code(body) is None, body
        known.append(body["data"]["createCategory"]["id"])

    load = Load(shop, tag, known)
    traffic = asyncio.create_task(load.run())
    try:
        await asyncio.sleep(3.0)
        went_down = time.monotonic()
        await _set_down(private_mongo)
        await asyncio.sleep(DOWN_FOR)
        restarting = time.monotonic()
        await _bring_up(private_mongo)
        back = time.monotonic()
        # catch-up: what was committed before FerretDB came back is soon in the read model
        answered = [a for a in load.answers if a.kind in WRITES]
        before_back = await _committed_writes(shop.store, answered, known)
        first_catch_up = await _await_read_models(private_mongo, shop, before_back) - back
        await asyncio.sleep(max(0.0, back + 12.0 - time.monotonic()))
    finally:
        load.done.set()
        await asyncio.wait_for(traffic, ANSWER_BOUND * 3)

    answers = load.answers
    summary = _summary(answers, went_down, restarting, back)
    summary += f"\nread model caught up with the outage {first_catch_up:.1f} s after it ended"
    print(summary)  # shown with -s: what was measured
    assert len(answers) > 60, summary

    # nothing hangs, nothing leaks a trace or an anonymous internal error
    slow = [a for a in answers if a.took > ANSWER_BOUND]
    assert not slow, slow[:3]
    assert not [a for a in answers if "Traceback" in a.body or 'File "' in a.body]
    assert not [a for a in answers if a.code and "INTERNAL_SERVER_ERROR" in a.code], [
        a for a in answers if a.code and "INTERNAL_SERVER_ERROR" in a.code
    ][:3]

    # while down: queries answer READ_STORE_UNAVAILABLE; mutations still commit
    down = [a for a in answers if a.began > went_down + 0.5 and a.ended < restarting]
    queries_down = [a for a in down if a.kind not in WRITES]
    assert {a.kind for a in queries_down} == {"category", "products", "customers"}, summary
    assert all(a.took < QUERY_BOUND for a in queries_down), summary
    assert all(a.code == "READ_STORE_UNAVAILABLE" for a in queries_down), [
        a for a in queries_down if a.code != "READ_STORE_UNAVAILABLE"
    ][:3]
    writes_down = [a for a in down if a.kind in WRITES]
    assert {a.kind for a in writes_down} == set(WRITES), summary
    assert all(a.took < MUTATION_BOUND for a in writes_down), summary
    assert all(a.code in (None, "OUTCOME_UNKNOWN") for a in writes_down), [
        a for a in writes_down if a.code not in (None, "OUTCOME_UNKNOWN")
    ][:3]

    # OUTCOME_UNKNOWN rule: no mutation that committed answers as failed
    versions: dict[str, int] = {}
    for a in answers:
        if a.kind in WRITES:
            assert a.stream is not None
            versions[a.stream] = await _committed(shop.store, a.stream)
            if a.code is None:
                assert versions[a.stream] >= 1, a
            elif a.code != "OUTCOME_UNKNOWN":
                assert versions[a.stream] == 0, f"answered {a.code} but committed: {a}"
    assert all(versions[a.stream] for a in writes_down if a.stream), summary

    # back: every request that started once FerretDB answered again succeeds
    after = [a for a in answers if a.began > back]
    assert len(after) > 20, summary
    assert all(a.code is None for a in after), [a for a in after if a.code][:3]

    # and the read models caught up: every committed stream, each event once, no stray
    assert first_catch_up < CATCH_UP_BOUND, summary
    await _await_read_models(
        private_mongo, shop, await _committed_writes(shop.store, answers, known)
    )
    for view in shop.views.values():
        for runner in view.runners:
            assert runner.metrics.dead_lettered == 0, (runner.projection.name, runner.metrics)
    never = [a for a in answers if a.kind in WRITES and not versions[a.stream or ""]]
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(private_mongo.mongo_url)
    try:
        for kind, (context, collection) in WRITES.items():
            ids = [a.stream for a in never if a.kind == kind]
            database = mongo[shop.views[context].database]
            stray = await database[collection].count_documents({"_id": {"$in": ids}})
            assert stray == 0, f"a {kind} never committed is in the read model"
    finally:
        await mongo.close()


async def _committed_writes(
    store: SqlEventStore, answers: list[Answer], known: list[str]
) -> dict[str, dict[str, int]]:
    """Per mutation kind, the streams committed so far and their versions."""
    out: dict[str, dict[str, int]] = {kind: {} for kind in WRITES}
    out["create"].update({category: 1 for category in known})
    for a in answers:
        if a.kind in WRITES and a.stream and (version := await _committed(store, a.stream)):
            out[a.kind][a.stream] = version
    return out


async def _await_read_models(
    config: InfraConfig, shop: Shop, committed: dict[str, dict[str, int]]
) -> float:
    """When (monotonic) each kind's read model holds every committed stream, each at its
    version exactly (`applied`: every event once); fails past `CATCH_UP_BOUND`."""
    began = time.monotonic()
    for kind, (context, collection) in WRITES.items():
        await _await_read_model(
            config, shop.views[context].database, collection, committed[kind], began
        )
    return time.monotonic()


async def _await_read_model(
    config: InfraConfig, database: str, name: str, committed: dict[str, int], began: float
) -> None:
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(config.mongo_url)
    try:
        collection = mongo[database][name]
        while True:
            rows = {
                row["_id"]: row
                async for row in collection.find({"_id": {"$in": sorted(committed)}})
            }
            missing = set(committed) - set(rows)
            wrong = [r for r in rows.values() if r["applied"] != {r["_id"]: committed[r["_id"]]}]
            if not missing and not wrong:
                return
            if time.monotonic() - began > CATCH_UP_BOUND:
                raise AssertionError(
                    f"{name} behind after {CATCH_UP_BOUND} s: {len(missing)} missing, "
                    f"{wrong[:3]} wrongly applied"
                )
            await asyncio.sleep(0.25)
    finally:
        await mongo.close()


def _summary(answers: list[Answer], went_down: float, restarting: float, back: float) -> str:
    def phase(a: Answer) -> str:
        if a.began < went_down:
            return "before"
        if a.began < restarting:
            return "down"
        return "start" if a.began < back else "after"

    lines = [f"FerretDB down {restarting - went_down:.1f} s, start took {back - restarting:.1f} s"]
    for name in ("before", "down", "start", "after"):
        mine = [a for a in answers if phase(a) == name]
        for kind in (*WRITES, "category", "products", "customers"):
            some = [a for a in mine if a.kind == kind]
            if not some:
                continue
            codes: dict[str, int] = {}
            for a in some:
                codes[a.code or "ok"] = codes.get(a.code or "ok", 0) + 1
            worst = max(a.took for a in some)
            lines.append(f"  {name:6} {kind:9} {len(some):3} {codes} max {worst:.2f} s")
    return "\n".join(lines)
