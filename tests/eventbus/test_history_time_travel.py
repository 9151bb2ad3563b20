"""Replaying a stream up to an instant (`eventbus.time_travel`), on a real SQLite store.

A toy read model (a counter with a label) folded from toy events; the expected states at
each instant are computed by hand from the events the test wrote.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel

from eventbus import Envelope
from eventbus.readmodel import AppliedMixin
from eventbus.sqlstore import SqlEventStore
from eventbus.time_travel import (
    AS_OF_BEFORE_CREATION,
    AS_OF_IN_FUTURE,
    AS_OF_NAIVE,
    AsOfError,
    FieldChange,
    TimeTravel,
    history_of,
    upto,
)

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


class Counter(AppliedMixin, BaseModel):
    id: str
    label: str
    value: int = 0


def fold(doc: Counter | None, envelope: Envelope) -> Counter | None:
    name = envelope.type.split(".")[-2]
    if name == "Opened":
        return Counter(id=envelope.subject, label=envelope.data["label"])
    if doc is None:
        return None
    if name == "Added":
        doc.value += envelope.data["n"]
    elif name == "Relabelled":
        doc.label = envelope.data["label"]
    else:
        return None
    return doc


def event(name: str, version: int, minutes: float, **data: Any) -> Envelope:
    return Envelope(
        type=f"pos.test.{name}.v1",
        source="test",
        subject="c-1",
        data=data,
        stream_version=version,
        time=T0 + timedelta(minutes=minutes),
    )


STREAM = [
    event("Opened", 1, 0, label="till"),
    event("Added", 2, 10, n=5),
    event("Relabelled", 3, 20, label="front till"),
    event("Ignored", 4, 25),
    event("Added", 5, 30, n=-2),
]


@pytest.fixture
async def store(sqlite_store: SqlEventStore) -> SqlEventStore:
    await sqlite_store.append("c-1", 0, STREAM)
    return sqlite_store


async def test_state_at_each_instant_matches_the_events_up_to_it(store: SqlEventStore) -> None:
    travel = TimeTravel(store, fold)
    expected = {
        0: ("till", 0, 1),  # right at creation: the first event is included
        5: ("till", 0, 1),
        10: ("till", 5, 2),
        19.99: ("till", 5, 2),
        20: ("front till", 5, 3),
        26: ("front till", 5, 4),  # an event the fold ignores still counts as applied
        30: ("front till", 3, 5),
        600: ("front till", 3, 5),
    }
    for minutes, (label, value, version) in expected.items():
        doc = await travel.as_of("c-1", T0 + timedelta(minutes=minutes))
        assert doc is not None
        assert (doc.label, doc.value, doc.applied["c-1"]) == (label, value, version), minutes


async def test_an_instant_with_another_offset_is_the_same_instant(store: SqlEventStore) -> None:
    travel = TimeTravel(store, fold)
    berlin = (T0 + timedelta(minutes=10)).astimezone(timezone(timedelta(hours=1)))
    doc = await travel.as_of("c-1", berlin)
    assert doc is not None and doc.value == 5


async def test_bad_instants_are_refused_with_a_reason(store: SqlEventStore) -> None:
    travel = TimeTravel(store, fold)
    with pytest.raises(AsOfError) as before:
        await travel.as_of("c-1", T0 - timedelta(seconds=1))
    assert before.value.details["reason"] == AS_OF_BEFORE_CREATION
    assert before.value.code == "BAD_USER_INPUT" and before.value.field == "asOf"
    with pytest.raises(AsOfError) as future:
        await travel.as_of("c-1", datetime.now(UTC) + timedelta(minutes=1))
    assert future.value.details["reason"] == AS_OF_IN_FUTURE
    with pytest.raises(AsOfError) as naive:
        await travel.as_of("c-1", datetime(2026, 1, 1, 9, 5))
    assert naive.value.details["reason"] == AS_OF_NAIVE


async def test_unknown_stream_and_foreign_stream_are_none(store: SqlEventStore) -> None:
    other = Envelope(
        type="pos.test.Other.v1", source="test", subject="x-1", data={}, stream_version=1, time=T0
    )
    await store.append("x-1", 0, [other])
    travel = TimeTravel(store, fold)
    assert await travel.as_of("nope", T0) is None
    assert await travel.as_of("x-1", T0 + timedelta(minutes=1)) is None


async def test_checkpoints_bound_the_fold_and_never_change_answers(
    sqlite_store: SqlEventStore,
) -> None:
    events = [event("Opened", 1, 0, label="long")] + [
        event("Added", v, v, n=1) for v in range(2, 1001)
    ]
    for start in range(0, len(events), 250):
        await sqlite_store.append("c-1", start, events[start : start + 250])
    travel = TimeTravel(sqlite_store, fold, checkpoint_every=50)
    at = T0 + timedelta(minutes=777.5)  # after version 777
    first = await travel.as_of("c-1", at)
    assert first is not None and first.value == 776
    assert travel.folded == 777
    travel.folded = travel.read = 0
    again = await travel.as_of("c-1", at)
    assert again == first
    assert travel.folded == 777 - 750  # from the checkpoint at version 750
    assert travel.read == 1000 - 750  # and the stream read from there on
    travel.folded = 0
    earlier = await travel.as_of("c-1", T0 + timedelta(minutes=120))
    assert earlier is not None and earlier.value == 119
    assert travel.folded == 20
    # the checkpoint was copied, not shared: the answer did not move the cached state
    assert (await travel.as_of("c-1", at)) == first


async def test_long_stream_cost(sqlite_store: SqlEventStore) -> None:
    """Measured figure for docs/history.md: 10,000 events, the last instant, cold and warm."""
    events = [event("Opened", 1, 0, label="long")] + [
        event("Added", v, v / 100, n=1) for v in range(2, 10_001)
    ]
    for start in range(0, len(events), 1000):
        await sqlite_store.append("c-1", start, events[start : start + 1000])
    travel = TimeTravel(sqlite_store, fold)
    now = datetime.now(UTC)
    started = time.perf_counter()
    cold = await travel.as_of("c-1", now)
    cold_s = time.perf_counter() - started
    started = time.perf_counter()
    warm = await travel.as_of("c-1", now)
    warm_s = time.perf_counter() - started
    assert cold == warm and cold is not None and cold.value == 9_999
    uncached = TimeTravel(sqlite_store, fold, checkpoint_every=1_000_000)
    started = time.perf_counter()
    await uncached.as_of("c-1", now)
    await uncached.as_of("c-1", now)
    plain_s = (time.perf_counter() - started) / 2
    print(
        f"\n10000-event stream as_of: no checkpoints {plain_s * 1000:.0f} ms, "
        f"first {cold_s * 1000:.0f} ms, later {warm_s * 1000:.1f} ms"
    )
    assert warm_s < cold_s / 5


async def test_a_history_page_of_a_long_stream_folds_from_a_checkpoint(
    sqlite_store: SqlEventStore,
) -> None:
    """The newest 20 events of 10,000 with their changes: what `history(first: 20)` costs."""
    events = [event("Opened", 1, 0, label="long")] + [
        event("Added", v, v / 100, n=1) for v in range(2, 10_001)
    ]
    for start in range(0, len(events), 1000):
        await sqlite_store.append("c-1", start, events[start : start + 1000])
    travel = TimeTravel(sqlite_store, fold)
    started = time.perf_counter()
    stream = await sqlite_store.read_stream("c-1")
    read_s = time.perf_counter() - started
    timings, folded = [], []
    for _ in range(2):
        travel.folded = 0
        started = time.perf_counter()
        base = travel.fold_to("c-1", stream, len(stream) - 20)
        page = history_of(fold, stream[-20:], base)
        timings.append(time.perf_counter() - started)
        folded.append(travel.folded)
    assert folded == [9_980, 80]  # later: from the checkpoint at 9,900
    assert [e.changes for e in page[:2]] == [
        (FieldChange("value", 9_979, 9_980),),
        (FieldChange("value", 9_980, 9_981),),
    ]
    started = time.perf_counter()
    everything = history_of(fold, stream)
    whole = time.perf_counter() - started
    assert everything[-20:] == page
    print(
        f"\nhistory page of 20 from 10000 events: reading the stream {read_s * 1000:.0f} ms; "
        f"folding: first {timings[0] * 1000:.0f} ms, later {timings[1] * 1000:.1f} ms, "
        f"the whole stream with changes {whole * 1000:.0f} ms"
    )
    assert timings[1] < whole / 5


def test_history_names_the_fields_each_event_changed() -> None:
    entries = history_of(fold, STREAM)
    assert [e.changes for e in entries] == [
        (FieldChange("label", None, "till"), FieldChange("value", None, 0)),
        (FieldChange("value", 0, 5),),
        (FieldChange("label", "till", "front till"),),
        (),
        (FieldChange("value", 5, 3),),
    ]


def test_upto_counts_events_at_or_before() -> None:
    assert upto(STREAM, T0 - timedelta(seconds=1)) == 0
    assert upto(STREAM, T0) == 1
    assert upto(STREAM, T0 + timedelta(minutes=30)) == 5
