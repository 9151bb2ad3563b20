"""Place each collected field in a fetch group: locally when the current subgraph resolves
it, otherwise through an `_entities` jump keyed by one of the target's `@key`s, with
interface objects, `@context` values and `@defer` handled on the way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from collections.abc import Sequence as Seq
from contextlib import contextmanager
from dataclasses import replace

from graphql import (
    FieldNode,
    GraphQLInputObjectType,
    GraphQLObjectType,
    SelectionSetNode,
    get_named_type,
    print_ast,
)

from ..supergraph_schema import FieldInGraph
from .cost import CostEstimator
from .fields import (
    EVENT,
    INTROSPECTION_FIELDS,
    CField,
    Group,
    Level,
    PlanningError,
    SelField,
    SubSel,
    UnresolvableField,
    compatible_inputs,
    cond_and,
    cond_directives,
    list_depth,
    merge_inputs,
    plain_fields,
    required_selections,
    variables_in,
)
from .plan import (
    ContextValue,
)
from .response_shape import ALWAYS, Cond


class Placement(CostEstimator):
    """Field placement into fetch groups; see `Planner`."""

    def _new_group(self, graph: str, path: tuple[str, ...], is_entity: bool) -> Group:
        g = Group(len(self.groups), graph, path, is_entity)
        self.groups.append(g)
        return g

    def plan_fields(
        self,
        group: Group,
        target: SubSel,
        type_name: str,
        fields: Seq[CField],
        path: tuple[str, ...],
        provided: dict | None,
        allow_requires: bool = False,
    ) -> set[int]:
        """Place `fields` (on concrete `type_name`) into `group` or jumps from it; return the
        ids of the groups that fetch them."""
        providers: set[int] = {group.id}
        for f in fields:
            if f.name == "__typename":
                target.typename = True
                continue
            if f.name in INTROSPECTION_FIELDS:
                continue
            if not f.internal and f.defers != {0}:
                deferred = min(f.defers)
                forced = None
                if deferred and deferred != group.defer:
                    forced = self._deferred_jump(group, type_name, f, provided)
                if forced is not None:
                    providers |= self._place_jump(
                        group, target, type_name, f, path, provided, *forced, defer=deferred
                    )
                    continue
                # fetched with its parent: its fragments' payloads wait for this fetch
                for d in f.defers - {0, group.defer}:
                    self._waits.setdefault(d, set()).add(group.defer)
                    self._defer_paths.setdefault(d, path)
            local = self._local(group.graph, type_name, f, provided) or (
                allow_requires and group.graph in self.sg.resolvers(type_name, f.name, self.labels)
            )
            best: tuple[str, str] | None = None
            if local:
                best_cost = self._sub_cost(group.graph, type_name, f, provided, 0)
            else:
                best_cost = math.inf
            if best_cost > 0:
                for g, rep_type in self._jumps(group.graph, type_name, f):
                    if allow_requires and g == group.graph:
                        continue
                    c = self._jump_cost(group.graph, type_name, f, g, rep_type, provided)
                    if (g, group.path, group.id) in self._existing_targets:
                        c -= 0.5
                    if c < best_cost:
                        best_cost, best = c, (g, rep_type)
            if best is None and not local:
                # no finite estimate: still take the first possible jump rather than fail
                fallback = [
                    j
                    for j in self._jumps(group.graph, type_name, f)
                    if not (allow_requires and j[0] == group.graph)
                ]
                if fallback:
                    best = fallback[0]
            if best is None and not local:
                raise UnresolvableField(
                    f"cannot plan field {type_name}.{f.name}: no subgraph reachable from "
                    f"{self.sg.graphs[group.graph].name!r} resolves it"
                )
            if best is None and best_cost == math.inf and f.sub is not None:
                split = self._split(group.graph, type_name, f, provided)
                if split is not None:
                    here, there, jump = split
                    providers |= self._place_local(group, target, type_name, here, path, provided)
                    providers |= self._place_jump(
                        group, target, type_name, there, path, provided, *jump
                    )
                    continue
            if best is None:
                providers |= self._place_local(group, target, type_name, f, path, provided)
            else:
                providers |= self._place_jump(group, target, type_name, f, path, provided, *best)
        return providers

    def _deferred_jump(
        self, group: Group, type_name: str, f: CField, provided: dict | None
    ) -> tuple[str, str] | None:
        """The entity fetch that gives a deferred field its own request (the same subgraph
        again when it resolves the field by key); None when its parent is no entity."""
        if group.graph == EVENT:
            return None
        options = list(self._jumps(group.graph, type_name, f))
        tig = self.sg.graphs_of_type(type_name).get(group.graph)
        if tig is not None and tig.resolvable_keys and self._local(group.graph, type_name, f, None):
            options.insert(0, (group.graph, type_name))
        best, best_cost = None, math.inf
        for g, rep_type in options:
            c = self._jump_cost(group.graph, type_name, f, g, rep_type, provided)
            if c < best_cost:
                best, best_cost = (g, rep_type), c
        return best

    def _split(
        self, graph: str, type_name: str, f: CField, provided: dict | None
    ) -> tuple[CField, CField, tuple[str, str]] | None:
        """`f` resolves here but part of its selection is reachable from nowhere below it
        (a value type, no keys): fetch that part through an entity jump on the parent."""
        assert f.sub is not None
        if not self._object_valued(type_name, f):
            return None  # objects of an abstract type are not split across subgraphs
        sub_provided = self._provided_sub(graph, type_name, f, provided)
        here: dict[str, list[CField]] = {}
        there: dict[str, list[CField]] = {}
        returnable = {t for t, _ in self._sub_types(graph, type_name, f)}
        for t, fields in f.sub.items():
            for x in fields:
                narrowed = self._for_type(sub_provided, t)
                local = x.name == "__typename" or (
                    t in returnable and self.cost(graph, t, [x], narrowed) < math.inf
                )
                (here if local else there).setdefault(t, []).append(x)
        if not there:
            return None
        remote = replace(f, sub=there)
        for g, rep_type in self._jumps(graph, type_name, f):
            if self._sub_cost(g, rep_type, remote, None, 0) < math.inf:
                return replace(f, sub=here), remote, (g, rep_type)
        return None

    @property
    def _existing_targets(self) -> set[tuple[str, tuple[str, ...], int]]:
        return {(k[0], k[1], k[2]) for k in self.entity_groups}  # type: ignore[misc]

    def _place_local(
        self,
        group: Group,
        target: SubSel,
        type_name: str,
        f: CField,
        path: tuple[str, ...],
        provided: dict | None,
    ) -> set[int]:
        existing = target.fields.get(f.source)
        node = f.node
        if existing is None:
            args = ""
            if node.arguments:
                args = "(" + ", ".join(print_ast(a) for a in node.arguments) + ")"
                group.variables |= variables_in(node.arguments)
            directives, wrappers = ("", ()) if f.internal else cond_directives(f.cond)
            if directives:
                group.variables |= {n for conj in f.cond for n, _ in conj}
            existing = target.fields[f.source] = SelField(
                f.name, args, directives, SubSel() if f.sub is not None else None, wrappers
            )
        elif existing.directives and (f.internal or f.cond == ALWAYS):
            existing.directives = ""
            existing.wrappers = ()
            # the field is now fetched whatever the client's condition: the fetches below
            # the client's selection keep it (else they run, and fail, for nothing)
            self._condition_below(existing.below, existing.cond)
            existing.below = {}
        if f.sub is None:
            return set()
        # a conditional client field merged into an unconditional one: same as above
        merged_cond = (
            f.cond if not f.internal and f.cond != ALWAYS and not existing.directives else None
        )
        first_new = len(self.groups)
        assert existing.sub is not None
        ftype = self._field_type(type_name, f.name)
        assert ftype is not None
        static = get_named_type(ftype).name
        sub_path = path + (f.source,) + ("@",) * list_depth(ftype)
        sub_provided = self._provided_sub(group.graph, type_name, f, provided)
        providers: set[int] = set()
        abstract = not isinstance(self.schema.get_type(static), GraphQLObjectType)
        if abstract:
            existing.sub.typename = True
            tig = self.sg.graphs_of_type(static).get(group.graph)
            if tig is not None and tig.is_interface_object:
                return self._place_interface_object(
                    group, existing.sub, static, f, sub_path, sub_provided
                )
        members = self._sub_types(group.graph, type_name, f)
        if abstract:
            members = self._safe_members(group.graph, type_name, f, members)
        self._chain.append((type_name, f.name))
        try:
            providers |= self._place_members(
                group, existing.sub, static, members, sub_path, sub_provided
            )
        finally:
            self._chain.pop()
        created = {g.id: len(g.triggers) for g in self.groups[first_new:]}
        if merged_cond is not None:
            self._condition_below(created, merged_cond)
        elif existing.directives and not f.internal:
            existing.cond = f.cond
            existing.below.update(created)
        return providers

    def _place_members(
        self,
        group: Group,
        target: SubSel,
        static: str,
        members: list[tuple[str, list[CField]]],
        sub_path: tuple[str, ...],
        sub_provided: dict | None,
    ) -> set[int]:
        """Plan the selection below a field, one concrete type at a time."""
        providers: set[int] = set()
        for concrete, sub_fields in members:
            sub_target = target if concrete == static else target.frag(concrete)
            narrowed = self._for_type(sub_provided, concrete)
            # below an abstract field, paths say which member they go through: a fetch for
            # `UserReview.product` must not also read `AnonymousReview.product`
            typed = sub_path if concrete == static else (*sub_path, f"|{concrete}")
            self._levels.append(Level(concrete, group, sub_target, typed, narrowed))
            try:
                providers |= self.plan_fields(
                    group, sub_target, concrete, sub_fields, typed, narrowed
                )
            finally:
                self._levels.pop()
        return providers

    def _safe_members(
        self, graph: str, parent: str, f: CField, members: list[tuple[str, list[CField]]]
    ) -> list[tuple[str, list[CField]]]:
        """The members of an abstract field's value that every subgraph which could serve
        this path knows (the federation gateway audit's partial-union-complex rule).

        Walking up from the field, a subgraph is a candidate when it resolves every field
        from an entity on the path (where it could be entered by key) down to this one.
        A member that some candidate cannot return is left out of the fetch: its fields
        answer null, as they would had the planner entered that candidate instead."""
        candidates: set[str] | None = None
        others: set[str] = set()
        for type_name, name in reversed([*self._chain, (parent, f.name)]):
            here = set(self.sg.resolvers(type_name, name, self.labels))
            candidates = here if candidates is None else candidates & here
            if not candidates:
                break
            in_graphs = self.sg.graphs_of_type(type_name)
            anchored = {
                g
                for g in candidates
                if (tig := in_graphs.get(g)) is not None and tig.resolvable_keys
            }
            others |= anchored
            candidates -= anchored
        others.discard(graph)
        if not others:
            return members
        kept = []
        for t, fields in members:
            returnable = all(
                t in {c for c, _ in self._sub_types(g, parent, replace(f, sub={t: fields}))}
                for g in others
            )
            if returnable:
                kept.append((t, fields))
        return kept

    def _condition_below(self, below: dict[int, int], cond: Cond) -> None:
        """And `cond` into the triggers the fetches in `below` got from one client field's
        selection (a fetch shared with others keeps their triggers as they are)."""
        for gid, count in below.items():
            g = self.groups[gid]
            g.triggers[:count] = [cond_and(cond, t) for t in g.triggers[:count]]

    def _place_interface_object(
        self,
        group: Group,
        target: SubSel,
        interface: str,
        f: CField,
        path: tuple[str, ...],
        provided: dict | None,
    ) -> set[int]:
        """`f` returns an interface that `group`'s subgraph only knows as an
        `@interfaceObject`: read the interface's own fields there, then ask a subgraph that
        owns the interface (by its key) for the concrete type and the remaining fields."""
        assert f.sub is not None
        owners = [
            g
            for g, tig in self.sg.graphs_of_type(interface).items()
            if not tig.is_interface_object and tig.resolvable_keys
        ]
        if not owners:
            raise PlanningError(f"no subgraph resolves the concrete type of {interface}")
        owner = owners[0]
        here: dict[str, CField] = {}
        declared = getattr(self.schema.get_type(interface), "fields", {})
        # selected on the interface itself (every implementation), not under a condition
        common = (
            set.intersection(*({x.source for x in fs} for fs in f.sub.values())) if f.sub else set()
        )
        for fields in f.sub.values():
            for sub_field in fields:
                # the interface's own fields: here, or from another subgraph that knows the
                # interface (another @interfaceObject) by its key, as Apollo plans them
                if sub_field.name in declared and (
                    self._local(group.graph, interface, sub_field, provided)
                    or (
                        sub_field.source in common
                        and self._jumps(group.graph, interface, sub_field)
                    )
                ):
                    here.setdefault(sub_field.source, sub_field)
        providers = self.plan_fields(group, target, interface, list(here.values()), path, provided)
        by_type = [{x.source for x in fields} for fields in f.sub.values()]
        if not any(x.name == "__typename" for fields in f.sub.values() for x in fields) and all(
            sources == set(here) for sources in by_type
        ):
            # the interface's own fields, the same for every implementation: no need to ask
            # the owner which concrete type each object is
            if f.sub:
                f.sub.setdefault(interface, next(iter(f.sub.values())))
            return providers
        key = self.sg.graphs_of_type(interface)[owner].resolvable_keys[0]
        key_fields = plain_fields(key)
        # the owner is asked by the key alone: it need not wait for the fetches of the
        # interface's own fields (one of a deferred fragment would hold up its parent)
        key_providers = self.plan_fields(group, target, interface, key_fields, path, provided)
        providers |= key_providers
        entity = self._new_group(owner, path, True)
        entity.deps |= key_providers | {group.id}
        entity.mutation_field = group.mutation_field
        entity.defer = group.defer
        entity.inputs[interface] = (interface, key_fields)
        entity.root.typename = True
        entity.triggers.append(f.cond)
        providers.add(entity.id)
        for concrete, fields in f.sub.items():
            # an interface with no implementation at all is collected under its own name:
            # `... on Node` would be invalid inside `_entities`, whose members are objects
            if owner not in self.sg.graphs_of_type(concrete) or not isinstance(
                self.schema.get_type(concrete), GraphQLObjectType
            ):
                continue
            rest = [x for x in fields if x.source not in here or x.name == "__typename"]
            providers |= self.plan_fields(
                entity, entity.root.frag(concrete), concrete, rest, path, None
            )
        return providers

    def _chosen_key(
        self, source: str, graph: str, type_name: str, rep_type: str, provided: dict | None
    ) -> list[CField]:
        """The `graph` key an entity jump from `source` sends: the cheapest to collect.

        Among equally cheap keys, one that `source` declares itself on the type (a
        `resolvable: false` stub's key included) wins, the one with most fields first: a
        subgraph that references an entity by a compound key (`id asOf`, `id tenant`) says
        which entity it means more precisely than by `id` alone, and the owner answers that
        reference (docs/history.md). Otherwise the owner's declaration order decides.
        """
        declared = self.sg.graphs_of_type(rep_type).get(source)
        own = {_key_signature(k) for k in declared.keys} if declared is not None else set()

        def rank(key: SelectionSetNode) -> tuple[float, int]:
            fields = self._internal_fields(key, type_name)
            signature = _key_signature(key)
            preferred = -len(signature) if signature in own else 0
            return (self.cost(source, type_name, fields, provided), preferred)

        best = min(self.sg.graphs_of_type(rep_type)[graph].resolvable_keys, key=rank)
        return self._internal_fields(best, type_name)

    def _place_jump(
        self,
        source: Group,
        target: SubSel,
        type_name: str,
        f: CField,
        path: tuple[str, ...],
        provided: dict | None,
        graph: str,
        rep_type: str,
        defer: int | None = None,
    ) -> set[int]:
        """`defer`: the deferred fragment this fetch is for (else the source's)."""
        group_defer = source.defer if defer is None else defer
        with self._deeper():
            if self._jump_depth > 32:
                raise PlanningError(
                    f"cannot plan field {type_name}.{f.name}: its keys are not reachable from "
                    f"{self.sg.graphs[source.graph].name!r}"
                )
            key_fields = self._chosen_key(source.graph, graph, type_name, rep_type, provided)
            target.typename = True
            # the objects themselves are told apart by their __typename (the representations'
            # inputs), so fetches for several members at one path stay one batched request
            flat = path[:-1] if path and path[-1].startswith("|") else path
            inputs = (
                source.inputs.get(type_name) if source.is_entity and source.path == flat else None
            )
            if inputs is not None and {k.key for k in key_fields} <= {x.key for x in inputs[1]}:
                # the key came in with the representation of this very entity fetch: it is in
                # the data already, so the next hop need not wait for (or go through) it
                deps = set(source.deps)
            else:
                deps = self.plan_fields(source, target, type_name, key_fields, path, provided)
            input_fields = list(key_fields)
            fig = self.sg.field_in_graph(rep_type, f.name, graph)
            requires = fig.requires
            if requires is not None:
                req_fields = self._internal_fields(requires, type_name)
                deps |= self.plan_fields(source, target, type_name, req_fields, path, provided)
                input_fields += req_fields
            contexts = [self._context_source(c.context, path) for c in fig.context_args]
            for level, ctx in zip(contexts, fig.context_args, strict=True):
                if level is not None:
                    level.target.typename = True
                    deps |= self.plan_fields(
                        level.group,
                        level.target,
                        level.type_name,
                        self._internal_fields(ctx.selection, level.type_name),
                        level.path,
                        level.provided,
                    )
            signature = tuple(
                (len(level.path), level.type_name) if level is not None else (-1, "")
                for level in contexts
            )
            gkey = (graph, flat, source.id, frozenset(deps), signature, group_defer)
            group = self.entity_groups.get(gkey)
            while group is not None and not compatible_inputs(
                group.inputs.get(type_name), input_fields
            ):
                gkey = (*gkey, "+")  # type: ignore[assignment]  # other arguments: own fetch
                group = self.entity_groups.get(gkey)
            if group is None:
                group = self.entity_groups[gkey] = self._new_group(graph, flat, True)
                group.deps |= deps
                group.mutation_field = source.mutation_field
                group.defer = group_defer
                if defer is not None:
                    self._defer_paths.setdefault(defer, flat)
            previous = group.inputs.get(type_name)
            if previous is None:
                group.inputs[type_name] = (rep_type, input_fields)
            else:
                merge_inputs(previous[1], input_fields)
            group.triggers.append(f.cond)
            frag = group.root.frag(rep_type)
            placed = self.plan_fields(
                group, frag, rep_type, [f], path, None, allow_requires=fig.needs_representation
            )
            if fig.context_args:
                self._pass_context(group, frag.fields[f.source], fig, contexts)
            return {group.id} | placed

    @contextmanager
    def _deeper(self) -> Iterator[None]:
        """Counts nested jumps: keys needing keys needing keys... end in an error."""
        self._jump_depth += 1
        try:
            yield
        finally:
            self._jump_depth -= 1

    def _context_source(self, context: str, path: tuple[str, ...]) -> Level | None:
        """The nearest ancestor level (strictly above `path`) whose type sets `context`."""
        setters = self.sg.contexts.get(context, frozenset())
        for level in reversed(self._levels):
            if len(level.path) >= len(path):
                continue
            if level.type_name in setters or any(
                level.type_name in self._possible(t, api=False) for t in setters
            ):
                return level
        return None

    def _pass_context(
        self,
        group: Group,
        placed: SelField,
        fig: FieldInGraph,
        contexts: list[Level | None],
    ) -> None:
        """Give the placed field its contextual arguments as variables of the fetch."""
        extra: list[str] = []
        for level, ctx in zip(contexts, fig.context_args, strict=True):
            depth, type_name = (len(level.path), level.type_name) if level else (-1, "")
            ck = (depth, type_name, print_ast(ctx.selection), ctx.type)
            value = group.context_values.get(ck)
            if value is None:
                selections = (
                    required_selections(self._internal_fields(ctx.selection, type_name))
                    if level
                    else ()
                )
                value = group.context_values[ck] = ContextValue(
                    f"contextualArgument_{group.id}_{len(group.context_values)}",
                    ctx.type,
                    depth,
                    (type_name,) if level else (),
                    selections,
                    leaf=not isinstance(
                        self.schema.get_type(ctx.type.strip("[]!")), GraphQLInputObjectType
                    ),
                )
            extra.append(f"{ctx.name}: ${value.variable}")
        if extra[0] in placed.args:
            return
        inner = placed.args[1:-1] if placed.args else ""
        placed.args = "(" + ", ".join([*([inner] if inner else []), *extra]) + ")"


def _key_signature(key: SelectionSetNode) -> frozenset[object]:
    """A key's fields, nested ones included, independent of order and spacing."""
    return frozenset(
        (sel.name.value, _key_signature(sel.selection_set) if sel.selection_set else None)
        if isinstance(sel, FieldNode)
        else print_ast(sel)
        for sel in key.selections
    )
