"""The compiled core against the Python data path it replaces, on generated plans and data.

Each property builds random plan data (shaping tables, entity inputs) and random merged
data, including what a misbehaving subgraph sends (wrong types, nulls in non-null places,
unknown `__typename`s, non-string enum values), runs the Python code with the core off and
the core itself, and requires the same answer: the same output, the same errors in the same
order, the same mutations, or the core declining (None) so the Python path runs.
"""

from __future__ import annotations

import copy
import shutil
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from supergraph.runtime.execution.executor import Executor, RunState, _Batch, deep_merge
from supergraph.runtime.execution.shaping import Shaper
from supergraph.runtime.native import AVAILABLE, entity_batch, native_core, shape_root, use_native
from supergraph.runtime.planning.plan import (
    EntityInput,
    Fetch,
    RequiredField,
    RequiredFragment,
    RequiredSelection,
)
from supergraph.runtime.planning.response_shape import LIST, NONNULL, ShapeField

if AVAILABLE is None:
    # built by scripts/setup whenever cargo is there: missing then is a failure, not a skip
    if shutil.which("cargo") is not None:
        pytest.fail("cargo is installed but the compiled core is not: run scripts/setup")
    pytest.skip(
        "no cargo on this machine: the gateway runs the Python path", allow_module_level=True
    )

TYPES = ("A", "B", "C")
OBJECT_TYPES = frozenset({"A", "B", "C", "Query"})
NAMES = ("x", "y", "z", "w")
WRAPPERS = ((), (NONNULL,), (LIST,), (NONNULL, LIST), (LIST, NONNULL), (NONNULL, LIST, NONNULL))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["RED", "GREEN", "A", "B", "C", "", "Query", "D"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def values(depth: int = 3) -> st.SearchStrategy[Any]:
    if depth == 0:
        return scalars
    inner = values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*NAMES, "__typename"]), inner, max_size=5),
    )


conds = st.one_of(
    st.none(),
    st.lists(
        st.lists(st.tuples(st.sampled_from(["v1", "v2"]), st.booleans()), max_size=2).map(tuple),
        min_size=1,
        max_size=2,
    ).map(tuple),
)


@st.composite
def shape_fields(draw: st.DrawFn, depth: int) -> ShapeField:
    key = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(["leaf", "leaf", "object", "typename", "introspection", "enum"]))
    if kind == "object" and depth == 0:
        kind = "leaf"
    field = ShapeField(
        key=key,
        source=draw(st.sampled_from([key, *NAMES])),
        wrappers=draw(st.sampled_from(WRAPPERS)),
        named=draw(st.sampled_from(TYPES)),
        cond=draw(conds),
        is_typename=kind == "typename",
        is_introspection=kind == "introspection",
        static_type=draw(st.sampled_from(TYPES)),
    )
    if kind == "object":
        field.sub = draw(tables(depth - 1))
    if kind == "enum":
        field.enum_values = frozenset({"RED", "GREEN"})
    return field


@st.composite
def tables(draw: st.DrawFn, depth: int = 2) -> dict[str, tuple[ShapeField, ...]]:
    chosen = draw(st.lists(st.sampled_from([*TYPES, "Query"]), min_size=1, max_size=3, unique=True))
    return {t: tuple(draw(st.lists(shape_fields(depth), max_size=4))) for t in chosen}


def _python_shape(
    data: dict[str, Any], table: dict[str, tuple[ShapeField, ...]], variables: dict[str, Any]
) -> tuple[Any, list[dict[str, Any]]]:
    with use_native(False):
        shaper = Shaper(variables, OBJECT_TYPES)
        out = shaper.shape_root(data, table, "Query")
    return out, shaper.errors


