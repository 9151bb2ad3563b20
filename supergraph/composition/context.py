"""`@context` / `@fromContext` (federation 2.8): arguments filled from an ancestor.

A type sets a named context (`@context(name: "shop")`); a field argument marked
`@fromContext(field: "$shop { currency }")` takes its value from that selection on the
nearest ancestor setting the context. The supergraph drops the argument from the field
and records it in `@join__field(contextArguments:)`, with the context qualified by the
subgraph name. Checks and messages follow Apollo's subgraph validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError, parse, parse_type
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    TypeNode,
)

from .errors import CompositionError
from .model import Field, InputValue, SubgraphSchema, TypeDef
from .subgraph_sdl import named_type
from .supermodel import ContextArgument
from .typerefs import type_str

_IGNORED = r"(?:[\n\r\t ,]|#[^\n\r]*(?![^\n\r]))*"
_CONTEXT = re.compile(rf"^{_IGNORED}\${_IGNORED}([A-Za-z_]\w*(?!\w))([\s\S]*)$", re.ASCII)
_NAME = re.compile(r"^[A-Za-z]\w*$", re.ASCII)


def parse_context(value: str) -> tuple[str | None, str | None]:
    """`"$ctx { a }"` -> ("ctx", " { a }"); (None, None) when no context is named."""
    match = _CONTEXT.match(value)
    return (match.group(1), match.group(2)) if match else (None, None)


def context_arguments(subgraph: str, f: Field) -> list[ContextArgument]:
    out = []
    for a in f.args.values():
        if a.from_context is None:
            continue
        context, selection = parse_context(a.from_context)
        out.append(
            ContextArgument(f"{subgraph}__{context}", a.name, type_str(a.type), selection or "")
        )
    return out


class _Invalid(Exception):
    """A selection that cannot be read against the context type."""


@dataclass
class _Use:
    context: str
    coordinate: str  # T.f(a:)
    type: TypeNode  # the argument's


def _base(t: TypeNode) -> TypeNode:
    return t.type if isinstance(t, NonNullTypeNode) else t


def _implementation_matches(sub: TypeNode | None, sup: TypeNode) -> bool:
    """GraphQL's IsValidImplementationFieldType on type references."""
    if sub is None:
        return False
    if isinstance(sub, NonNullTypeNode):
        return _implementation_matches(sub.type, _base(sup))
    if isinstance(sub, ListTypeNode) and isinstance(sup, ListTypeNode):
        return _implementation_matches(sub.type, sup.type)
    return (
        not isinstance(sup, ListTypeNode | NonNullTypeNode)
        and not isinstance(sub, ListTypeNode)
        and named_type(sub) == named_type(sup)
    )


