"""Operation -> query plan, plus the shaping tables the executor needs.

The client's selection is first collected per concrete runtime type (fragments inlined,
`@skip`/`@include` kept as conditions). Each field is then placed in a *fetch group* (one
subgraph request at one response path): locally when the current subgraph resolves it,
otherwise through an `_entities` jump to a subgraph that does, keyed by one of that
subgraph's `@key`s. Key and `@requires` fields are themselves planned in the parent group,
so key-to-key hops and requires needing other subgraphs fall out of the same recursion.
Choices between subgraphs (`@shareable`, `@provides`, several keys) take the cheapest
option by an estimate of the entity jumps the rest of the selection would need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from collections.abc import Sequence as Seq
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    parse,
    print_ast,
)
from graphql.language import Visitor, visit

from ..execution import defer as defer_directive
from ..execution.shaping import ALWAYS, LIST, NONNULL, Cond, ShapeField
from ..supergraph_schema import FieldInGraph, Supergraph
from .plan import (
    Condition,
    ContextValue,
    Defer,
    DeferredFragment,
    EntityInput,
    Fetch,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredFragment,
    RequiredSelection,
    Sequence,
)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# The pseudo-subgraph an event-fed subscription starts from: it "resolves" the root field
# and the representation's fields, nothing else, and is never fetched from.
EVENT = "__event__"


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition gap)."""


# --- conditions -----------------------------------------------------------------------


def _cond_and(a: Cond, b: Cond) -> Cond:
    if a == ALWAYS:
        return b
    if b == ALWAYS:
        return a
    return tuple(sorted({tuple(sorted(set(x) | set(y))) for x in a for y in b}))


def _cond_or(a: Cond, b: Cond) -> Cond:
    if a == ALWAYS or b == ALWAYS:
        return ALWAYS
    return tuple(sorted(set(a) | set(b)))


