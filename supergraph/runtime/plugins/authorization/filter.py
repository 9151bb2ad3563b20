"""The filter: remove from an operation every field and fragment the request may not see,
and record what was removed so the response can put nulls and errors back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)

from .reporting import (
    INTROSPECTION,
    TYPENAME_ALIAS,
    UNAUTHORIZED,
    UNAUTHORIZED_MESSAGE,
)
from .requirements import (
    NONE,
    Mentioned,
    Outcome,
    Requirements,
)

# A @skip/@include condition: (variable name or None, literal value, wanted value).
SkipCond = tuple[str | None, bool, bool]


@dataclass
class Removed:
    """A response key the filter removed from objects at one level of the response."""

    key: str
    conditions: tuple[str, ...]  # type conditions the object's type must satisfy
    skips: tuple[SkipCond, ...]
    non_null: bool
    # the `@defer(if:)`s of the fragments around it (as SkipConds: deferred when one holds);
    # such a field is reported in its fragment's payload, not the initial one
    defers: tuple[SkipCond, ...] = ()


@dataclass
class Kept:
    """A kept field at one level whose subtree had something removed."""

    key: str
    conditions: tuple[str, ...]
    skips: tuple[SkipCond, ...]
    wrappers: tuple[bool, ...]  # per list level and the item: True = non-null
    level: Level


@dataclass
class Level:
    """One selection set of the client's operation: removals, subtrees, key order."""

    static_type: str
    abstract: bool
    order: list[tuple[str, tuple[str, ...], tuple[SkipCond, ...]]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    typename_added: bool = False

    @property
    def touched(self) -> bool:
        return bool(self.removed or self.kept)


@dataclass(frozen=True)
class Filtered:
    """A filtered operation: its text (None when all of it was removed) and removals."""

    document: str | None
    level: Level

    @property
    def everything_removed(self) -> bool:
        return self.document is None

    def errors(self) -> list[dict[str, Any]]:
        """One error per removed field, at its path in the operation (`"@"` for list
        items), for refusing the operation outright (before it runs) or a dry run. A
        key removed under several fragments is reported once."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, ...]] = set()

        def walk(level: Level, prefix: list[str]) -> None:
            for removed in level.removed:
                path = (*prefix, removed.key)
                if path not in seen:
                    seen.add(path)
                    out.append(denied_error(list(path)))
            for kept in level.kept:
                walk(kept.level, [*prefix, kept.key, *["@"] * (len(kept.wrappers) - 1)])

        walk(self.level, [])
        return out


def denied_error(path: list[str | int] | list[str]) -> dict[str, Any]:
    return {"message": UNAUTHORIZED_MESSAGE, "path": path, "extensions": {"code": UNAUTHORIZED}}


class PossibleTypes:
    """The object types a value of a type can be (itself for an object type), cached."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._found: dict[str, tuple[str, ...]] = {}

    def __call__(self, type_name: str) -> tuple[str, ...]:
        found = self._found.get(type_name)
        if found is None:
            t = self.schema.get_type(type_name)
            if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
                found = tuple(p.name for p in self.schema.get_possible_types(t))
            else:
                found = (type_name,)
            self._found[type_name] = found
        return found


class Filter:
    """One traversal of an operation against the requirements, deciding with `decider`."""

    def __init__(
        self,
        schema: GraphQLSchema,
        requirements: Requirements,
        decider: Outcome | Mentioned,
        fragments: Mapping[str, FragmentDefinitionNode],
        possible: PossibleTypes,
    ) -> None:
        self.schema = schema
        self.reqs = requirements
        self.decider = decider
        self.fragments = fragments
        self.possible = possible

    def type_allowed(self, type_name: str) -> bool:
        return self.decider.allows(self.reqs.types.get(type_name, NONE))

    def field_allowed(self, parent: GraphQLNamedType, name: str, returns: str) -> bool:
        req = self.reqs.fields.get((parent.name, name), NONE)
        if isinstance(parent, GraphQLInterfaceType):
            for impl in self.possible(parent.name):
                req = req & self.reqs.types.get(impl, NONE)
                req = req & self.reqs.fields.get((impl, name), NONE)
        req = req & self.reqs.types.get(returns, NONE)
        return self.decider.allows(req)

    def operation(self, op: OperationDefinitionNode) -> tuple[SelectionSetNode, Level]:
        root = self.schema.get_root_type(op.operation)
        assert root is not None
        level = Level(root.name, False)
        if not self.type_allowed(root.name):
            self._remove_all(op.selection_set, root, (), (), level, keep_introspection=True)
            kept = [
                s
                for s in op.selection_set.selections
                if isinstance(s, FieldNode) and s.name.value in INTROSPECTION
            ]
            return SelectionSetNode(selections=tuple(kept)), level
        return self.selection_set(op.selection_set, root, (), (), level), level

    def selection_set(
        self,
        sel_set: SelectionSetNode,
        parent: GraphQLNamedType,
        conditions: tuple[str, ...],
        skips: tuple[SkipCond, ...],
        level: Level,
        defers: tuple[SkipCond, ...] = (),
    ) -> SelectionSetNode:
        out: list[SelectionNode] = []
        for sel in sel_set.selections:
            own = skips + _skip_conditions(sel.directives)
            if isinstance(sel, FieldNode):
                kept = self.field(sel, parent, conditions, own, level, defers)
                if kept is not None:
                    out.append(kept)
                continue
            if isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                type_condition: NamedTypeNode | None = frag.type_condition
                inner = frag.selection_set
            else:
                assert isinstance(sel, InlineFragmentNode)
                type_condition = sel.type_condition
                inner = sel.selection_set
            target = parent
            conds = conditions
            deferred = defers + _defer_conditions(sel.directives)
            if type_condition is not None:
                named = self.schema.get_type(type_condition.name.value)
                assert named is not None
                target = named
                if named.name != parent.name:
                    conds = (*conditions, named.name)
                if not self.type_allowed(named.name):
                    self._remove_all(inner, named, conds, own, level, defers=deferred)
                    continue
            filtered = self.selection_set(inner, target, conds, own, level, deferred)
            if filtered.selections:
                # named fragments are inlined: filtering may differ from one use to another
                out.append(
                    InlineFragmentNode(
                        type_condition=type_condition,
                        directives=sel.directives,
                        selection_set=filtered,
                    )
                )
        return SelectionSetNode(selections=tuple(out))

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        conditions: tuple[str, ...],
        skips: tuple[SkipCond, ...],
        level: Level,
        defers: tuple[SkipCond, ...] = (),
    ) -> FieldNode | None:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename" or name in INTROSPECTION:
            level.order.append((key, conditions, skips))
            return node
        field_def = getattr(parent, "fields", {}).get(name)
        assert field_def is not None, f"{parent.name}.{name} passed validation"
        named = get_named_type(field_def.type)
        level.order.append((key, conditions, skips))
        removed = Removed(
            key, conditions, skips, isinstance(field_def.type, GraphQLNonNull), defers
        )
        if not self.field_allowed(parent, name, named.name):
            level.removed.append(removed)
            return None
        if node.selection_set is None:
            return node
        abstract = isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
        sub = Level(named.name, abstract)
        filtered = self.selection_set(node.selection_set, named, (), (), sub)
        if not filtered.selections:
            level.removed.append(removed)
            return None
        if sub.touched:
            level.kept.append(Kept(key, conditions, skips, _wrappers(field_def.type), sub))
            if abstract and _needs_typename(sub):
                sub.typename_added = True
                filtered = SelectionSetNode(
                    selections=(
                        *filtered.selections,
                        FieldNode(
                            alias=NameNode(value=TYPENAME_ALIAS), name=NameNode(value="__typename")
                        ),
                    )
                )
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=filtered,
        )

    def _remove_all(
        self,
        sel_set: SelectionSetNode,
        parent: GraphQLNamedType,
        conditions: tuple[str, ...],
        skips: tuple[SkipCond, ...],
        level: Level,
        keep_introspection: bool = False,
        defers: tuple[SkipCond, ...] = (),
    ) -> None:
        """Record every field of a removed fragment (or root) as removed at this level."""
        for sel in sel_set.selections:
            own = skips + _skip_conditions(sel.directives)
            if isinstance(sel, FieldNode):
                name = sel.name.value
                key = sel.alias.value if sel.alias else name
                level.order.append((key, conditions, own))
                if name == "__typename" or (keep_introspection and name in INTROSPECTION):
                    continue
                field_def = getattr(parent, "fields", {}).get(name)
                non_null = field_def is not None and isinstance(field_def.type, GraphQLNonNull)
                level.removed.append(Removed(key, conditions, own, non_null, defers))
                continue
            tc: NamedTypeNode | None
            if isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                tc, inner = frag.type_condition, frag.selection_set
            else:
                assert isinstance(sel, InlineFragmentNode)
                tc, inner = sel.type_condition, sel.selection_set
            target, conds = parent, conditions
            if tc is not None:
                named = self.schema.get_type(tc.name.value)
                assert named is not None
                target = named
                if named.name != parent.name:
                    conds = (*conditions, named.name)
            self._remove_all(
                inner,
                target,
                conds,
                own,
                level,
                keep_introspection,
                defers + _defer_conditions(sel.directives),
            )


