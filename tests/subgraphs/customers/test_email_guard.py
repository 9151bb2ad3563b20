"""The email guard under concurrency: of many simultaneous registrations with one email
(in any case), exactly one wins, on PostgreSQL and on SQLite; the losers write nothing.
The backfill for stores from before the guard, directly and as `pos claim-emails`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner, Result

from eventbus import Conflict
from eventbus.sqlstore import SqlEventStore
from pos.cli import app
from subgraphs.customers.application import (
    AddressInput,
    CustomerHandlers,
    RegisterCustomer,
    UpdateContactDetails,
    claim_existing_emails,
)
from subgraphs.customers.domain import Address, Customer, email_claim_id
from subgraphs.hosting.commands import execute

HOME = AddressInput(line1="Main 1", city="Berlin", postal_code="10115", country="DE")
ADDRESS = Address.create(line1="Main 1", city="Berlin", postal_code="10115", country="DE")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, h6_pg_url: str
) -> AsyncIterator[SqlEventStore]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'emails.db'}" if request.param == "sqlite" else h6_pg_url
    )
    store = SqlEventStore(url)
    await store.start()
    yield store
    await store.close()


def registration(email: str, i: int = 0) -> RegisterCustomer:
    return RegisterCustomer(
        name=f"Racer {i}", email=email, phone=f"+49 30 12345{i:02d}", address=HOME
    )


async def test_one_email_one_customer_under_concurrency(store: SqlEventStore) -> None:
    handlers = CustomerHandlers(store)
    email = f"race.{uuid4().hex[:8]}@example.com"
    spellings = [email, email.upper(), email.title()]
    commands = [registration(spellings[i % 3], i) for i in range(10)]
    results = await asyncio.gather(
        *(execute(handlers.register, c) for c in commands), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert len(losers) == 9 and all(isinstance(e, Conflict) for e in losers), losers
    assert all(e.field == "email" and "already registered" in e.message for e in losers)  # type: ignore[attr-defined]
    winner = winners[0].value
    assert winner.email == email
    claim = await store.read_stream(email_claim_id(email))
    assert [e.data["customer_id"] for e in claim] == [winner.id]
    customers = {
        e.subject
        for e in await store.read_all(0, 10_000)
        if e.type.startswith("pos.customers.Cust")
    }
    assert customers == {winner.id}


async def test_changing_email_races_and_releases(store: SqlEventStore) -> None:
    handlers = CustomerHandlers(store)
    tag = uuid4().hex[:8]
    ids = [
        (await execute(handlers.register, registration(f"c{i}.{tag}@example.com", i))).value.id
        for i in range(6)
    ]
    wanted = f"wanted.{tag}@example.com"
    results = await asyncio.gather(
        *(
            execute(handlers.update_contact_details, UpdateContactDetails(c, email=wanted))
            for c in ids
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))
    # The winner's old address is free again; a newcomer can register with it.
    old = f"c{ids.index(winners[0].value.id)}.{tag}@example.com"
    newcomer = await execute(handlers.register, registration(old.upper(), 9))
    assert newcomer.value.email == old


async def test_backfill_guards_customers_from_before_the_guard(store: SqlEventStore) -> None:
    handlers = CustomerHandlers(store)
    tag = uuid4().hex[:8]
    old = [f"old{i}.{tag}@example.com" for i in range(2)]
    legacy = []
    for i, email in enumerate([old[0], old[1], old[1]]):  # two already share old[1]
        customer = Customer.register(
            str(uuid4()), name=f"Old {i}", email=email, phone="+4930123456", address=ADDRESS
        )
        await handlers.repository.save(customer)  # as written before the guard existed
        legacy.append(customer.id)
    report = await claim_existing_emails(store)  # (the log may hold other tests' customers)
    assert set(old) <= set(report.claimed)
    assert report.shared[old[1]] == [legacy[2]] and old[0] not in report.shared
    with pytest.raises(Conflict):
        await execute(handlers.register, registration(old[0].upper()))
    again = await claim_existing_emails(store)
    assert again.claimed == [] and again.shared[old[1]] == [legacy[2]]


@pytest.mark.parametrize("mode", ["embedded", "services"])
async def test_pos_claim_emails_runs_the_backfill(
    mode: str, tmp_path: Path, h6_pg_url: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'events.db'}" if mode == "embedded" else h6_pg_url
    store = SqlEventStore(url)
    await store.start()
    try:
        handlers = CustomerHandlers(store)
        email = f"legacy.{uuid4().hex[:8]}@example.com"
        legacy = Customer.register(
            str(uuid4()), name="Old", email=email, phone="+4930123456", address=ADDRESS
        )
        await handlers.repository.save(legacy)  # as written before the guard existed
        await execute(handlers.register, registration(email.upper(), 1))  # the gap

        def pos_claim_emails() -> Result:
            args = ["claim-emails", "--mode", mode, "--data-dir", str(tmp_path)]
            return CliRunner().invoke(app, args, env={"POS_PG_URL": h6_pg_url})

        first = await asyncio.to_thread(pos_claim_emails)
        assert first.exit_code == 0, first.output
        assert email not in json.loads(first.stdout)["claimed"]  # the newcomer claimed it
        assert json.loads(first.stdout)["shared"][email] == [legacy.id]
        assert "held by more than one customer" in first.stderr
        # A customer from before the guard whose email nobody claimed gets it now.
        lone = f"lone.{uuid4().hex[:8]}@example.com"
        await handlers.repository.save(
            Customer.register(
                str(uuid4()), name="Lone", email=lone, phone="+4930123456", address=ADDRESS
            )
        )
        with_lone = await asyncio.to_thread(pos_claim_emails)
        assert with_lone.exit_code == 0, with_lone.output
        assert lone in json.loads(with_lone.stdout)["claimed"]
        with pytest.raises(Conflict):
            await execute(handlers.register, registration(lone.title(), 2))
        again = await asyncio.to_thread(pos_claim_emails)
        assert again.exit_code == 0 and json.loads(again.stdout)["claimed"] == []
    finally:
        await store.close()
