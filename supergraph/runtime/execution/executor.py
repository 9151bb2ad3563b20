"""Run a query plan: fetch from subgraphs, merge into one tree, then shape the response.

Entity fetches read the objects at their `Flatten` path, send one `_entities` request per
step with deduplicated representations and merge each answer into every object that asked
for it. Subgraph errors are kept with their extensions (plus `serviceName`) and their paths
rewritten into the client's response; a failed subgraph leaves its fields null.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..caching.entity_cache import EntityCache
from ..fetching.fetcher import Fetcher, FetchFailure
from ..native import entity_batch, native_merge
from ..planning.fields import PlannedOperation
from ..planning.plan import (
    Condition,
    ContextValue,
    Defer,
    EntityInput,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    RequiredField,
    RequiredSelection,
    Sequence,
)
from ..plugins.api import Plugins, SubgraphRequest


@dataclass
class _Batch:
    """Representations sent in one `_entities` request, and the objects each one feeds."""

    context: dict[str, Any]
    representations: list[dict[str, Any]] = field(default_factory=list)
    targets: list[list[dict[str, Any]]] = field(default_factory=list)
    keep_typename: list[bool] = field(default_factory=list)
    index: dict[bytes, int] = field(default_factory=dict)


@dataclass
class RunState:
    """One request's merged data and errors while its plan runs."""

    variables: Mapping[str, Any]
    headers: Mapping[str, str]
    source_to_key: Mapping[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)  # the plugins' (plugins.py)


