"""Operation -> query plan, plus the shaping tables the executor needs.

The client's selection is first collected per concrete runtime type (fragments inlined,
`@skip`/`@include` kept as conditions). Each field is then placed in a *fetch group* (one
subgraph request at one response path): locally when the current subgraph resolves it,
otherwise through an `_entities` jump to a subgraph that does, keyed by one of that
subgraph's `@key`s. Key and `@requires` fields are themselves planned in the parent group,
so key-to-key hops and requires needing other subgraphs fall out of the same recursion.
Choices between subgraphs (`@shareable`, `@provides`, several keys) take the cheapest
option by an estimate of the entity jumps the rest of the selection would need.

The stages live in their own modules, one class each, stacked: `lookups.PlannerBase` <-
`collect.Collector` <- `cost.CostEstimator` <- `placement.Placement` <- `Planner` (plan
nodes, the root fields, `@defer` and mutations).
"""

from __future__ import annotations

import math
from dataclasses import replace

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    get_named_type,
    parse,
    print_ast,
)

from .fields import (
    EVENT,
    INTROSPECTION_FIELDS,
    CField,
    Group,
    Level,
    PlannedOperation,
    PlanningError,
    parallel_of,
    required_selections,
    sequence_of,
    variables_in,
)
from .placement import Placement
from .plan import (
    Condition,
    Defer,
    DeferredFragment,
    EntityInput,
    Fetch,
    Flatten,
    PlanNode,
    QueryPlan,
)
from .response_shape import ALWAYS, LIST, NONNULL, ShapeField


