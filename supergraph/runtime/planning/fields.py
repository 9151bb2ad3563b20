"""The planner's working data: collected fields, sub-selections, fetch groups, and the pure
functions over them (conditions, required selections, node combinators).

No planning decision is made here; `lookups`, `collect`, `cost` and `placement` build on
these types, and `planner` ties them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.language import Visitor, visit

from .plan import (
    ContextValue,
    DeferredFragment,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredFragment,
    RequiredSelection,
    Sequence,
)
from .response_shape import ALWAYS, Cond, ShapeField

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


# The pseudo-subgraph an event-fed subscription starts from: it "resolves" the root field
# and the representation's fields, nothing else, and is never fetched from.
EVENT = "__event__"


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition gap)."""


class UnresolvableField(PlanningError):
    """A field that no subgraph reachable from its parent resolves at all (an interface
    object's field whose owner cannot be reached by key, say): a hole in what the graph
    can answer at that place, which leaves only that field unanswered (`unplannable`).
    Every other planning failure (keys that cannot be fetched, a type no subgraph
    resolves) says the supergraph itself does not hold together, and refuses the whole
    operation, as Apollo's and Hive's routers do."""


def cond_and(a: Cond, b: Cond) -> Cond:
    if a == ALWAYS:
        return b
    if b == ALWAYS:
        return a
    return tuple(sorted({tuple(sorted(set(x) | set(y))) for x in a for y in b}))


def cond_or(a: Cond, b: Cond) -> Cond:
    if a == ALWAYS or b == ALWAYS:
        return ALWAYS
    return tuple(sorted(set(a) | set(b)))


def directive_cond(node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> Cond | None:
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
            cond = cond_and(cond, (((arg.name.value, want),),))
    return cond


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


def cond_directives(cond: Cond) -> tuple[str, tuple[str, ...]]:
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
class Level:
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


def variables_in(nodes: Iterable[object]) -> set[str]:
    collector = _VarCollector()
    for n in nodes:
        visit(n, collector)  # type: ignore[arg-type]
    return collector.names


def list_depth(t: GraphQLOutputType) -> int:
    n = 0
    while isinstance(t, GraphQLNonNull | GraphQLList):
        if isinstance(t, GraphQLList):
            n += 1
        t = t.of_type
    return n


def plain_fields(sel: SelectionSetNode) -> list[CField]:
    """Top-level fields of a field set as planner-internal fields (no type expansion)."""
    return [
        CField(s.name.value, s.name.value, s, ALWAYS, s.name.value, [(s, ALWAYS)], internal=True)
        for s in sel.selections
        if isinstance(s, FieldNode)
    ]


def provides_tree(sel: SelectionSetNode) -> dict:
    """`{field: True | subtree}`; a typed inline fragment goes under `("on", Type)`."""
    tree: dict = {}
    for s in sel.selections:
        if isinstance(s, FieldNode):
            sub = provides_tree(s.selection_set) if s.selection_set else True
            merge_tree(tree, {s.name.value: sub})
        elif isinstance(s, InlineFragmentNode):
            sub = provides_tree(s.selection_set)
            if s.type_condition is None:
                merge_tree(tree, sub)
            else:
                merge_tree(tree, {("on", s.type_condition.name.value): sub})
    return tree


def merge_tree(into: dict, more: dict) -> None:
    for k, v in more.items():
        prev = into.get(k)
        if isinstance(prev, dict) and isinstance(v, dict):
            merged = dict(prev)
            merge_tree(merged, v)
            into[k] = merged
        else:
            into[k] = v


def compatible_inputs(previous: tuple[str, list[CField]] | None, fields: list[CField]) -> bool:
    """Whether one representation can carry both field lists (no name read twice from
    differently-argumented fields)."""
    if previous is None:
        return True
    sources = {x.key: x.source for x in previous[1]}
    return all(sources.get(x.key, x.source) == x.source for x in fields)


def merge_inputs(into: list[CField], more: list[CField]) -> None:
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
            merge_inputs(sub.setdefault(t, []), fields)
        into[i] = replace(have, sub=sub)


def required_selections(fields: list[CField]) -> tuple[RequiredSelection, ...]:
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
            out.append(RequiredField(f.name, required_selections(only), source))
        else:
            out.append(
                RequiredField(
                    f.name,
                    (
                        RequiredField("__typename"),
                        *(
                            RequiredFragment(t, required_selections(sub))
                            for t, sub in f.sub.items()
                        ),
                    ),
                    source,
                )
            )
    return tuple(out)


def sequence_of(nodes: list[PlanNode | None]) -> PlanNode | None:
    kept: list[PlanNode] = []
    for n in nodes:
        if isinstance(n, Sequence):
            kept.extend(n.nodes)
        elif n is not None:
            kept.append(n)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Sequence(tuple(kept))


def parallel_of(nodes: list[PlanNode]) -> PlanNode:
    kept: list[PlanNode] = []
    for n in nodes:
        kept.extend(n.nodes if isinstance(n, Parallel) else (n,))
    return kept[0] if len(kept) == 1 else Parallel(tuple(kept))