class Executor:
    """Runs plans against subgraphs found by service name."""

    def __init__(
        self,
        fetcher: Fetcher,
        urls: Mapping[str, str],
        possible: Mapping[str, frozenset[str]],
        plugins: Plugins | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.urls = dict(urls)
        self.possible = possible
        self.plugins = plugins or Plugins()
        self.entity_cache: EntityCache | None = None  # entity_cache.py, set by create_app

    async def _post(
        self,
        service: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        state: RunState,
    ) -> dict[str, Any] | FetchFailure:
        """One subgraph call, answered in part or whole by the entity cache when the
        subgraph declares `@cacheable` answers."""
        cache = self.entity_cache
        if cache is None or not cache.covers(service):
            return await self._send(service, query, variables, operation_name, state)

        async def send(sent: Mapping[str, Any] | None) -> dict[str, Any] | FetchFailure:
            return await self._send(service, query, sent, operation_name, state)

        return await cache.post(service, query, variables, state.headers, send)

    async def _send(
        self,
        service: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        state: RunState,
    ) -> dict[str, Any] | FetchFailure:
        """One subgraph call, through the plugins' subgraph stage when there are any."""
        url = self.urls[service]
        if not self.plugins:
            return await self.fetcher.post(
                service, url, query, variables, operation_name, state.headers
            )
        request = SubgraphRequest(
            service, url, query, variables, operation_name, dict(state.headers), state.context
        )
        answer = await self.plugins.subgraph_request(request)
        if answer is None:
            result = await self.fetcher.post(
                service,
                request.url,
                request.query,
                request.variables,
                request.operation_name,
                request.headers,
            )
            if isinstance(result, FetchFailure):
                return result
            answer = result
        return await self.plugins.subgraph_response(request, answer)

    async def run(self, planned: PlannedOperation, state: RunState) -> None:
        node = planned.plan.node
        if node is not None:
            await self._node(node, state)

    async def run_node(self, node: PlanNode | None, state: RunState) -> None:
        """Run one part of a plan (a `Defer` node's primary or deferred fetches)."""
        if node is not None:
            await self._node(node, state)

    async def _node(self, node: PlanNode, state: RunState) -> None:
        if isinstance(node, Defer):  # all at once: the primary, then the fragments in order
            await self.run_node(node.primary, state)
            for deferred in node.deferred:
                await self.run_node(deferred.node, state)
        elif isinstance(node, Fetch):
            await self._root_fetch(node, state)
        elif isinstance(node, Flatten):
            await self._entity_fetch(node, state)
        elif isinstance(node, Sequence):
            for child in node.nodes:
                await self._node(child, state)
        elif isinstance(node, Parallel):
            await asyncio.gather(*(self._node(child, state) for child in node.nodes))
        elif isinstance(node, Condition):
            chosen = node.if_clause if state.variables.get(node.condition) else node.else_clause
            if chosen is not None:
                await self._node(chosen, state)

    def _variables(self, fetch: Fetch, state: RunState) -> dict[str, Any]:
        return {v: state.variables[v] for v in fetch.variable_usages if v in state.variables}

    async def _root_fetch(self, fetch: Fetch, state: RunState) -> None:
        result = await self._post(
            fetch.service_name,
            fetch.operation,
            self._variables(fetch, state),
            fetch.operation_name,
            state,
        )
        if isinstance(result, FetchFailure):
            state.errors.append(_failure_error(fetch.service_name, result))
            return
        data = result.get("data")
        if isinstance(data, dict):
            deep_merge(state.data, data)
        for error in result.get("errors") or ():
            path = error.get("path") if isinstance(error, dict) else None
            state.errors.append(
                self._downstream(fetch.service_name, error, self._client_path(path, state))
            )

    async def _entity_fetch(self, node: Flatten, state: RunState) -> None:
        fetch = node.node
        inputs = {i.data_type: i for i in fetch.requires}
        compiled = entity_batch(state.data, node.path, fetch, self.possible)  # runtime/native/
        if compiled is not None:  # None: the compiled core is off or leaves it to the walk below
            if compiled[0]:
                await self._send_batch(node, _Batch({}, *compiled), inputs, state)
            return
        found: list[tuple[dict[str, Any], dict[int, dict[str, Any]] | None]]
        if fetch.context_values:
            depths = frozenset(c.depth for c in fetch.context_values)
            found = [(o, seen) for o, _, seen in collect_located(state.data, node.path, depths)]
        else:
            found = [(obj, None) for obj in collect_at_path(state.data, node.path)]
        # one request per distinct set of contextual argument values (usually just one)
        batches: dict[bytes, _Batch] = {}
        for obj, ancestors in found:
            entity_input = self._input_for(inputs, obj.get("__typename"))
            if entity_input is None:
                continue
            rep = self._representation(obj, entity_input)
            if rep is None:
                continue
            context: dict[str, Any] = {}
            if ancestors is not None:
                found_context = self._context_variables(fetch.context_values, ancestors)
                if found_context is None:
                    continue
                context = found_context
            batch_key = orjson.dumps(context) if context else b""
            batch = batches.get(batch_key)
            if batch is None:
                batch = batches[batch_key] = _Batch(context)
            rep_key = orjson.dumps(rep)
            position = batch.index.get(rep_key)
            if position is None:
                batch.index[rep_key] = len(batch.representations)
                batch.representations.append(rep)
                batch.targets.append([obj])
                batch.keep_typename.append(entity_input.rep_type != entity_input.data_type)
            else:
                batch.targets[position].append(obj)
        if len(batches) == 1:
            await self._send_batch(node, next(iter(batches.values())), inputs, state)
        elif batches:
            await asyncio.gather(
                *(self._send_batch(node, b, inputs, state) for b in batches.values())
            )

    async def _send_batch(
        self, node: Flatten, batch: _Batch, inputs: Mapping[str, EntityInput], state: RunState
    ) -> None:
        fetch = node.node
        variables = self._variables(fetch, state)
        variables.update(batch.context)
        variables["representations"] = batch.representations
        result = await self._post(
            fetch.service_name, fetch.operation, variables, fetch.operation_name, state
        )
        if isinstance(result, FetchFailure):
            # one error per failed request, pointing at the first object it was to complete
            error = _failure_error(fetch.service_name, result)
            objects = self._object_paths(state.data, node.path, inputs, batch.index).get(0)
            if objects is not None:
                error = {
                    "message": error["message"],
                    "path": self._client_path(objects[0], state),
                    "extensions": error["extensions"],
                }
            state.errors.append(error)
            return
        data = result.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        targets = batch.targets
        if isinstance(entities, list):
            for position, entity in enumerate(entities[: len(targets)]):
                if isinstance(entity, dict):
                    # an object sent under its interface (@interfaceObject) keeps its own
                    # __typename; one known only by its interface learns the concrete one
                    keep = batch.keep_typename[position]
                    for obj in targets[position]:
                        deep_merge(obj, entity, keep_typename=keep)
        errors = result.get("errors") or ()
        if not errors:
            return
        all_paths = self._object_paths(state.data, node.path, inputs, batch.index)
        first_paths = {position: paths[0] for position, paths in all_paths.items()}
        for error in errors:
            path = error.get("path") if isinstance(error, dict) else None
            client_path = None
            if isinstance(path, list) and len(path) >= 2 and isinstance(path[1], int):
                # one representation may stand for several objects (the same entity at
                # several places): each of them gets the error, as if fetched on its own
                bases = all_paths.get(path[1], [[]])
                for base in bases[1:]:
                    located = self._client_path(base + path[2:], state)
                    state.errors.append(self._downstream(fetch.service_name, error, located))
                client_path = self._client_path(bases[0] + path[2:], state)
            elif 0 in first_paths:
                # no entity index (`["_entities"]`, or no path): like a failed request, the
                # error belongs to the first object this fetch was to complete
                client_path = self._client_path(first_paths[0], state)
            state.errors.append(self._downstream(fetch.service_name, error, client_path))

    def _object_paths(
        self,
        data: dict[str, Any],
        path: tuple[str, ...],
        inputs: Mapping[str, EntityInput],
        index: Mapping[bytes, int],
    ) -> dict[int, list[list[str | int]]]:
        """Response paths of the objects behind each representation, in response order
        (errors only)."""
        found: dict[int, list[list[str | int]]] = {}
        for obj, obj_path, _ in collect_located(data, path):
            entity_input = self._input_for(inputs, obj.get("__typename"))
            if entity_input is None:
                continue
            rep = self._representation(obj, entity_input)
            if rep is None:
                continue
            position = index.get(orjson.dumps(rep))
            if position is not None:
                found.setdefault(position, []).append(obj_path)
        return found

    def _input_for(self, inputs: Mapping[str, EntityInput], typename: Any) -> EntityInput | None:
        """How to represent an object of `typename`: by its own type, else by an abstract
        type it belongs to (an `@interfaceObject`'s object whose concrete type a fetch
        before this one, e.g. of the primary when this fetch is deferred, has learnt)."""
        found = inputs.get(typename)
        if found is None and typename is not None:
            for data_type, entity_input in inputs.items():
                if typename in self.possible.get(data_type, frozenset()):
                    return entity_input
        return found

    def _representation(
        self, obj: dict[str, Any], entity_input: EntityInput
    ) -> dict[str, Any] | None:
        rep: dict[str, Any] = {"__typename": entity_input.rep_type}
        for sel in entity_input.selections:
            if isinstance(sel, RequiredField):
                source = sel.source or sel.name
                if source not in obj:
                    return None
                rep[sel.name] = self._copy(obj[source], sel)
            elif self._applies(sel.type_condition, obj.get("__typename")):
                nested = self._representation(obj, EntityInput("", "", sel.selections))
                if nested is None:
                    return None
                nested.pop("__typename")
                rep.update(nested)
        return rep

    def _context_variables(
        self, values: tuple[ContextValue, ...], ancestors: Mapping[int, dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The contextual argument values for one entity; None when its ancestor is not of
        the type this fetch was planned for (another fetch serves that entity)."""
        out: dict[str, Any] = {}
        for value in values:
            if value.depth < 0:
                out[value.variable] = None
                continue
            ancestor = ancestors.get(value.depth)
            if ancestor is None:
                return None
            typename = ancestor.get("__typename")
            if typename is not None and not any(self._applies(t, typename) for t in value.types):
                return None
            found: Any = self._copy_object(ancestor, value.selections)
            found = next(iter(found.values()), None)
            while value.leaf and isinstance(found, dict) and len(found) == 1:
                found = next(iter(found.values()))
            out[value.variable] = found
        return out

    def _copy(self, value: Any, sel: RequiredField) -> Any:
        if sel.selections is None or value is None:
            return value
        if isinstance(value, list):
            return [self._copy(v, sel) for v in value]
        if not isinstance(value, dict):
            return value
        return self._copy_object(value, sel.selections)

    def _copy_object(
        self, value: dict[str, Any], selections: tuple[RequiredSelection, ...]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in selections:
            if isinstance(s, RequiredField):
                source = s.source or s.name
                if source in value:
                    out[s.name] = self._copy(value[source], s)
            elif self._applies(s.type_condition, value.get("__typename")):
                out.update(self._copy_object(value, s.selections))
        return out

    def _applies(self, type_condition: str, typename: Any) -> bool:
        if typename == type_condition:
            return True
        return typename in self.possible.get(type_condition, frozenset())

    def _client_path(self, path: Any, state: RunState) -> list[str | int] | None:
        if not isinstance(path, list):
            return None
        mapping = state.source_to_key
        return [mapping.get(p, p) if isinstance(p, str) else p for p in path]

    @staticmethod
    def _downstream(service: str, error: Any, path: list[str | int] | None) -> dict[str, Any]:
        if not isinstance(error, dict):
            error = {"message": str(error)}
        message = error.get("message") or f'Error while fetching subquery from service "{service}"'
        extensions = dict(error.get("extensions") or {})
        extensions.setdefault("code", "DOWNSTREAM_SERVICE_ERROR")
        extensions["serviceName"] = service
        out: dict[str, Any] = {"message": message}
        if path is not None:
            out["path"] = path
        out["extensions"] = extensions
        return out


def _failure_error(service: str, failure: FetchFailure) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": failure.code, "service": service}
    if failure.status is not None:
        extensions["http"] = {"status": failure.status}
    return {"message": failure.message, "extensions": extensions}


def deep_merge(target: dict[str, Any], source: dict[str, Any], keep_typename: bool = False) -> None:
    """Merge `source` into `target` in place (objects recursively, lists element-wise)."""
    if native_merge(target, source, keep_typename):  # the compiled core, when it is on
        return
    for key, value in source.items():
        if key not in target:
            target[key] = value
            continue
        if keep_typename and key == "__typename":
            continue
        existing = target[key]
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value)
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for i, value in enumerate(source[: len(target)]):
        existing = target[i]
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value)
        elif isinstance(existing, list) and isinstance(value, list):
            _merge_lists(existing, value)


def collect_at_path(data: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The objects at `path` in the merged data (`"@"` flattens a list)."""
    current: list[Any] = [data]
    for segment in path:
        following: list[Any] = []
        if segment[0] == "|":  # only the objects of one member of an abstract type
            typename = segment[1:]
            following = [
                v for v in current if isinstance(v, dict) and v.get("__typename") == typename
            ]
        elif segment == "@":
            for value in current:
                if isinstance(value, list):
                    following.extend(v for v in value if v is not None)
        else:
            for value in current:
                if isinstance(value, dict):
                    v = value.get(segment)
                    if v is not None:
                        following.append(v)
        current = following
    return [v for v in current if isinstance(v, dict)]


# a value found along a path, its response path, its ancestors at the depths asked for
_Located = tuple[Any, list[str | int], dict[int, dict[str, Any]]]


def collect_located(
    data: dict[str, Any], path: tuple[str, ...], depths: frozenset[int] = frozenset()
) -> list[tuple[dict[str, Any], list[str | int], dict[int, dict[str, Any]]]]:
    """Like `collect_at_path`, with each object's response path and its ancestors at the
    given path depths (for error paths and `@fromContext` values; off the hot path)."""
    current: list[_Located] = [(data, [], {})]
    for depth, segment in enumerate(path):
        if depth in depths:
            current = [
                (v, at, {**seen, depth: v}) if isinstance(v, dict) else (v, at, seen)
                for v, at, seen in current
            ]
        following: list[_Located] = []
        for value, at, seen in current:
            if segment[0] == "|":  # only the objects of one member of an abstract type
                if isinstance(value, dict) and value.get("__typename") == segment[1:]:
                    following.append((value, at, seen))
            elif segment == "@":
                if isinstance(value, list):
                    following.extend(
                        (v, [*at, i], seen) for i, v in enumerate(value) if v is not None
                    )
            elif isinstance(value, dict) and value.get(segment) is not None:
                following.append((value[segment], [*at, segment], seen))
        current = following
    return [(v, at, seen) for v, at, seen in current if isinstance(v, dict)]