def _needs_typename(level: Level) -> bool:
    return any(r.conditions for r in level.removed) or any(k.conditions for k in level.kept)


def _wrappers(t: GraphQLOutputType) -> tuple[bool, ...]:
    out: list[bool] = []
    while True:
        non_null = isinstance(t, GraphQLNonNull)
        if non_null:
            t = t.of_type  # type: ignore[union-attr]
        out.append(non_null)
        if isinstance(t, GraphQLList):
            t = t.of_type
            continue
        return tuple(out)


def _defer_conditions(directives: Iterable[DirectiveNode] | None) -> tuple[SkipCond, ...]:
    """A fragment's `@defer` as a SkipCond that holds when it defers (`if` true or absent)."""
    out: list[SkipCond] = []
    for d in directives or ():
        if d.name.value != "defer":
            continue
        cond: SkipCond = (None, True, True)
        for arg in d.arguments or ():
            if arg.name.value == "if":
                if isinstance(arg.value, VariableNode):
                    cond = (arg.value.name.value, False, True)
                else:
                    cond = (None, bool(value_from_ast_untyped(arg.value)), True)
        out.append(cond)
    return tuple(out)


def _skip_conditions(directives: Iterable[DirectiveNode] | None) -> tuple[SkipCond, ...]:
    out: list[SkipCond] = []
    for d in directives or ():
        if d.name.value not in ("skip", "include"):
            continue
        for arg in d.arguments or ():
            if arg.name.value != "if":
                continue
            wanted = d.name.value == "include"
            if isinstance(arg.value, VariableNode):
                out.append((arg.value.name.value, False, wanted))
            else:
                out.append((None, bool(value_from_ast_untyped(arg.value)), wanted))
    return tuple(out)


class _VariableUses(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *args: object) -> None:
        self.names.add(node.name.value)


def filtered_text(op: OperationDefinitionNode, selection_set: SelectionSetNode) -> str:
    uses = _VariableUses()
    visit(selection_set, uses)
    variables = tuple(
        v for v in op.variable_definitions or () if v.variable.name.value in uses.names
    )
    filtered = OperationDefinitionNode(
        operation=op.operation,
        name=op.name,
        variable_definitions=variables,
        directives=op.directives,
        selection_set=selection_set,
    )
    return print_ast(DocumentNode(definitions=(filtered,)))
