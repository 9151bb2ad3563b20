"""Representations of an `_entities` fetch on the compiled core.

`Executor._entity_fetch` walks to the objects at the fetch's path, builds each object's
representation and deduplicates them by their JSON bytes; for a fetch without
`@fromContext` values the compiled core does all three in one call. The fetch's
`EntityInput`s are compiled once per (fetch, supergraph): selections as nested tuples, and
which input serves each `__typename` (its own type first, else the first abstract input
type it belongs to, as `Executor._input_for` chooses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ..planning.plan import EntityInput, Fetch, RequiredField, RequiredSelection
from .compiled_cache import CompiledCache
from .core import native_core

_plans: CompiledCache[Any] = CompiledCache()

# (representations, the objects each one feeds, keep-typename flags, index by JSON bytes)
Batch = tuple[list[dict[str, Any]], list[list[dict[str, Any]]], list[bool], dict[bytes, int]]


def _selections(
    selections: tuple[RequiredSelection, ...], possible: Mapping[str, frozenset[str]]
) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for sel in selections:
        if isinstance(sel, RequiredField):
            sub = None if sel.selections is None else _selections(sel.selections, possible)
            out.append(("f", sel.name, sel.source or sel.name, sub))
        else:
            types = {sel.type_condition, *possible.get(sel.type_condition, frozenset())}
            out.append(("t", sorted(types), _selections(sel.selections, possible)))
    return out


def _compile(fetch: Fetch, possible: Mapping[str, frozenset[str]], core: Any) -> Any:
    inputs: dict[str, EntityInput] = {i.data_type: i for i in fetch.requires}
    order = list(inputs)
    by_type = {data_type: order.index(data_type) for data_type in inputs}
    members = {t for data_type in inputs for t in possible.get(data_type, frozenset())}
    for typename in members - set(inputs):
        for position, data_type in enumerate(order):
            if typename in possible.get(data_type, frozenset()):
                by_type[typename] = position
                break
    compiled = [
        (i.rep_type, i.rep_type != i.data_type, _selections(i.selections, possible))
        for i in inputs.values()
    ]
    return core.EntityPlan(compiled, by_type, orjson.dumps)


def entity_batch(
    data: dict[str, Any],
    path: tuple[str, ...],
    fetch: Fetch,
    possible: Mapping[str, frozenset[str]],
) -> Batch | None:
    """The fetch's one batch built by the compiled core, or None: use the Python path."""
    core = native_core()
    if core is None or fetch.context_values or type(data) is not dict:
        return None
    plan = _plans.get((fetch, possible), lambda: _compile(fetch, possible, core))
    found: Batch | None = plan.batch(data, path)
    return found