class ContextChecker:
    """Apollo's `@context`/`@fromContext` checks for one subgraph."""

    def __init__(self, schema: SubgraphSchema) -> None:
        self.schema = schema
        self.errors: list[CompositionError] = []
        self.locations: dict[str, list[TypeDef]] = {}
        self.used_fields: set[tuple[str, str]] = set()

    def error(self, code: str, message: str, coordinate: str) -> None:
        self.errors.append(
            CompositionError(
                code, f"[{self.schema.name}] {message}", (self.schema.name,), (coordinate,)
            )
        )

    def run(self) -> list[CompositionError]:
        for t in self.schema.types.values():
            for name in t.contexts:
                if "_" in name:
                    self.error(
                        "CONTEXT_NAME_INVALID",
                        f'Context name "{name}" may not contain an underscore.',
                        t.name,
                    )
                elif not _NAME.match(name):
                    self.error(
                        "CONTEXT_NAME_INVALID",
                        f'Context name "{name}" is invalid. It should have only alphanumeric '
                        "characters.",
                        t.name,
                    )
                self.locations.setdefault(name, []).append(t)
        for name, d in self.schema.directive_defs.items():
            for a in d.arguments or ():
                if any(
                    self.schema.applied.get("fromContext") == x.name.value
                    for x in a.directives or ()
                ):
                    coordinate = f"@{name}({a.name.value}:)"
                    self.error(
                        "CONTEXT_NOT_SET",
                        "@fromContext argument cannot be used on a directive definition "
                        f'"{coordinate}".',
                        coordinate,
                    )
        for t in self.schema.types.values():
            for f in t.fields.values():
                for arg in f.args.values():
                    if arg.from_context is not None:
                        self._check_argument(t, f, arg, arg.from_context)
        return self.errors

    def _check_argument(self, t: TypeDef, f: Field, a: InputValue, value: str) -> None:
        coordinate = f"{t.name}.{f.name}({a.name}:)"
        if t.kind != "object":
            self.error(
                "CONTEXT_NOT_SET",
                "@fromContext argument cannot be used on a field that exists on an abstract "
                f'type "{coordinate}".',
                coordinate,
            )
            return
        for i in t.interfaces:
            interface = self.schema.types.get(i)
            if interface is not None and f.name in interface.fields:
                self.error(
                    "CONTEXT_NOT_SET",
                    "@fromContext argument cannot be used on a field implementing an interface "
                    f'field "{i}.{f.name}".',
                    coordinate,
                )
        if a.default is not None:
            self.error(
                "CONTEXT_NOT_SET",
                f'@fromContext arguments may not have a default value: "{coordinate}".',
                coordinate,
            )
        context, selection = parse_context(value)
        if not context or not selection:
            self.error(
                "NO_CONTEXT_IN_SELECTION",
                f'@fromContext argument does not reference a context "{value}".',
                coordinate,
            )
            return
        locations = self.locations.get(context)
        if locations is None:
            self.error(
                "CONTEXT_NOT_SET",
                f'Context "{context}" is used at location "{coordinate}" but is never set.',
                coordinate,
            )
        else:
            self._check_selection(_Use(context, coordinate, a.type), selection, locations)
        if not any(k.resolvable for k in t.keys):
            self.error(
                "CONTEXT_NO_RESOLVABLE_KEY",
                f'Object "{t.name}" has no resolvable key but has a field with a contextual '
                "argument.",
                t.name,
            )

    # -- the selection -----------------------------------------------------------------

    def _invalid(self, use: _Use, why: str) -> None:
        self.error(
            "CONTEXT_INVALID_SELECTION",
            f'Context "{use.context}" is used in "{use.coordinate}" but the selection is '
            f"invalid: {why}",
            use.coordinate,
        )

    def _check_selection(self, use: _Use, selection: str, locations: list[TypeDef]) -> None:
        source = selection if selection.strip().startswith("{") else "{" + selection + "}"
        try:
            operation = parse(source, no_location=True).definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
        except GraphQLError as e:
            self._invalid(use, e.message)
            return
        selections = operation.selection_set.selections
        conditions: list[str] = []
        if not selections:
            self._invalid(use, "no selection is made")
            return
        if isinstance(selections[0], FieldNode):
            if len(selections) != 1:
                self._invalid(use, "multiple selections are made")
                return
        elif isinstance(selections[0], InlineFragmentNode):
            if not all(isinstance(s, InlineFragmentNode) for s in selections):
                self._invalid(use, "multiple fields could be selected")
                return
            conditions = [
                s.type_condition.name.value
                for s in selections
                if isinstance(s, InlineFragmentNode) and s.type_condition
            ]
            if len(set(conditions)) != len(selections):
                self._invalid(use, "type conditions have same name")
                return
        else:
            self._invalid(use, "fragment spread is not allowed")
            return
        used: set[str] = set()
        for location in locations:
            try:
                self._resolvable(location, operation.selection_set)
            except _Invalid as e:
                self.error(
                    "CONTEXT_INVALID_SELECTION",
                    f'Context "{use.context}" is used in "{use.coordinate}" but the selection '
                    f"is invalid for type {location.name}. Error: {e}",
                    use.coordinate,
                )
                return
            if _has(operation.selection_set, lambda s: bool(s.directives)):
                self._invalid(use, "directives are not allowed in the selection")
            if _has(operation.selection_set, lambda s: isinstance(s, FieldNode) and bool(s.alias)):
                self._invalid(use, "aliases are not allowed in the selection")
            if not conditions:
                resolved = self._resolved_type(location, operation.selection_set, use)
                if not _implementation_matches(resolved, use.type):
                    shown = type_str(resolved) if resolved is not None else "undefined"
                    self._invalid(
                        use,
                        f'the type of the selection "{shown}" does not match the expected type '
                        f'"{type_str(use.type)}"',
                    )
                    return
                continue
            if not self._check_fragments(use, location, operation.selection_set, used):
                return
        for condition in conditions:
            if condition not in used:
                self._invalid(use, f'type condition "{condition}" is never used.')

    def _check_fragments(
        self, use: _Use, location: TypeDef, selection_set: SelectionSetNode, used: set[str]
    ) -> bool:
        matching: list[InlineFragmentNode] = []
        for s in selection_set.selections:
            if not isinstance(s, InlineFragmentNode):
                self._invalid(
                    use,
                    "selection should only contain a single field or at least one inline "
                    'fragment}"',
                )
                continue
            if s.type_condition is None:
                self._invalid(use, 'inline fragments must have type conditions"')
                continue
            condition = self.schema.types.get(s.type_condition.name.value)
            if condition is not None and condition.kind == "object":
                if condition.name in self._runtime_types(location):
                    matching.append(s)
                    used.add(condition.name)
            else:
                self._invalid(use, 'type conditions must be an object type"')
        if not matching:
            self._invalid(use, f'no type condition matches the location "{location.name}"')
            return False
        for fragment in matching:
            assert fragment.type_condition is not None
            condition = self.schema.types[fragment.type_condition.name.value]
            resolved = self._resolved_type(condition, fragment.selection_set, use)
            if resolved is None:
                self._invalid(
                    use,
                    "the type of the selection does not match the expected type "
                    f'"{type_str(use.type)}"',
                )
                return False
            if not _implementation_matches(_base(resolved), use.type):
                self._invalid(
                    use,
                    f'the type of the selection "{type_str(_base(resolved))}" does not match the '
                    f'expected type "{type_str(use.type)}"',
                )
                return False
        return True

    def _runtime_types(self, t: TypeDef) -> list[str]:
        if t.kind == "object":
            return [t.name]
        if t.kind == "union":
            return t.members
        return [o.name for o in self.schema.types.values() if t.name in o.interfaces]

    def _resolvable(self, parent: TypeDef, selection_set: SelectionSetNode) -> None:
        """Every field exists where it is selected (and is recorded as used)."""
        for s in selection_set.selections:
            if isinstance(s, FieldNode):
                if s.name.value == "__typename":
                    continue
                f = parent.fields.get(s.name.value)
                if f is None:
                    raise _Invalid(f'Cannot query field "{s.name.value}" on type "{parent.name}".')
                self.used_fields.add((parent.name, f.name))
                if parent.kind == "interface":
                    for impl in self._runtime_types(parent):
                        if f.name in self.schema.types[impl].fields:
                            self.used_fields.add((impl, f.name))
                if s.selection_set is not None:
                    target = self.schema.types.get(named_type(f.type))
                    if target is not None:
                        self._resolvable(target, s.selection_set)
            elif isinstance(s, InlineFragmentNode):
                condition = parent
                if s.type_condition is not None:
                    found = self.schema.types.get(s.type_condition.name.value)
                    if found is None:
                        raise _Invalid(f'Unknown type "{s.type_condition.name.value}".')
                    condition = found
                self._resolvable(condition, s.selection_set)
            elif isinstance(s, FragmentSpreadNode):
                raise _Invalid(
                    f'Cannot find fragment name "{s.name.value}" (no fragments were provided)'
                )

    def _resolved_type(
        self, current: TypeDef, selection_set: SelectionSetNode, use: _Use
    ) -> TypeNode | None:
        """The type a single-field selection yields: leaf type inside the lists crossed."""
        if current.kind == "object" and current.interface_object:
            self.error(
                "CONTEXT_INVALID_SELECTION",
                f'Context "is used in "{use.coordinate}" but the selection is invalid: One of the '
                f'types in the selection is an interfaceObject: "{current.name}"',
                use.coordinate,
            )
        results: list[TypeNode | None] = []
        for s in selection_set.selections:
            if not isinstance(s, FieldNode):
                results.append(None)
                continue
            if s.name.value == "__typename":
                results.append(parse_type("String", no_location=True))
                continue
            f = current.fields[s.name.value]
            inner: TypeNode | None
            if s.selection_set is not None:
                target = self.schema.types[named_type(f.type)]
                inner = self._resolved_type(target, s.selection_set, use)
            else:
                inner = parse_type(named_type(f.type), no_location=True)
            results.append(_wrap_lists(f.type, inner) if inner is not None else None)
        printed = {type_str(r) if r is not None else None for r in results}
        return results[0] if len(printed) == 1 else None


def _wrap_lists(original: TypeNode, resolved: TypeNode) -> TypeNode:
    """Apollo keeps the list wrappers of the selected field, not its non-null ones."""
    lists = 0
    t: TypeNode = original
    while isinstance(t, ListTypeNode | NonNullTypeNode):
        lists += isinstance(t, ListTypeNode)
        t = t.type
    for _ in range(lists):
        resolved = ListTypeNode(type=resolved)
    return resolved


def _has(selection_set: SelectionSetNode, predicate: Callable[[SelectionNode], bool]) -> bool:
    for s in selection_set.selections:
        if predicate(s):
            return True
        inner = getattr(s, "selection_set", None)
        if inner is not None and _has(inner, predicate):
            return True
    return False


def validate_contexts(
    schema: SubgraphSchema,
) -> tuple[list[CompositionError], set[tuple[str, str]]]:
    """Errors, and the fields context selections read (they count as used externals)."""
    if schema.is_fed1:
        return [], set()
    checker = ContextChecker(schema)
    return checker.run(), checker.used_fields