@SETTINGS
@given(
    table=tables(),
    data=st.dictionaries(st.sampled_from([*NAMES, "__typename"]), values(), max_size=5),
    variables=st.dictionaries(st.sampled_from(["v1", "v2"]), st.sampled_from([True, False, None])),
)
def test_shaping_matches_the_python_shaper(
    table: dict[str, tuple[ShapeField, ...]], data: dict[str, Any], variables: dict[str, Any]
) -> None:
    try:
        expected: Any = _python_shape(copy.deepcopy(data), table, variables)
    except TypeError:  # unhashable data where Python hashes it: the core must decline
        expected = None
    with use_native(True):
        found = shape_root(copy.deepcopy(data), table, "Query", variables, OBJECT_TYPES)
    if found is None:
        event("declined")
        return  # declined: the Python path shapes this response (checked below)
    assert expected is not None, "the core answered where the Python path raises"
    out, errors = found
    event("with errors" if errors else "no errors")
    assert orjson.dumps(out) == orjson.dumps(expected[0])
    assert errors == expected[1]


def test_the_core_declines_a_typename_that_is_no_string() -> None:
    table: dict[str, tuple[ShapeField, ...]] = {
        "Query": (ShapeField("a", "a", (), "A", sub={"A": ()}, static_type="A"),)
    }
    with use_native(True):
        assert shape_root({"a": {"__typename": 5}}, table, "Query", {}, OBJECT_TYPES) is None
        # and Shaper then runs the Python walk: the same answer as with the core off
        shaper = Shaper({}, OBJECT_TYPES)
        assert shaper.shape_root({"a": {"__typename": 5}}, table, "Query") == {"a": None}
    assert shaper.errors == [
        {
            "message": "Invalid __typename found for object at field Query.a.",
            "path": ["a"],
            "extensions": {"code": "INVALID_GRAPHQL"},
        }
    ]


def test_null_propagation_messages_and_paths() -> None:
    """A hand-written case beside the generated ones: `[A!]!` of objects with a non-null
    enum field, one object with an invalid value and one with a null."""
    inner = (ShapeField("e", "e", (NONNULL,), "Color", enum_values=frozenset({"RED"})),)
    table: dict[str, tuple[ShapeField, ...]] = {
        "Query": (
            ShapeField("as", "list", (NONNULL, LIST, NONNULL), "A", sub={"A": inner}),
            ShapeField("n", "n", (LIST, NONNULL), "A", sub={"A": inner}),
        )
    }
    data = {
        "list": [{"__typename": "A", "e": "RED"}],
        "n": [{"__typename": "A", "e": "BLUE"}, {"__typename": "A", "e": None}],
    }
    expected = _python_shape(copy.deepcopy(data), table, {})
    with use_native(True):
        found = shape_root(copy.deepcopy(data), table, "Query", {}, OBJECT_TYPES)
    assert found == expected
    assert expected[0] == {"as": [{"e": "RED"}], "n": None}
    assert [e["message"] for e in expected[1]] == [
        "Invalid value found for field A.e.",
        "Cannot return null for non-nullable field A.e.",
    ]  # the bubbling items null the list `[A!]` without a message of its own
    assert [e["path"] for e in expected[1]] == [["n", 0, "e"], ["n", 1, "e"]]


@SETTINGS
@given(
    target=st.dictionaries(st.sampled_from([*NAMES, "__typename"]), values(), max_size=5),
    source=st.dictionaries(st.sampled_from([*NAMES, "__typename"]), values(), max_size=5),
    keep=st.booleans(),
)
def test_merge_matches_deep_merge(
    target: dict[str, Any], source: dict[str, Any], keep: bool
) -> None:
    expected = copy.deepcopy(target)
    with use_native(False):
        deep_merge(expected, copy.deepcopy(source), keep_typename=keep)
    found = copy.deepcopy(target)
    with use_native(True):
        deep_merge(found, copy.deepcopy(source), keep_typename=keep)
    assert orjson.dumps(found) == orjson.dumps(expected)


POSSIBLE = {"I": frozenset({"A", "B"}), "A": frozenset(), "B": frozenset(), "C": frozenset()}


