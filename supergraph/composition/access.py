"""Access control (`@authenticated`, `@requiresScopes`, `@policy`) across types.

Apollo forbids them on interfaces, interface fields and `@interfaceObject` types, and
derives them there instead: an interface (field) gets the merged requirements of its
implementations, an implementation field those of the `@interfaceObject` field it
inherits. After merging, a field whose `@requires` or `@fromContext` selection reads
protected data must itself demand at least that much (MISSING_TRANSITIVE_AUTH_REQUIREMENTS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import GraphQLError
from graphql.language import (
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    SelectionSetNode,
    TokenKind,
)
from graphql.language.parser import Parser

from .applications import ACCESS_CONTROL, arguments, dnf_conjunction, merge_applications
from .errors import CompositionError
from .fieldset import parse_field_set
from .model import SubgraphSchema
from .supermodel import MergedType, Supergraph

_ACCESS = re.compile(r"^@(authenticated|requiresScopes|policy)(?=\(|$)")


def is_access_control(printed: str) -> bool:
    return _ACCESS.match(printed) is not None


def _access(nodes: list[DirectiveNode]) -> list[DirectiveNode]:
    return [d for d in nodes if d.name.value in ACCESS_CONTROL]


def validate_access_control(schema: SubgraphSchema) -> list[CompositionError]:
    """AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE for one subgraph."""
    errors: list[CompositionError] = []

    def error(canonical: str, kind: str, coordinate: str) -> None:
        name = schema.applied.get(canonical, canonical)
        errors.append(
            CompositionError(
                "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
                f'[{schema.name}] Invalid use of @{name} on {kind} "{coordinate}": @{name} cannot '
                "be applied on interfaces, interface fields and interface objects",
                (schema.name,),
                (coordinate,),
            )
        )

    for t in schema.types.values():
        abstract = t.kind == "interface" or t.interface_object
        for d in _access(t.directives) if abstract else ():
            error(
                d.name.value, "interface" if t.kind == "interface" else "interface object", t.name
            )
        for f in t.fields.values() if t.kind == "interface" else ():
            for d in _access(f.directives):
                error(d.name.value, "field", f"{t.name}.{f.name}")
    return errors


def propagate_access_control(
    subgraphs: list[SubgraphSchema], types: dict[str, MergedType], order: list[str]
) -> None:
    """Give interfaces, interface fields and fields inherited from an `@interfaceObject`
    the requirements Apollo derives for them."""
    interfaces_of = {
        t.name: t.interfaces for t in types.values() if t.kind == "object" and t.interfaces
    }
    implementations: dict[str, list[str]] = {}
    for impl, interfaces in interfaces_of.items():
        for i in interfaces:
            implementations.setdefault(i, []).append(impl)
    extra: dict[str, list[list[DirectiveNode]]] = {}
    for s in subgraphs:
        for t in s.types.values():
            if t.kind != "object":
                continue
            if _access(t.directives) and not t.interface_object:
                for i in interfaces_of.get(t.name, ()):
                    extra.setdefault(i, []).append(_access(t.directives))
            for f in t.fields.values():
                found = _access(f.directives)
                if not found or f.external:
                    continue
                if not t.interface_object:
                    for i in interfaces_of.get(t.name, ()):
                        extra.setdefault(f"{i}.{f.name}", []).append(found)
                    continue
                others: list[str] = []
                for impl in implementations.get(t.name, ()):
                    extra.setdefault(f"{impl}.{f.name}", []).append(found)
                    others.extend(
                        i for i in interfaces_of.get(impl, ()) if i != t.name and i not in others
                    )
                for i in others:
                    extra.setdefault(f"{i}.{f.name}", []).append(found)
    for merged in types.values():
        _derive(subgraphs, merged, extra, order)


def _derive(
    subgraphs: list[SubgraphSchema],
    t: MergedType,
    extra: dict[str, list[list[DirectiveNode]]],
    order: list[str],
) -> None:
    if t.kind == "interface" and t.name in extra:
        own = [_access(s.types[t.name].directives) for s in subgraphs if t.name in s.types]
        t.directives = _with_access(t.directives, own + extra[t.name], order)
    for f in t.fields.values() if t.kind in ("object", "interface") else ():
        coordinate = f"{t.name}.{f.name}"
        if coordinate not in extra:
            continue
        own_fields = [
            _access(s.types[t.name].fields[f.name].directives)
            for s in subgraphs
            if t.name in s.types and f.name in s.types[t.name].fields
        ]
        f.directives = _with_access(f.directives, own_fields + extra[coordinate], order)


def _with_access(
    directives: list[str], groups: list[list[DirectiveNode]], order: list[str]
) -> list[str]:
    """`@inaccessible`, then the merged access control, then the other directives."""
    first = [d for d in directives if d.startswith("@inaccessible")]
    rest = [d for d in directives if not is_access_control(d) and d not in first]
    return first + merge_applications(groups, access_first=order) + rest


# -- transitive requirements -----------------------------------------------------------


@dataclass
class _Requirements:
    authenticated: bool = False
    scopes: list[list[str]] | None = None
    policies: list[list[str]] | None = None

    def satisfies(self, other: _Requirements | None) -> bool:
        if other is None:
            return True
        return (
            (self.authenticated or not other.authenticated)
            and _implies(self.scopes, other.scopes)
            and _implies(self.policies, other.policies)
        )


def _implies(first: list[list[str]] | None, second: list[list[str]] | None) -> bool:
    """Whether DNF `first` implies DNF `second` (absent or empty: always true)."""
    left = first or [[]]
    right = second or [[]]
    return all(any(set(r) <= set(term) for r in right) for term in left)


def _requirements(directives: list[str]) -> _Requirements | None:
    found = _Requirements()
    any_found = False
    for printed in directives:
        if not is_access_control(printed):
            continue
        parser = Parser(printed, no_location=True)
        parser.expect_token(TokenKind.SOF)
        node = parser.parse_directive(is_const=True)
        args = arguments(node)
        any_found = True
        if node.name.value == "authenticated":
            found.authenticated = True
        elif node.name.value == "requiresScopes":
            found.scopes = args.get("scopes")
        else:
            found.policies = args.get("policies")
    return found if any_found else None


def _combined(type_req: _Requirements | None, field_req: _Requirements | None) -> _Requirements:
    out = _Requirements()
    out.authenticated = bool(type_req and type_req.authenticated) or bool(
        field_req and field_req.authenticated
    )
    scopes = [r.scopes for r in (type_req, field_req) if r and r.scopes is not None]
    policies = [r.policies for r in (type_req, field_req) if r and r.policies is not None]
    out.scopes = dnf_conjunction(scopes) if scopes else None
    out.policies = dnf_conjunction(policies) if policies else None
    return out


class _Missing(Exception):
    pass


_NEEDS = "does not specify necessary @authenticated, @requiresScopes and/or @policy auth "


def check_transitive_access(supergraph: Supergraph) -> list[CompositionError]:
    """MISSING_TRANSITIVE_AUTH_REQUIREMENTS for `@requires` and `@fromContext` selections."""
    types = supergraph.types
    subgraph_of = {g.enum_value: g.name for g in supergraph.graphs}
    contexts: dict[str, list[str]] = {}
    for t in types.values():
        for d in t.directives:
            match = re.match(r'^@context\(name: "([^"]*)"\)$', d)
            if match:
                contexts.setdefault(match.group(1), []).append(t.name)
    errors: list[CompositionError] = []
    for t in types.values():
        for f in t.fields.values() if t.kind in ("object", "interface") else ():
            coordinate = f"{t.name}.{f.name}"
            needed = _combined(_requirements(t.directives), _requirements(f.directives))
            for j in f.joins:
                if j.graph is None:
                    continue
                try:
                    if j.requires:
                        selection = parse_field_set(j.requires)
                        _check_selection(types, needed, coordinate, "@requires", t, selection)
                    for c in j.context_arguments:
                        for target in contexts.get(c.context, ()):
                            if not needed.satisfies(_requirements(types[target].directives)):
                                raise _Missing(
                                    f'Field "{coordinate}" {_NEEDS}requirements to access the '
                                    f"transitive data in context {c.context} from @fromContext "
                                    "selection set."
                                )
                            source = c.selection
                            if not source.strip().startswith("{"):
                                source = "{" + source + "}"
                            selection = parse_field_set(source.strip()[1:-1])
                            _check_selection(
                                types, needed, coordinate, "@fromContext", types[target], selection
                            )
                except _Missing as e:
                    subgraph = subgraph_of.get(j.graph, j.graph)
                    errors.append(
                        CompositionError(
                            "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
                            f"[{subgraph}] {e}",
                            (subgraph,),
                            (coordinate,),
                        )
                    )
                except GraphQLError:
                    continue
    return errors


def _check_selection(
    types: dict[str, MergedType],
    needed: _Requirements,
    coordinate: str,
    directive: str,
    parent: MergedType,
    selection: SelectionSetNode,
) -> None:
    for s in selection.selections:
        if isinstance(s, FieldNode):
            f = parent.fields.get(s.name.value)
            if f is None:
                continue
            target = types.get(f.type.strip("[]!").rstrip("]!"))
            returned = _requirements(target.directives) if target else None
            if not needed.satisfies(_requirements(f.directives)) or not needed.satisfies(returned):
                raise _Missing(
                    f'Field "{coordinate}" {_NEEDS}requirements to access the transitive field '
                    f'"{parent.name}.{f.name}" data from {directive} selection set.'
                )
            if s.selection_set is not None and target is not None:
                _check_selection(types, needed, coordinate, directive, target, s.selection_set)
        elif isinstance(s, InlineFragmentNode):
            condition = parent
            if s.type_condition is not None:
                condition = types.get(s.type_condition.name.value, parent)
                if not needed.satisfies(_requirements(condition.directives)):
                    raise _Missing(
                        f'Field "{coordinate}" {_NEEDS}requirements to access the transitive '
                        f'data in inline fragment type condition "{condition.name}" from '
                        f"{directive} selection set."
                    )
            _check_selection(types, needed, coordinate, directive, condition, s.selection_set)