def _directive_cond(node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> Cond | None:
    """The node's own `@skip`/`@include` as a condition; None when statically excluded."""
    cond = ALWAYS
    for d in node.directives or ():
        name = d.name.value
        if name not in ("skip", "include"):
            continue
        arg = next((a.value for a in d.arguments or () if a.name.value == "if"), None)
        want = name == "include"
        if isinstance(arg, BooleanValueNode):
            if arg.value is not want:
                return None
        elif isinstance(arg, VariableNode):
            cond = _cond_and(cond, (((arg.name.value, want),),))
    return cond


# --- collected client selection ---------------------------------------------------------


@dataclass(eq=False)
class CField:
    """A client (or planner-added) field on one concrete parent type, occurrences merged."""

    key: str
    name: str
    node: FieldNode
    cond: Cond
    source: str
    occurrences: list[tuple[FieldNode, Cond]] = field(default_factory=list)
    sub: dict[str, list[CField]] | None = None
    internal: bool = False
    # the `@defer` fragments its occurrences are in (0: not deferred), one per occurrence
    occurrence_defers: list[int] = field(default_factory=lambda: [0])

    @property
    def defers(self) -> frozenset[int]:
        return frozenset(self.occurrence_defers)


# --- subgraph selection builder ------------------------------------------------------


@dataclass(eq=False)
class SubSel:
    """A selection set being written into one subgraph query."""

    fields: dict[str, SelField] = field(default_factory=dict)
    frags: dict[str, SubSel] = field(default_factory=dict)
    typename: bool = False

    def frag(self, type_name: str) -> SubSel:
        found = self.frags.get(type_name)
        if found is None:
            found = self.frags[type_name] = SubSel()
        return found

    def print(self) -> str:
        parts: list[str] = ["__typename"] if self.typename else []
        for source, f in self.fields.items():
            parts.append(f.print(source))
        for type_name, sub in self.frags.items():
            parts.append(f"... on {type_name} {sub.print()}")
        if not parts:
            parts.append("__typename")
        return "{ " + " ".join(parts) + " }"


@dataclass(eq=False)
class SelField:
    name: str
    args: str
    directives: str
    sub: SubSel | None
    # conditions beyond the field's one `@include` and one `@skip`, as `... @include(..)`
    # fragments around it (a field may carry each directive only once)
    wrappers: tuple[str, ...] = ()
    # a client field placed with its condition: the fetches planned below it (group id ->
    # how many of its triggers came from there), made conditional if a merge drops it
    cond: Cond = ALWAYS
    below: dict[int, int] = field(default_factory=dict)

    def print(self, source: str) -> str:
        head = self.name if source == self.name else f"{source}: {self.name}"
        text = head + self.args + self.directives
        if self.sub is not None:
            text += " " + self.sub.print()
        for wrapper in self.wrappers:
            text = f"... {wrapper} {{ {text} }}"
        return text


def _cond_directives(cond: Cond) -> tuple[str, tuple[str, ...]]:
    """The field's own `@include`/`@skip` and the fragment directives for the rest of a
    condition such as `$a and $b` (from a conditional fragment around a conditional field)."""
    if len(cond) != 1:
        return "", ()
    own: dict[bool, str] = {}
    wrappers: list[str] = []
    for name, want in cond[0]:
        directive = f"@include(if: ${name})" if want else f"@skip(if: ${name})"
        if want in own:
            wrappers.append(directive)
        else:
            own[want] = directive
    return "".join(" " + d for d in own.values()), tuple(wrappers)


# --- fetch groups ----------------------------------------------------------------------


@dataclass(eq=False)
class Group:
    id: int
    graph: str
    path: tuple[str, ...]
    is_entity: bool
    root: SubSel = field(default_factory=SubSel)
    inputs: dict[str, tuple[str, list[CField]]] = field(default_factory=dict)
    deps: set[int] = field(default_factory=set)
    triggers: list[Cond] = field(default_factory=list)
    variables: set[str] = field(default_factory=set)
    mutation_field: int = -1
    defer: int = 0  # the deferred fragment whose payload waits for this fetch (0: none)
    # (depth, ancestor type, selection, type) -> the variable carrying that context value
    context_values: dict[tuple[int, str, str, str], ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class _Level:
    """An object level being planned: where fields of its ancestors' data get fetched,
    so a `@fromContext` argument deeper down can add its selection there."""

    type_name: str
    group: Group
    target: SubSel
    path: tuple[str, ...]
    provided: dict | None


@dataclass(frozen=True)
class PlannedOperation:
    """Everything prepared once per document + operation name."""

    plan: QueryPlan
    root_type: str
    shape: dict[str, tuple[ShapeField, ...]]
    introspection: tuple[str, ...]
    source_to_key: dict[str, str]
    variable_types: dict[str, str]
    event_source: str = ""
    # with active `@defer`s: the primary fetches, then each deferred fragment's
    primary: PlanNode | None = None
    deferred: tuple[DeferredFragment, ...] = ()
    operation: OperationDefinitionNode | None = None
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)


class _VarCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _variables_in(nodes: Iterable[object]) -> set[str]:
    collector = _VarCollector()
    for n in nodes:
        visit(n, collector)  # type: ignore[arg-type]
    return collector.names


class Planner:
    """Plans one operation; create one per (document, operation name)."""

    def __init__(
        self,
        supergraph: Supergraph,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        defers_off: frozenset[str] | None = None,
        override_labels: frozenset[str] = frozenset(),
    ) -> None:
        """`defers_off`: plan active `@defer`s (those not turned off by one of these false
        variables) as deferred fragments; None: every fragment inline. `override_labels`:
        the progressive override labels active for this request (fields labelled so are
        planned in the overriding subgraph, the others in the one overridden)."""
        self.sg = supergraph
        self.labels = override_labels
        self.schema = supergraph.schema
        self.api = supergraph.api_schema
        self.operation = operation
        self.fragments = fragments
        self.groups: list[Group] = []
        self.entity_groups: dict[tuple[object, ...], Group] = {}
        self.alias_counter = 0
        self.source_to_key: dict[str, str] = {}
        self._cost_cache: dict[tuple[object, ...], float] = {}
        self._internal_cache: dict[tuple[int, str], list[CField]] = {}
        self._provides_cache: dict[int, dict] = {}
        self.event_type = ""
        self.event_fields: frozenset[str] = frozenset()
        self._levels: list[_Level] = []
        self._chain: list[tuple[str, str]] = []  # (parent type, field) down to this level
        self._internal_aliases: dict[str, str] = {}
        self._jump_depth = 0
        self._narrowed: dict[tuple[int, str], dict] = {}
        self.defers_off = defers_off if operation.operation.value != "subscription" else None
        # deferred fragment id -> (its selection node, label, enclosing fragment id)
        self.defer_info: dict[int, tuple[object, str | None, int]] = {}
        self._defer_ids: dict[int, int] = {}  # id() of the selection node -> fragment id
        self._waits: dict[int, set[int]] = {}
        self._defer_paths: dict[int, tuple[str, ...]] = {}

    # ---- collection ----

    def _possible(self, type_name: str, api: bool = True) -> list[str]:
        schema = self.api if api else self.schema
        t = schema.get_type(type_name)
        if isinstance(t, GraphQLObjectType):
            return [type_name]
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            found = [p.name for p in schema.get_possible_types(t)]
            # an interface with no implementation at all is only ever served by
            # `@interfaceObject`s: its own fields are all a client can read
            return found or ([type_name] if isinstance(t, GraphQLInterfaceType) else [])
        return []

    def _applies(self, type_condition: str | None, concrete: str) -> bool:
        if type_condition is None or type_condition == concrete:
            return True
        return concrete in self._possible(type_condition, api=False)

    def collect(
        self, selection_set: SelectionSetNode, parent: str, internal: bool = False
    ) -> dict[str, list[CField]]:
        out: dict[str, dict[str, CField]] = {}
        for concrete in self._possible(parent, api=not internal):
            self._collect_into(
                selection_set, concrete, ALWAYS, out.setdefault(concrete, {}), internal
            )
        result: dict[str, list[CField]] = {}
        for concrete, fields in out.items():
            for f in fields.values():
                self._collect_sub(f, concrete, internal)
            result[concrete] = list(fields.values())
        return result

    def _collect_into(
        self,
        sel_set: SelectionSetNode,
        concrete: str,
        cond: Cond,
        out: dict[str, CField],
        internal: bool,
        defer: int = 0,
    ) -> None:
        for sel in sel_set.selections:
            own = _directive_cond(sel)  # type: ignore[arg-type]
            if own is None:
                continue
            c = _cond_and(cond, own)
            d = defer
            if not isinstance(sel, FieldNode) and self.defers_off is not None and not internal:
                directive = defer_directive.active(sel, self.defers_off)
                if directive is not None:
                    d = self._defer_ids.get(id(sel), 0)
                    if not d:
                        d = self._defer_ids[id(sel)] = len(self._defer_ids) + 1
                        self.defer_info[d] = (sel, defer_directive.label(directive), defer)
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                existing = out.get(key)
                if existing is None:
                    out[key] = CField(
                        key,
                        sel.name.value,
                        sel,
                        c,
                        self._source_for(sel, concrete, internal),
                        [(sel, c)],
                        internal=internal,
                        occurrence_defers=[d],
                    )
                else:
                    existing.cond = _cond_or(existing.cond, c)
                    existing.occurrences.append((sel, c))
                    existing.occurrence_defers.append(d)
            elif isinstance(sel, InlineFragmentNode):
                tc = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(tc, concrete):
                    self._collect_into(sel.selection_set, concrete, c, out, internal, d)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                if self._applies(frag.type_condition.name.value, concrete):
                    self._collect_into(frag.selection_set, concrete, c, out, internal, d)

    def _source_for(self, node: FieldNode, concrete: str, internal: bool) -> str:
        """Key of the field in merged data; client aliases that could collide with a real
        field name (or fields with arguments) get a gateway-private alias."""
        name = node.name.value
        key = node.alias.value if node.alias else name
        if internal and (node.arguments or self.sg.retyped(concrete, name)):
            # required fields with arguments: `price(currency: "USD")` and `price(currency:
            # "EUR")` must both reach their representations, so each gets its own alias;
            # so does a key typed differently by some subgraph (sibling fragments clash)
            args = ", ".join(print_ast(a) for a in node.arguments or ())
            signature = f"{concrete}.{name}({args})"
            alias = self._internal_aliases.get(signature)
            if alias is None:
                alias = self._internal_aliases[signature] = f"_r{len(self._internal_aliases) + 1}"
            return alias
        if internal or name.startswith("__"):
            return key
        t = self.schema.get_type(concrete)
        field_defs = getattr(t, "fields", {})
        declared = field_defs.get(name)
        plain = not node.arguments and (declared is None or not declared.args)
        # a field some subgraph types differently could clash with a same-named sibling in
        # another fragment of one subgraph query ("conflicting types ID! and ID")
        retyped = self.sg.retyped(concrete, name)
        if key == name and not retyped and (plain or name not in self.sg.field_set_names):
            return key
        if key != name and key not in field_defs and not retyped:
            return key
        self.alias_counter += 1
        source = f"_a{self.alias_counter}"
        self.source_to_key[source] = key
        return source

    def _field_type(self, parent: str, name: str) -> GraphQLOutputType | None:
        t = self.schema.get_type(parent)
        fields = getattr(t, "fields", None)
        if not fields or name not in fields:
            return None
        return fields[name].type

    def _collect_sub(self, f: CField, parent: str, internal: bool) -> None:
        if f.name.startswith("__"):
            return
        ftype = self._field_type(parent, f.name)
        if ftype is None:
            raise PlanningError(f"Cannot query field {f.name!r} on type {parent!r}.")
        named = get_named_type(ftype)
        if not is_composite_type(named):
            return
        per_type: dict[str, dict[str, CField]] = {}
        for (node, c), d in zip(f.occurrences, f.occurrence_defers, strict=True):
            if node.selection_set is None:
                continue
            rel = ALWAYS if c == f.cond else c
            for concrete in self._possible(named.name, api=not internal):
                self._collect_into(
                    node.selection_set,
                    concrete,
                    rel,
                    per_type.setdefault(concrete, {}),
                    internal,
                    d,
                )
        f.sub = {}
        for concrete, fields in per_type.items():
            for sub in fields.values():
                self._collect_sub(sub, concrete, internal)
            f.sub[concrete] = list(fields.values())

    # ---- resolvability ----

    def _requires(self, type_name: str, field_name: str, graph: str) -> SelectionSetNode | None:
        return self.sg.field_in_graph(type_name, field_name, graph).requires

    def _local(self, graph: str, type_name: str, f: CField, provided: dict | None) -> bool:
        if f.name.startswith("__"):
            return True
        if graph == EVENT:
            root = self._root_type()
            if root is not None and type_name == root.name:
                return True
            return type_name == self.event_type and f.name in self.event_fields
        if provided is not None and f.name in provided:
            return True
        if graph not in self.sg.resolvers(type_name, f.name, self.labels):
            return False
        return not self.sg.field_in_graph(type_name, f.name, graph).needs_representation

    def _jumps(self, graph: str, type_name: str, f: CField) -> list[tuple[str, str]]:
        """(graph, representation type) pairs an entity fetch could resolve `f` from."""
        out: list[tuple[str, str]] = []
        for g in self.sg.resolvers(type_name, f.name, self.labels):
            if g == graph and not self.sg.field_in_graph(type_name, f.name, g).needs_representation:
                continue
            tig = self.sg.graphs_of_type(type_name).get(g)
            if tig is not None and tig.resolvable_keys:
                out.append((g, type_name))
        t = self.schema.get_type(type_name)
        for iface in getattr(t, "interfaces", ()):
            for g, tig in self.sg.graphs_of_type(iface.name).items():
                if (
                    g != graph
                    and tig.is_interface_object
                    and tig.resolvable_keys
                    and g in self.sg.resolvers(iface.name, f.name, self.labels)
                ):
                    out.append((g, iface.name))
        return out

    def _provided_sub(
        self, graph: str, type_name: str, f: CField, provided: dict | None
    ) -> dict | None:
        provides = self.sg.field_in_graph(type_name, f.name, graph).provides
        if provides is not None:
            tree = self._provides_cache.get(id(provides))
            if tree is None:
                tree = self._provides_cache[id(provides)] = _provides_tree(provides)
            return tree
        if provided is not None:
            sub = provided.get(f.name)
            return sub if isinstance(sub, dict) else None
        return None

    def _for_type(self, provided: dict | None, type_name: str) -> dict | None:
        """The part of a `@provides` tree that applies to objects of `type_name` (its
        `... on T` branches are kept apart so a union member never borrows another's)."""
        if provided is None or not any(isinstance(k, tuple) for k in provided):
            return provided
        ck = (id(provided), type_name)
        found = self._narrowed.get(ck)
        if found is None:
            found = {k: v for k, v in provided.items() if not isinstance(k, tuple)}
            for k, v in provided.items():
                if isinstance(k, tuple) and self._applies(k[1], type_name):
                    _merge_tree(found, v)
            self._narrowed[ck] = found
        return found

    def _sub_types(self, graph: str, parent: str, f: CField) -> list[tuple[str, list[CField]]]:
        """Concrete types of `f`'s value that `graph` can return."""
        assert f.sub is not None
        if graph == EVENT:
            return [(t, fields) for t, fields in f.sub.items() if t == self.event_type]
        own_type = self.sg.field_in_graph(parent, f.name, graph).type
        if own_type is not None:  # the subgraph's own (narrower) type for this field
            static = own_type.replace("[", "").replace("]", "").replace("!", "")
        else:
            ftype = self._field_type(parent, f.name)
            static = get_named_type(ftype).name if ftype is not None else ""
        if isinstance(self.schema.get_type(static), GraphQLObjectType):
            return [(t, fields) for t, fields in f.sub.items() if t == static]
        return [
            (t, fields)
            for t, fields in f.sub.items()
            if (graph in self.sg.graphs_of_type(t) and self.sg.member_in(static, t, graph))
            or self._via_interface_object(graph, t)
        ]

    def _via_interface_object(self, graph: str, type_name: str) -> bool:
        t = self.schema.get_type(type_name)
        return any(
            (tig := self.sg.graphs_of_type(i.name).get(graph)) is not None
            and tig.is_interface_object
            for i in getattr(t, "interfaces", ())
        )

    # ---- cost estimate ----

    def cost(
        self,
        graph: str,
        type_name: str,
        fields: Seq[CField],
        provided: dict | None,
        depth: int = 0,
    ) -> float:
        if depth > 8:  # depth counts @requires recursion only, never selection nesting
            return math.inf
        ck = (graph, type_name, tuple(map(id, fields)), id(provided), depth)
        cached = self._cost_cache.get(ck)
        if cached is not None:
            return cached
        total = 0.0
        for f in fields:
            if f.name.startswith("__"):
                continue
            best = math.inf
            if self._local(graph, type_name, f, provided):
                best = self._sub_cost(graph, type_name, f, provided, depth)
            if best > 0:
                for g, rep_type in self._jumps(graph, type_name, f):
                    c = self._jump_cost(graph, type_name, f, g, rep_type, provided, depth)
                    req = self._requires(rep_type, f.name, g)
                    if req is not None:
                        c += self.cost(
                            graph,
                            type_name,
                            self._internal_fields(req, type_name),
                            provided,
                            depth + 1,
                        )
                    best = min(best, c)
            total += best
            if total == math.inf:
                break
        self._cost_cache[ck] = total
        return total

    def _sub_cost(
        self, graph: str, type_name: str, f: CField, provided: dict | None, depth: int
    ) -> float:
        if f.sub is None:
            return 0.0
        sub_provided = self._provided_sub(graph, type_name, f, provided)
        return sum(
            self.cost(graph, t, fields, self._for_type(sub_provided, t), depth)
            for t, fields in self._sub_types(graph, type_name, f)
        )

    def _jump_cost(
        self,
        graph: str,
        type_name: str,
        f: CField,
        target: str,
        rep_type: str,
        provided: dict | None,
        depth: int = 0,
    ) -> float:
        """An entity fetch from `graph` to `target` for `f`: the fetch itself, what it
        selects there and what reaching the key costs here."""
        c = 1 + self._sub_cost(target, rep_type, f, None, depth)
        return c + self._key_cost(graph, type_name, target, rep_type, provided, depth)

    def _key_cost(
        self,
        graph: str,
        type_name: str,
        target: str,
        rep_type: str,
        provided: dict | None,
        depth: int,
    ) -> float:
        keys = self.sg.graphs_of_type(rep_type)[target].resolvable_keys
        best = math.inf
        for key in keys:
            kf = self._internal_fields(key, type_name)
            if all(self._local(graph, type_name, k, provided) for k in kf):
                # a key object's own fields may still need hops (`products { category }`)
                nested = sum(self._sub_cost(graph, type_name, k, provided, depth) for k in kf)
                if nested == 0:
                    return 0.0
                best = min(best, nested)
                continue
            if depth < 6:
                # the key itself needs a hop first (key-to-key): only if that is possible
                best = min(best, 0.5 + self.cost(graph, type_name, kf, provided, depth + 1))
        return best

    def _internal_fields(self, sel: SelectionSetNode, type_name: str) -> list[CField]:
        ck = (id(sel), type_name)
        found = self._internal_cache.get(ck)
        if found is None:
            # collected on `type_name` itself, also when it is an interface (a key or a
            # required selection read on an `@interfaceObject` representation)
            out: dict[str, CField] = {}
            self._collect_into(sel, type_name, ALWAYS, out, True)
            for f in out.values():
                self._collect_sub(f, type_name, True)
            found = self._internal_cache[ck] = list(out.values())
        return found

    # ---- placement ----

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
                raise PlanningError(
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
                group.variables |= _variables_in(node.arguments)
            directives, wrappers = ("", ()) if f.internal else _cond_directives(f.cond)
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
        sub_path = path + (f.source,) + ("@",) * _list_depth(ftype)
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
            self._levels.append(_Level(concrete, group, sub_target, typed, narrowed))
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
            g.triggers[:count] = [_cond_and(cond, t) for t in g.triggers[:count]]

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
        key_fields = _plain_fields(key)
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
            keys = self.sg.graphs_of_type(rep_type)[graph].resolvable_keys
            key_fields = min(
                (self._internal_fields(k, type_name) for k in keys),
                key=lambda kf: self.cost(source.graph, type_name, kf, provided),
            )
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
            while group is not None and not _compatible(group.inputs.get(type_name), input_fields):
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
                _merge_inputs(previous[1], input_fields)
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

    def _context_source(self, context: str, path: tuple[str, ...]) -> _Level | None:
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
        contexts: list[_Level | None],
    ) -> None:
        """Give the placed field its contextual arguments as variables of the fetch."""
        extra: list[str] = []
        for level, ctx in zip(contexts, fig.context_args, strict=True):
            depth, type_name = (len(level.path), level.type_name) if level else (-1, "")
            ck = (depth, type_name, print_ast(ctx.selection), ctx.type)
            value = group.context_values.get(ck)
            if value is None:
                selections = (
                    _required(self._internal_fields(ctx.selection, type_name)) if level else ()
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

    # ---- whole operation ----

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
                self._levels.append(_Level(root, group, group.root, (), None))
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
        return _sequence(
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

    def _root_type(self) -> GraphQLObjectType | None:
        kind = self.operation.operation.value
        return {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[kind]

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

    def _object_valued(self, parent: str, f: CField) -> bool:
        """Whether `f` returns an object type: only then do two subgraphs' answers for it
        describe the same object (a shared value), so parts of it may come from each."""
        ftype = self._field_type(parent, f.name)
        return ftype is not None and isinstance(get_named_type(ftype), GraphQLObjectType)

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

    # ---- plan nodes ----

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
                node = _sequence([self._fetch_node(first, kind), inner])
                assert node is not None
                branches.append(node)
        if len(firsts) == 1:
            return _sequence([self._fetch_node(firsts[0], kind), self._plan_node(rest, kind)])
        after = [g for g in rest if g.id not in owned_ids]
        return _sequence([_parallel(branches), self._plan_node(after, kind)])

    def _fetch_node(self, g: Group, kind: str) -> PlanNode:
        op_name = self.operation.name.value if self.operation.name else None
        sub_name = None
        if op_name:
            sub_name = f"{op_name}__{self.sg.graphs[g.graph].name}__{g.id}"
        selection = g.root.print()
        # only what the printed selection reads: a condition dropped when its field merged
        # with an unconditional twin leaves its variable unused (subgraphs refuse those)
        used = _variables_in([parse(selection)]) if g.variables else set()
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
                EntityInput(data_type, rep_type, _required(fields))
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

    # ---- shaping tables ----

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


def _list_depth(t: GraphQLOutputType) -> int:
    n = 0
    while isinstance(t, GraphQLNonNull | GraphQLList):
        if isinstance(t, GraphQLList):
            n += 1
        t = t.of_type
    return n


def _plain_fields(sel: SelectionSetNode) -> list[CField]:
    """Top-level fields of a field set as planner-internal fields (no type expansion)."""
    return [
        CField(s.name.value, s.name.value, s, ALWAYS, s.name.value, [(s, ALWAYS)], internal=True)
        for s in sel.selections
        if isinstance(s, FieldNode)
    ]


def _provides_tree(sel: SelectionSetNode) -> dict:
    """`{field: True | subtree}`; a typed inline fragment goes under `("on", Type)`."""
    tree: dict = {}
    for s in sel.selections:
        if isinstance(s, FieldNode):
            sub = _provides_tree(s.selection_set) if s.selection_set else True
            _merge_tree(tree, {s.name.value: sub})
        elif isinstance(s, InlineFragmentNode):
            sub = _provides_tree(s.selection_set)
            if s.type_condition is None:
                _merge_tree(tree, sub)
            else:
                _merge_tree(tree, {("on", s.type_condition.name.value): sub})
    return tree


def _merge_tree(into: dict, more: dict) -> None:
    for k, v in more.items():
        prev = into.get(k)
        if isinstance(prev, dict) and isinstance(v, dict):
            merged = dict(prev)
            _merge_tree(merged, v)
            into[k] = merged
        else:
            into[k] = v


def _compatible(previous: tuple[str, list[CField]] | None, fields: list[CField]) -> bool:
    """Whether one representation can carry both field lists (no name read twice from
    differently-argumented fields)."""
    if previous is None:
        return True
    sources = {x.key: x.source for x in previous[1]}
    return all(sources.get(x.key, x.source) == x.source for x in fields)


def _merge_inputs(into: list[CField], more: list[CField]) -> None:
    """Add `more` to a representation's fields: two `@requires` of one fetch may select
    different parts of one object field (`address { id }`, `address { ... on Work { id } }`),
    and the representation needs both. CFields are shared with the planner's caches, so a
    merged field is a copy."""
    at = {x.key: i for i, x in enumerate(into)}
    for x in more:
        i = at.get(x.key)
        if i is None:
            at[x.key] = len(into)
            into.append(x)
            continue
        have = into[i]
        if have.sub is None or x.sub is None or have.sub == x.sub:
            continue
        sub = {t: list(fields) for t, fields in have.sub.items()}
        for t, fields in x.sub.items():
            _merge_inputs(sub.setdefault(t, []), fields)
        into[i] = replace(have, sub=sub)


def _required(fields: list[CField]) -> tuple[RequiredSelection, ...]:
    out: list[RequiredSelection] = []
    for f in fields:
        if f.name == "__typename":
            continue
        source = f.source if f.source != f.name else None
        if f.sub is None:
            out.append(RequiredField(f.name, source=source))
            continue
        if len(f.sub) == 1:
            only = next(iter(f.sub.values()))
            out.append(RequiredField(f.name, _required(only), source))
        else:
            out.append(
                RequiredField(
                    f.name,
                    (
                        RequiredField("__typename"),
                        *(RequiredFragment(t, _required(sub)) for t, sub in f.sub.items()),
                    ),
                    source,
                )
            )
    return tuple(out)


def _sequence(nodes: list[PlanNode | None]) -> PlanNode | None:
    kept: list[PlanNode] = []
    for n in nodes:
        if isinstance(n, Sequence):
            kept.extend(n.nodes)
        elif n is not None:
            kept.append(n)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Sequence(tuple(kept))


def _parallel(nodes: list[PlanNode]) -> PlanNode:
    kept: list[PlanNode] = []
    for n in nodes:
        kept.extend(n.nodes if isinstance(n, Parallel) else (n,))
    return kept[0] if len(kept) == 1 else Parallel(tuple(kept))