class Planner(Placement):
    """Plans one operation; create one per (document, operation name)."""

    def plan(self) -> PlannedOperation:
        op = self.operation
        kind = op.operation.value
        root_type_obj = self._root_type()
        if root_type_obj is None:
            raise PlanningError(f"the schema has no {kind} type")
        root = root_type_obj.name
        collected = self.collect(op.selection_set, root).get(root, [])
        introspection = tuple(f.key for f in collected if f.name in INTROSPECTION_FIELDS)
        roots: list[Group] = []
        # a deferred root field gets a root fetch of its own fragment
        by_graph: dict[tuple[str, int], Group] = {}
        for index, f in enumerate(collected):
            if f.name.startswith("__"):
                continue
            # a mutation's root fields run one after another in the primary fetches even
            # when deferred (their payload is what waits): only below them do fetches defer
            deferred = min(f.defers) if kind != "mutation" else 0
            parts = (
                [(None, f)] if kind == "mutation" else self._root_parts(f, [g for g, _ in by_graph])
            )
            for graph, part in parts:
                if graph is None:
                    graph = self._root_graph(f, [roots[-1].graph] if roots else [])
                group = (
                    by_graph.get((graph, deferred))
                    if kind != "mutation"
                    else (roots[-1] if roots and roots[-1].graph == graph else None)
                )
                if group is None:
                    group = self._new_group(graph, (), False)
                    group.mutation_field = index
                    group.defer = deferred
                    roots.append(group)
                    by_graph[(graph, deferred)] = group
                    if deferred:
                        self._defer_paths.setdefault(deferred, ())
                self._levels.append(Level(root, group, group.root, (), None))
                try:
                    self.plan_fields(group, group.root, root, [part], (), None)
                finally:
                    self._levels.pop()
        if self.defer_info:
            return self._plan_deferred(collected, root, introspection, roots, kind)
        if kind == "mutation":
            node = self._mutation_sequence(roots, self.groups)
        else:
            node = self._plan_node(self.groups, kind)
        shape = {root: tuple(self._shape(collected, root))}
        return PlannedOperation(
            QueryPlan(node),
            root,
            shape,
            introspection,
            dict(self.source_to_key),
            self._variable_types(),
        )

    def _mutation_sequence(self, roots: list[Group], groups: list[Group]) -> PlanNode | None:
        """Each root mutation field's fetches, one field after the other."""
        return sequence_of(
            [
                self._plan_node(
                    [g for g in groups if g.mutation_field == r.mutation_field], "mutation"
                )
                for r in roots
            ]
        )

    def _plan_deferred(
        self,
        collected: list[CField],
        root: str,
        introspection: tuple[str, ...],
        roots: list[Group],
        kind: str,
    ) -> PlannedOperation:
        """The primary fetches and, per deferred fragment, its own fetches and the
        fragments whose fetches (or payloads, for nesting) it waits for. In a mutation the
        primary runs the root fields in order; what is deferred below them runs after."""
        by_id = {g.id: g for g in self.groups}
        deferred: list[DeferredFragment] = []
        for d, (node, label, parent) in self.defer_info.items():
            own = [g for g in self.groups if g.defer == d]
            waits = set(self._waits.get(d, ())) | {parent}
            for g in own:
                waits |= {by_id[x].defer for x in g.deps}
            deferred.append(
                DeferredFragment(
                    d,
                    label,
                    self._defer_paths.get(d, ()),
                    self._plan_node(own, "query"),
                    frozenset(waits - {0, d}),
                    parent,
                    node,
                )
            )
        first = [g for g in self.groups if g.defer == 0]
        primary = (
            self._mutation_sequence(roots, first)
            if kind == "mutation"
            else self._plan_node(first, "query")
        )
        deferred_t = tuple(deferred)
        return PlannedOperation(
            QueryPlan(Defer(primary, deferred_t)),
            root,
            {root: tuple(self._shape(collected, root))},
            introspection,
            dict(self.source_to_key),
            self._variable_types(),
            primary=primary,
            deferred=deferred_t,
            operation=self.operation,
            fragments=self.fragments,
        )

    def plan_event(self, entity_type: str, available: frozenset[str]) -> PlannedOperation:
        """Plan a subscription whose root field yields the entity `entity_type`, known only
        by a representation with the fields `available` (an event's entity reference)."""
        root = self._root_type()
        if root is None:
            raise PlanningError("the schema has no subscription type")
        self.event_type, self.event_fields = entity_type, available
        collected = self.collect(self.operation.selection_set, root.name).get(root.name, [])
        fields = [f for f in collected if not f.name.startswith("__")]
        if len(fields) != 1:
            raise PlanningError("a subscription operation must select exactly one root field")
        seed = self._new_group(EVENT, (), False)
        self.plan_fields(seed, seed.root, root.name, fields, (), None)
        node = self._plan_node([g for g in self.groups if g.graph != EVENT], "query")
        return PlannedOperation(
            QueryPlan(node),
            root.name,
            {root.name: tuple(self._shape(collected, root.name))},
            (),
            dict(self.source_to_key),
            self._variable_types(),
            event_source=fields[0].source,
        )

    def _variable_types(self) -> dict[str, str]:
        return {
            v.variable.name.value: print_ast(v.type)
            for v in self.operation.variable_definitions or ()
        }

    def _root_parts(self, f: CField, preferred: list[str]) -> list[tuple[str | None, CField]]:
        """Where to fetch a query root field: one subgraph, or (a shared root field over
        value types no single subgraph can finish) each part of its selection from a
        subgraph that can, merged back into one object."""
        graph = self._root_graph(f, preferred)
        root = self._root_type()
        assert root is not None
        if (
            f.sub is None
            or not self._object_valued(root.name, f)
            or self.cost(graph, root.name, [f], None) < math.inf
        ):
            return [(graph, f)]
        candidates = sorted(
            self.sg.resolvers(root.name, f.name, self.labels), key=lambda g: (g not in preferred, g)
        )
        chosen: dict[str, dict[str, list[CField]]] = {}
        returnable = {g: {t for t, _ in self._sub_types(g, root.name, f)} for g in candidates}
        for t, fields in f.sub.items():
            for x in fields:
                usable = [
                    g
                    for g in candidates
                    if t in returnable[g]
                    and (
                        x.name == "__typename"
                        or self.cost(
                            g, t, [x], self._for_type(self._provided_sub(g, root.name, f, None), t)
                        )
                        < math.inf
                    )
                ]
                if not usable:
                    return [(graph, f)]  # planning reports the unreachable field
                targets = [g for g in usable if g in chosen][:1] or usable[:1]
                if x.name == "__typename":
                    targets = list(chosen) or usable[:1]
                for g in targets:
                    chosen.setdefault(g, {}).setdefault(t, []).append(x)
        return [(g, replace(f, sub=sub)) for g, sub in chosen.items()]

    def _root_graph(self, f: CField, preferred: list[str]) -> str:
        root = self._root_type()
        assert root is not None
        candidates = self.sg.resolvers(root.name, f.name, self.labels)
        if not candidates:
            raise PlanningError(f"no subgraph resolves {root.name}.{f.name}")
        return min(
            candidates,
            # on a tie, the subgraph whose field has a @provides: it was put there to save
            # exactly this kind of hop
            key=lambda g: (
                self.cost(g, root.name, [f], None),
                self.sg.field_in_graph(root.name, f.name, g).provides is None,
                g not in preferred,
            ),
        )

    def _plan_node(self, groups: list[Group], kind: str) -> PlanNode | None:
        """Fetch groups as a tree of `Sequence`/`Parallel`, nested so that a fetch waits
        only for what it depends on where the dependency graph allows: each first fetch
        runs, in parallel with the others, together with the fetches that depend on it
        alone; fetches that join several branches come after."""
        if not groups:
            return None
        ids = {g.id for g in groups}
        deps = {g.id: {d for d in g.deps if d in ids and d != g.id} for g in groups}
        firsts = [g for g in groups if not deps[g.id]]
        if not firsts:  # a cycle cannot happen; keep planning total anyway
            firsts = groups[:1]
        first_ids = {g.id for g in firsts}
        origins: dict[int, frozenset[int]] = {}

        def origin(gid: int) -> frozenset[int]:
            if gid not in origins:
                origins[gid] = frozenset([gid]) if gid in first_ids else frozenset()
                found: set[int] = set()
                for d in deps[gid]:
                    found |= origin(d)
                if gid not in first_ids:
                    origins[gid] = frozenset(found)
            return origins[gid]

        rest = [g for g in groups if g.id not in first_ids]
        branches: list[PlanNode] = []
        owned_ids: set[int] = set()
        for first in firsts:
            owned = [g for g in rest if origin(g.id) == {first.id}]
            owned_ids |= {g.id for g in owned}
            inner = self._plan_node(owned, kind) if len(firsts) > 1 else None
            if len(firsts) > 1:
                node = sequence_of([self._fetch_node(first, kind), inner])
                assert node is not None
                branches.append(node)
        if len(firsts) == 1:
            return sequence_of([self._fetch_node(firsts[0], kind), self._plan_node(rest, kind)])
        after = [g for g in rest if g.id not in owned_ids]
        return sequence_of([parallel_of(branches), self._plan_node(after, kind)])

    def _fetch_node(self, g: Group, kind: str) -> PlanNode:
        op_name = self.operation.name.value if self.operation.name else None
        sub_name = None
        if op_name:
            sub_name = f"{op_name}__{self.sg.graphs[g.graph].name}__{g.id}"
        selection = g.root.print()
        # only what the printed selection reads: a condition dropped when its field merged
        # with an unconditional twin leaves its variable unused (subgraphs refuse those)
        used = variables_in([parse(selection)]) if g.variables else set()
        var_defs = [
            f"${v}: {print_ast(d.type)}"
            + (f" = {print_ast(d.default_value)}" if d.default_value else "")
            for d in self.operation.variable_definitions or ()
            if (v := d.variable.name.value) in used
        ]
        usages = tuple(
            d.variable.name.value
            for d in self.operation.variable_definitions or ()
            if d.variable.name.value in used
        )
        if g.is_entity:
            var_defs[0:0] = [
                "$representations: [_Any!]!",
                *(f"${c.variable}: {c.type}" for c in g.context_values.values()),
            ]
            body = "{ _entities(representations: $representations) " + selection + " }"
            op_kind = "query"
        else:
            body = selection
            op_kind = kind
        head = op_kind
        if sub_name:
            head += f" {sub_name}"
        if var_defs:
            head += "(" + ", ".join(var_defs) + ")"
        fetch = Fetch(
            service_name=self.sg.graphs[g.graph].name,
            operation=f"{head} {body}",
            operation_kind=op_kind,
            operation_name=sub_name,
            variable_usages=usages,
            requires=tuple(
                EntityInput(data_type, rep_type, required_selections(fields))
                for data_type, (rep_type, fields) in g.inputs.items()
            ),
            context_values=tuple(g.context_values.values()),
        )
        node: PlanNode = Flatten(g.path, fetch) if g.is_entity else fetch
        if g.is_entity and g.triggers:
            first = g.triggers[0]
            if first != ALWAYS and len(first) == 1 and all(t == first for t in g.triggers):
                for name, want in reversed(first[0]):
                    node = Condition(name, node, None) if want else Condition(name, None, node)
        return node

    def _shape(self, fields: list[CField], parent: str) -> list[ShapeField]:
        out: list[ShapeField] = []
        for f in fields:
            cond = None if f.cond == ALWAYS else f.cond
            defers = None if 0 in f.defers else f.defers
            if f.name == "__typename":
                out.append(
                    ShapeField(f.key, f.key, (), "String", cond, is_typename=True, defers=defers)
                )
                continue
            if f.name in INTROSPECTION_FIELDS:
                out.append(ShapeField(f.key, f.key, (), "", cond, is_introspection=True))
                continue
            ftype = self._field_type(parent, f.name)
            assert ftype is not None
            wrappers: list[int] = []
            t = ftype
            while isinstance(t, GraphQLNonNull | GraphQLList):
                wrappers.append(NONNULL if isinstance(t, GraphQLNonNull) else LIST)
                t = t.of_type
            named = get_named_type(ftype)
            sf = ShapeField(f.key, f.source, tuple(wrappers), named.name, cond, defers=defers)
            sf.static_type = named.name
            api_named = self.api.get_type(named.name)
            if isinstance(api_named, GraphQLEnumType):
                sf.enum_values = frozenset(api_named.values)
            if f.sub is not None:
                sf.sub = {t: tuple(self._shape(sub, t)) for t, sub in f.sub.items()}
            out.append(sf)
        return out
