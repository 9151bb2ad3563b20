"""A PostgreSQL restart under load (issue 11): committed commands never answer as failures,
and stale pooled connections cost nothing once the server is back.

Runs a private PostgreSQL (own port and data dir, through `pos.infra` as `pos infra` does)
and stops it with the fast shutdown `pos infra down` uses: open sessions are cut, as in a
crash or a failover. Never the shared one at 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from eventbus.envelope import Envelope
from eventbus.sqlstore import CommitOutcomeUnknown, SqlEventStore
from pos.infra import InfraConfig, start_service, stop_service
from pos.infra.postgres import cluster_dir
from subgraphs.hosting.commands import Handled, OutcomeUnknown, committed_payload, execute
from subgraphs.hosting.errors import to_graphql_error

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[InfraConfig]:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="pos-pg-outage-"))
    folder.chmod(0o755)
    config = InfraConfig.isolated(folder)
    try:
        assert start_service("postgres", config).healthy
        yield config
    finally:
        stop_service("postgres", config)
        shutil.rmtree(cluster_dir(config), ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def store(private_postgres: InfraConfig) -> AsyncIterator[SqlEventStore]:
    store = SqlEventStore(private_postgres.pg_url, pool_size=4, max_overflow=0)
    await store.start()
    yield store
    await store.close()


async def _stop(config: InfraConfig) -> None:
    assert await asyncio.to_thread(stop_service, "postgres", config)


async def _start(config: InfraConfig) -> None:
    assert (await asyncio.to_thread(start_service, "postgres", config)).healthy


def _event(stream: str) -> Envelope:
    return Envelope(type="pos.test.Happened.v1", source="test", subject=stream, data={},
                    stream_version=1)  # fmt: skip


def _appender(store: SqlEventStore) -> Callable[[str], Awaitable[Handled[str]]]:
    async def append(stream: str) -> Handled[str]:
        async with store.unit_of_work() as uow:
            stored = await uow.append(stream, 0, [_event(stream)])
        return Handled(stream, stored)

    return append


async def test_a_commit_cut_off_answers_outcome_unknown_with_the_ids(
    store: SqlEventStore, private_postgres: InfraConfig
) -> None:
    stream = f"order-{uuid4()}"

    async def append_then_lose_the_server(name: str) -> Handled[str]:
        async with store.unit_of_work() as uow:
            stored = await uow.append(name, 0, [_event(name)])
            await _stop(private_postgres)  # the COMMIT below finds the connection gone
        return Handled(name, stored)

    try:
        with pytest.raises(OutcomeUnknown) as caught:
            await execute(append_then_lose_the_server, stream)
        assert isinstance(caught.value.__cause__, CommitOutcomeUnknown)
    finally:
        await _start(private_postgres)
    error = to_graphql_error(caught.value)
    assert error.extensions == {"code": "OUTCOME_UNKNOWN", "ids": [stream], "saved": None}
    assert "may have been saved" in error.message and stream in error.message
    assert "Look it up by id before trying again" in error.message


async def test_a_result_unreadable_after_the_commit_says_it_was_saved(
    store: SqlEventStore, private_postgres: InfraConfig
) -> None:
    stream = f"order-{uuid4()}"
    executed = await execute(_appender(store), stream)
    await _stop(private_postgres)
    try:
        with pytest.raises(OutcomeUnknown) as caught:
            await committed_payload(executed, lambda: store.read_stream(stream))
    finally:
        await _start(private_postgres)
    error = to_graphql_error(caught.value)
    assert error.extensions == {"code": "OUTCOME_UNKNOWN", "ids": [stream], "saved": True}
    assert "was saved" in error.message
    assert [e.subject for e in await store.read_stream(stream)] == [stream]


async def test_pooled_connections_survive_a_restart(
    store: SqlEventStore, private_postgres: InfraConfig
) -> None:
    """Every pooled connection is dead after the restart; none of them fails a request."""
    await asyncio.gather(*(store.read_all(0, 1) for _ in range(8)))  # fill the pool (4)
    await _stop(private_postgres)
    await _start(private_postgres)
    for _ in range(2):
        await asyncio.gather(*(store.read_all(0, 1) for _ in range(8)))
        await asyncio.gather(*(execute(_appender(store), f"s-{uuid4()}") for _ in range(8)))


@dataclass
class Outcome:
    stream: str
    began: float
    answer: str  # ok | unknown | failed


async def test_under_load_no_committed_command_answers_as_a_failure(
    store: SqlEventStore, private_postgres: InfraConfig
) -> None:
    outcomes: list[Outcome] = []
    stop_at = time.monotonic() + 60  # bounded whatever happens
    done = asyncio.Event()

    async def worker() -> None:
        append = _appender(store)
        while not done.is_set() and time.monotonic() < stop_at:
            stream = f"s-{uuid4()}"
            began = time.monotonic()
            try:
                await execute(append, stream)
                answer = "ok"
            except OutcomeUnknown:
                answer = "unknown"
            except Exception:
                answer = "failed"
                await asyncio.sleep(0.05)
            outcomes.append(Outcome(stream, began, answer))

    workers = [asyncio.create_task(worker()) for _ in range(6)]
    try:
        await asyncio.sleep(1.0)
        await _stop(private_postgres)
        await asyncio.sleep(1.5)
        await _start(private_postgres)
        back = time.monotonic()
        await asyncio.sleep(1.5)
    finally:
        done.set()
        await asyncio.gather(*workers)

    answers = [o.answer for o in outcomes]
    assert answers.count("ok") > 20 and answers.count("failed") > 0, answers
    for outcome in outcomes:
        written = bool(await store.read_stream(outcome.stream))
        if outcome.answer == "ok":
            assert written, outcome
        if outcome.answer == "failed":
            assert not written, f"answered as failed but committed: {outcome}"
    after = [o for o in outcomes if o.began > back]
    assert after and all(o.answer == "ok" for o in after), [o for o in after if o.answer != "ok"]