@st.composite
def required(draw: st.DrawFn, depth: int = 2) -> tuple[RequiredSelection, ...]:
    out: list[RequiredSelection] = []
    for _ in range(draw(st.integers(1, 3))):
        if depth > 0 and draw(st.booleans()) and draw(st.booleans()):
            out.append(
                RequiredFragment(draw(st.sampled_from(["I", "A", "B"])), draw(required(depth - 1)))
            )
            continue
        name = draw(st.sampled_from([*NAMES, "__typename"]))
        sub = draw(required(depth - 1)) if depth > 0 and draw(st.booleans()) else None
        source = draw(st.sampled_from([None, *NAMES]))
        out.append(RequiredField(name, sub, source))
    return tuple(out)


@st.composite
def fetches(draw: st.DrawFn) -> Fetch:
    inputs = [
        EntityInput(data_type, draw(st.sampled_from([data_type, "I"])), draw(required()))
        for data_type in draw(st.lists(st.sampled_from(["I", "A", "C"]), min_size=1, unique=True))
    ]
    return Fetch("svc", "query", requires=tuple(inputs))


small = st.one_of(scalars, st.sampled_from([{"x": 1, "__typename": "A"}, [{"y": 2}], {"z": None}]))
complete = st.fixed_dictionaries(
    {"__typename": st.sampled_from(["A", "B", "C", "D", "I"]), **{n: small for n in NAMES}}
)
entity_objects = st.one_of(
    complete,
    complete,
    complete,
    st.fixed_dictionaries(
        {"__typename": st.sampled_from(["A", "B", "C", "D", "I"])},
        optional={n: values(2) for n in NAMES},
    ),
)
trees = st.fixed_dictionaries(
    {"top": st.lists(st.one_of(entity_objects, st.none(), values(1)), min_size=1, max_size=6)},
    optional={"one": st.one_of(entity_objects, st.lists(entity_objects, max_size=3))},
)
paths = st.sampled_from(
    [("top", "@"), ("top", "@"), ("one",), ("one", "@"), ("top", "@", "|A"), ("top",)]
)


def _python_batches(executor: Executor, fetch: Fetch, data: dict[str, Any], path: Any) -> Any:
    """The batches `Executor._entity_fetch` sends, captured at `_send_batch`."""
    from supergraph.runtime.planning.plan import Flatten

    sent: list[_Batch] = []

    async def capture(node: Any, batch: _Batch, inputs: Any, state: Any) -> None:
        sent.append(batch)

    executor._send_batch = capture  # type: ignore[method-assign]
    import asyncio

    state = RunState({}, {}, {}, data=data)
    with use_native(False):
        asyncio.run(executor._entity_fetch(Flatten(path, fetch), state))
    return sent


@SETTINGS
@given(fetch=fetches(), data=trees, path=paths)
def test_entity_batches_match_the_python_walk(
    fetch: Fetch, data: dict[str, Any], path: Any
) -> None:
    executor = Executor(None, {"svc": "http://127.0.0.1:1/graphql"}, POSSIBLE)  # type: ignore[arg-type]
    try:
        sent = _python_batches(executor, fetch, copy.deepcopy(data), path)
    except TypeError:
        sent = None  # unhashable where Python hashes: the core must decline
    mine = copy.deepcopy(data)
    with use_native(True):
        found = entity_batch(mine, path, fetch, POSSIBLE)
    if found is None:
        event("declined")
        return
    assert sent is not None, "the core answered where the Python path raises"
    reps, targets, keep, index = found
    event(f"{min(len(reps), 3)} representations")
    if not sent:
        assert reps == []
        return
    (batch,) = sent
    assert orjson.dumps(reps) == orjson.dumps(batch.representations)
    assert keep == batch.keep_typename
    assert list(index.items()) == list(batch.index.items())
    assert orjson.dumps(targets) == orjson.dumps(batch.targets)
    # the targets are the tree's own objects, so merged answers land in the tree
    for objects in targets:
        for obj in objects:
            obj["__seen"] = True
    assert b"__seen" in orjson.dumps(mine) or not targets


def test_the_switch() -> None:
    with use_native(False):
        assert native_core() is None
    with use_native(True):
        assert native_core() is AVAILABLE
