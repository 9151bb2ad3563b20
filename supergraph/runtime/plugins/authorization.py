"""Authorization directives (`@authenticated`, `@requiresScopes`, `@policy`).

Like Apollo Router's default: before planning, every field the request may not see is
removed from the operation; the rest runs as usual, and each removed field comes back as
`null` (GraphQL null propagation applies) with an error `UNAUTHORIZED_FIELD_OR_TYPE` at its
path in the response. When nothing is left, no subgraph is called.

What is checked, for a field `f` selected on type `P` and returning named type `N`:
- the requirement on `P.f`; when `P` is an interface, also on every implementer `T` and
  `T.f` (the data could be any of them);
- the requirement on `N` (object, interface, scalar or enum); a field whose selection set
  becomes empty is removed as a whole;
- a fragment `... on C` (inline or named) needs the requirement on `C`; if it fails, the
  fields inside it are removed for objects of type `C` only.
`__typename` and introspection are never filtered.

A requirement holds when: `@authenticated` - the request carries a verified token;
`@requiresScopes(scopes: [[a, b], [c]])` - the token's `scope` claim has a and b, or c;
`@policy(policies: [[p, q], [r]])` - the policy evaluator grants p and q, or r. Several
directives on one element must all hold.

The filtered operation depends only on the *outcome* for the atoms the document mentions
(authenticated or not, which of its scopes are present, which of its policies are
granted), so the filter result is cached per (document, operation, outcome) and the plan
cache, keyed by the filtered text, reuses plans across requests with the same outcome.

Apollo Router's two other behaviours are `AuthorizationMode`s (the verdict is the same):
- `reject` (Router's `reject_unauthorized`): an operation that selects anything the request
  may not see is refused as a whole before planning - no subgraph call, no `data` - with
  one `UNAUTHORIZED_FIELD_OR_TYPE` error per removed field at its path in the operation
  (`"@"` stands for list items: nothing ran, so there are no indices);
- `dry_run` (Router's `dry_run`): the operation runs unfiltered (the client's document is
  what is planned) and the same operation-path errors are added to the response, so rules
  can be tried on live traffic without breaking it.

Where the `UNAUTHORIZED_FIELD_OR_TYPE` errors go is Router's `authorization.directives.errors`
(`ErrorReporting`): `response` "errors" (default) puts them first in `errors`, "extensions"
moves them to `extensions.authorizationErrors` (clients that throw on any error keep
working), "disabled" drops them; `log` (default on) logs the unauthorized paths of every
request that had any, at ERROR level as Router does.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
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
    OperationType,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    parse,
    print_ast,
    validate,
    value_from_ast_untyped,
    visit,
)
from graphql.language import ast as gast

from supergraph.subscriptions.source import (
    ExecutionResult,
    OperationErrors,
    OperationRequest,
    SubscriptionSource,
)

from ..supergraph_schema import read_links
from .authentication import ANONYMOUS, AuthenticationError, Identity, JwtAuthenticator

log = logging.getLogger(__name__)

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"
UNAUTHORIZED_MESSAGE = "Unauthorized field or type"
# Alias of a `__typename` the filter adds where it must tell concrete types apart.
TYPENAME_ALIAS = "_posAuthzTypename"
INTROSPECTION = frozenset({"__schema", "__type"})

Dnf = tuple[frozenset[str], ...]  # any of these sets, all of the set's members
PolicyEvaluator = Callable[[str, Identity, Mapping[str, str]], bool]
AuthorizationMode = Literal["filter", "reject", "dry_run"]
AUTHORIZATION_MODES: tuple[AuthorizationMode, ...] = ("filter", "reject", "dry_run")
ErrorsResponse = Literal["errors", "extensions", "disabled"]
ERRORS_RESPONSES: tuple[ErrorsResponse, ...] = ("errors", "extensions", "disabled")
# Router's key for the errors when `response` is "extensions"
EXTENSIONS_KEY = "authorizationErrors"


@dataclass(frozen=True)
class ErrorReporting:
    """Router's `authorization.directives.errors`: where the unauthorized-field errors go in
    the response, and whether their paths are logged."""

    response: ErrorsResponse = "errors"
    log: bool = True

    def __post_init__(self) -> None:
        if self.response not in ERRORS_RESPONSES:
            raise ValueError(
                f"authorization errors {self.response!r}: expected one of {ERRORS_RESPONSES}"
            )

    def logged(self, errors: list[dict[str, Any]]) -> None:
        """Log the paths of `errors` (one record per request), when logging is on."""
        if self.log and errors:
            paths = ["/" + "/".join(str(p) for p in e.get("path", ())) for e in errors]
            log.error("Authorization error: unauthorized paths %s", ", ".join(paths))

    def refusal(self, errors: list[dict[str, Any]]) -> tuple[dict[str, Any], bool]:
        """The body refusing a whole operation (reject mode) and whether it is a request
        error. Errors elsewhere than in `errors` leave `data: null`, as in Router, so the
        body is still a GraphQL response."""
        self.logged(errors)
        if self.response == "errors":
            return {"errors": errors}, True
        if self.response == "extensions":
            return {"data": None, "extensions": {EXTENSIONS_KEY: errors}}, False
        return {"data": None}, False

    def report(self, body: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
        """`body` (a response with data) with `errors` placed where configured."""
        self.logged(errors)
        if not errors or self.response == "disabled":
            return body
        if self.response == "extensions":
            body.setdefault("extensions", {})[EXTENSIONS_KEY] = errors
            return body
        out = {"errors": [*errors, *body.get("errors", ())]}
        out.update((k, v) for k, v in body.items() if k != "errors")
        return out


# ---- requirements read from the supergraph ---------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What one schema element asks of a request; every part must hold."""

    authenticated: bool = False
    scopes: tuple[Dnf, ...] = ()
    policies: tuple[Dnf, ...] = ()

    def __and__(self, other: Requirement) -> Requirement:
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes + other.scopes,
            self.policies + other.policies,
        )


NONE = Requirement()

_SPECS = {"authenticated", "requiresScopes", "policy"}


def _args(directive: DirectiveNode) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _directive_names(doc: DocumentNode) -> dict[str, str]:
    """Directive name in this supergraph -> spec (`@link(as:)` and `import` renames)."""
    return {
        link.directive_name(link.spec): link.spec for link in read_links(doc) if link.spec in _SPECS
    }


def _dnf(value: object) -> Dnf:
    if not isinstance(value, list):
        return ()
    return tuple(frozenset(str(s) for s in inner) for inner in value if isinstance(inner, list))


def _requirement(directives: Iterable[DirectiveNode], names: Mapping[str, str]) -> Requirement:
    req = NONE
    for directive in directives:
        spec = names.get(directive.name.value)
        if spec == "authenticated":
            req = req & Requirement(authenticated=True)
        elif spec == "requiresScopes":
            req = req & Requirement(scopes=(_dnf(_args(directive).get("scopes")),))
        elif spec == "policy":
            req = req & Requirement(policies=(_dnf(_args(directive).get("policies")),))
    return req


@dataclass
class Requirements:
    """Per type and per field requirements of a supergraph (absent = none)."""

    types: dict[str, Requirement]
    fields: dict[tuple[str, str], Requirement]

    @classmethod
    def from_supergraph(cls, sdl: str) -> Requirements | None:
        """The supergraph's requirements, or None when it links no security spec."""
        doc = parse(sdl, no_location=True)
        names = _directive_names(doc)
        if not names:
            return None
        types: dict[str, Requirement] = {}
        fields: dict[tuple[str, str], Requirement] = {}
        for d in doc.definitions:
            if not isinstance(d, gast.TypeDefinitionNode | gast.TypeExtensionNode):
                continue
            tname = d.name.value
            req = _requirement(d.directives or (), names)
            if req != NONE:
                types[tname] = types.get(tname, NONE) & req
            for fd in getattr(d, "fields", None) or ():
                if isinstance(fd, gast.FieldDefinitionNode):
                    freq = _requirement(fd.directives or (), names)
                    if freq != NONE:
                        key = (tname, fd.name.value)
                        fields[key] = fields.get(key, NONE) & freq
        return cls(types, fields)


# ---- deciding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the request is granted, restricted to what the document mentions."""

    authenticated: bool
    scopes: frozenset[str]
    policies: frozenset[str]

    def allows(self, req: Requirement) -> bool:
        if req.authenticated and not self.authenticated:
            return False
        if not all(any(s <= self.scopes for s in dnf) for dnf in req.scopes):
            return False
        return all(any(p <= self.policies for p in dnf) for dnf in req.policies)


@dataclass
class _Mentioned:
    """Records every requirement a traversal consults, and allows them all."""

    authenticated: bool = False
    scopes: set[str] = field(default_factory=set)
    policies: set[str] = field(default_factory=set)

    def allows(self, req: Requirement) -> bool:
        self.authenticated |= req.authenticated
        for dnf in req.scopes:
            for s in dnf:
                self.scopes |= s
        for dnf in req.policies:
            for p in dnf:
                self.policies |= p
        return True

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)


# ---- what the filter removed, and how to put nulls back ---------------------------------

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
                    out.append(_denied(list(path)))
            for kept in level.kept:
                walk(kept.level, [*prefix, kept.key, *["@"] * (len(kept.wrappers) - 1)])

        walk(self.level, [])
        return out


def _denied(path: list[str | int] | list[str]) -> dict[str, Any]:
    return {"message": UNAUTHORIZED_MESSAGE, "path": path, "extensions": {"code": UNAUTHORIZED}}


class _PossibleTypes:
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


class _Filter:
    """One traversal of an operation against the requirements, deciding with `decider`."""

    def __init__(
        self,
        schema: GraphQLSchema,
        requirements: Requirements,
        decider: Outcome | _Mentioned,
        fragments: Mapping[str, FragmentDefinitionNode],
        possible: _PossibleTypes,
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

    def enter_variable(self, node: VariableNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _filtered_text(op: OperationDefinitionNode, selection_set: SelectionSetNode) -> str:
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


# ---- completing the response -----------------------------------------------------------


class _Bubble:
    """A null that must propagate to the nearest nullable parent."""


_BUBBLE = _Bubble()


class _Completer:
    """Puts a null and an error where each removed field would have been."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        possible: Callable[[str], tuple[str, ...]],
        initial_payload: bool = False,
    ):
        self.variables = variables
        self.possible = possible
        self.errors: list[dict[str, Any]] = []
        self.path: list[str | int] = []
        # the initial payload of a deferring response leaves deferred fields to their own
        self.initial_payload = initial_payload

    def included(self, skips: tuple[SkipCond, ...]) -> bool:
        for var, literal, wanted in skips:
            value = bool(self.variables.get(var)) if var is not None else literal
            if value is not wanted:
                return False
        return True

    def applies(self, conditions: tuple[str, ...], typename: str | None) -> bool:
        if not conditions:
            return True
        return typename is not None and all(typename in self.possible(c) for c in conditions)

    def object(self, obj: dict[str, Any], level: Level) -> dict[str, Any] | _Bubble:
        typename: str | None = obj.pop(TYPENAME_ALIAS, None) if level.typename_added else None
        if typename is None and not level.abstract:
            typename = level.static_type
        bubble = False
        inserted = False
        for removed in level.removed:
            if removed.key in obj or not self.applies(removed.conditions, typename):
                continue
            if not self.included(removed.skips):
                continue
            if self.initial_payload and any(self.included((d,)) for d in removed.defers):
                continue
            obj[removed.key] = None
            inserted = True
            self.errors.append(_denied([*self.path, removed.key]))
            bubble |= removed.non_null
        for kept in level.kept:
            if kept.key not in obj or not self.applies(kept.conditions, typename):
                continue
            self.path.append(kept.key)
            value = self.value(obj[kept.key], kept.wrappers, kept.level)
            self.path.pop()
            if value is _BUBBLE:
                if kept.wrappers[0]:
                    bubble = True
                value = None
            obj[kept.key] = value
        if bubble:
            return _BUBBLE
        if inserted:
            return self.ordered(obj, level, typename)
        return obj

    def value(self, value: Any, wrappers: tuple[bool, ...], level: Level) -> Any:
        if value is None:
            return None
        if len(wrappers) > 1:
            if not isinstance(value, list):
                return value
            item_non_null = wrappers[1]
            items = []
            for index, item in enumerate(value):
                self.path.append(index)
                shaped = self.value(item, wrappers[1:], level)
                self.path.pop()
                if shaped is _BUBBLE:
                    if item_non_null:
                        return _BUBBLE
                    shaped = None
                items.append(shaped)
            return items
        if not isinstance(value, dict):
            return value
        return self.object(value, level)

    def ordered(self, obj: dict[str, Any], level: Level, typename: str | None) -> dict[str, Any]:
        """The object with its keys in the order the operation asked for them."""
        out: dict[str, Any] = {}
        for key, conditions, skips in level.order:
            if (
                key in obj
                and key not in out
                and self.applies(conditions, typename)
                and self.included(skips)
            ):
                out[key] = obj[key]
        for key, value in obj.items():
            out.setdefault(key, value)
        return out


# ---- the per-gateway entry point -------------------------------------------------------


class Authorizer:
    """Filters operations for one supergraph; caches analyses and filter results. `mode`
    says what the gateway does with a verdict (see the module docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        requirements: Requirements,
        policy_evaluator: PolicyEvaluator | None = None,
        cache_size: int = 2000,
        mode: AuthorizationMode = "filter",
        reporting: ErrorReporting | None = None,
    ) -> None:
        if mode not in AUTHORIZATION_MODES:
            raise ValueError(f"authorization mode {mode!r}: expected one of {AUTHORIZATION_MODES}")
        self.schema = schema
        self.requirements = requirements
        self.policy_evaluator = policy_evaluator
        self.mode: AuthorizationMode = mode
        self.reporting = reporting or ErrorReporting()
        self.cache_size = cache_size
        self._mentions: OrderedDict[tuple[object, ...], _Mentioned | None] = OrderedDict()
        self._filtered: OrderedDict[tuple[object, ...], Filtered] = OrderedDict()
        self._possible_types = _PossibleTypes(schema)

    @classmethod
    def for_supergraph(
        cls,
        supergraph_sdl: str,
        api_schema: GraphQLSchema,
        policy_evaluator: PolicyEvaluator | None = None,
        mode: AuthorizationMode = "filter",
        reporting: ErrorReporting | None = None,
    ) -> Authorizer | None:
        """An authorizer when the supergraph links a security spec, else None."""
        if mode not in AUTHORIZATION_MODES:
            raise ValueError(f"authorization mode {mode!r}: expected one of {AUTHORIZATION_MODES}")
        requirements = Requirements.from_supergraph(supergraph_sdl)
        if requirements is None or not (requirements.types or requirements.fields):
            return None
        return cls(api_schema, requirements, policy_evaluator, mode=mode, reporting=reporting)

    def authorize(
        self,
        document: str | DocumentNode,
        operation_name: str | None,
        identity: Identity,
        headers: Mapping[str, str] | None = None,
    ) -> Filtered | None:
        """The operation filtered for `identity`, or None when nothing must be removed.
        `document` must already have passed validation."""
        doc_key: object = document if isinstance(document, str) else id(document)
        mentioned = self._cached(
            self._mentions,
            (doc_key, operation_name),
            lambda: self._mentioned(document, operation_name),
        )
        if mentioned is None:
            return None
        outcome = Outcome(
            identity.authenticated if mentioned.authenticated else False,
            identity.scopes & frozenset(mentioned.scopes),
            frozenset(
                p for p in sorted(mentioned.policies) if self._grants(p, identity, headers or {})
            ),
        )
        return self._cached(
            self._filtered,
            (doc_key, operation_name, outcome),
            lambda: self._filter(document, operation_name, outcome),
        )

    def complete(
        self,
        data: dict[str, Any] | None,
        filtered: Filtered,
        variables: Mapping[str, Any],
        initial_payload: bool = False,
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """`data` with null at every removed field (null propagation applied), and the
        `UNAUTHORIZED_FIELD_OR_TYPE` errors, in response order. `initial_payload`: the
        first payload of a response with active `@defer`s, without the deferred fields."""
        if data is None:
            return None, []
        completer = _Completer(variables, self._possible_types, initial_payload)
        result = completer.object(data, filtered.level)
        return (None if result is _BUBBLE else result), completer.errors  # type: ignore[return-value]

    # ---- internals ----

    def _cached(self, cache: OrderedDict, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = make()
        cache[key] = value
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return value

    def _grants(self, policy: str, identity: Identity, headers: Mapping[str, str]) -> bool:
        if self.policy_evaluator is None:
            return False
        try:
            return self.policy_evaluator(policy, identity, headers) is True
        except Exception:
            log.exception("policy evaluator failed for %r; denying", policy)
            return False

    def _operation(
        self, document: str | DocumentNode, operation_name: str | None
    ) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
        doc = parse(document) if isinstance(document, str) else document
        op = get_operation_ast(doc, operation_name)
        assert op is not None, "the document passed validation"
        fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return op, fragments

    def _mentioned(
        self, document: str | DocumentNode, operation_name: str | None
    ) -> _Mentioned | None:
        op, fragments = self._operation(document, operation_name)
        mentioned = _Mentioned()
        _Filter(
            self.schema, self.requirements, mentioned, fragments, self._possible_types
        ).operation(op)
        return None if mentioned.empty else mentioned

    def _filter(
        self, document: str | DocumentNode, operation_name: str | None, outcome: Outcome
    ) -> Filtered | None:
        op, fragments = self._operation(document, operation_name)
        selection_set, level = _Filter(
            self.schema, self.requirements, outcome, fragments, self._possible_types
        ).operation(op)
        if not level.touched:
            return None
        if not selection_set.selections:
            return Filtered(None, level)
        return Filtered(_filtered_text(op, selection_set), level)


# ---- policies from claims (the `pos gateway --policy` option) ---------------------------


@dataclass(frozen=True)
class ClaimRule:
    """A policy granted when the verified token's `claim` is `true` (no `value`), or equals
    `value`, or is a list containing it."""

    claim: str
    value: str | None = None

    def holds(self, claims: Mapping[str, Any]) -> bool:
        found = claims.get(self.claim)
        if self.value is None:
            return found is True
        if isinstance(found, list):
            return self.value in found
        return isinstance(found, str) and found == self.value


class ClaimPolicies:
    """A `PolicyEvaluator` from a table policy name -> `ClaimRule`: unknown policies and
    anonymous requests are denied."""

    def __init__(self, rules: Mapping[str, ClaimRule]) -> None:
        self.rules = dict(rules)

    def __call__(self, policy: str, identity: Identity, _headers: Mapping[str, str]) -> bool:
        rule = self.rules.get(policy)
        if rule is None or identity.claims is None:
            return False
        return rule.holds(identity.claims)

    @classmethod
    def parse(cls, options: Iterable[str]) -> ClaimPolicies:
        """From `NAME=CLAIM` (claim is true) or `NAME=CLAIM=VALUE` strings."""
        rules: dict[str, ClaimRule] = {}
        for option in options:
            parts = option.split("=", 2)
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                raise ValueError(f"policy {option!r}: expected NAME=CLAIM or NAME=CLAIM=VALUE")
            value = parts[2] if len(parts) == 3 else None
            rules[parts[0].strip()] = ClaimRule(parts[1].strip(), value)
        return cls(rules)


# ---- subscriptions ---------------------------------------------------------------------


class SubscriptionGuard:
    """Authentication and authorization in front of the gateway's subscription source.

    A bad token is refused (`UNAUTHENTICATED`) when the stream opens. A subscription that
    selects anything the request may not see is refused as a whole, with one
    `UNAUTHORIZED_FIELD_OR_TYPE` error per removed field (Apollo Router's reject mode):
    its events are resolved long after this check and forwarded subscriptions go straight
    to their subgraph, so there is no single place to filter each event. Queries and
    mutations sent over the WebSocket take the HTTP pipeline, which filters them.
    In `dry_run` mode the subscription is opened anyway and the verdict only logged. The
    refusal always carries its errors (a stream that does not open has no `data` to carry
    instead); `ErrorReporting.log` decides whether the paths are logged.
    """

    def __init__(
        self,
        inner: SubscriptionSource,
        schema: GraphQLSchema,
        authenticator: JwtAuthenticator | None,
        authorizer: Authorizer | None,
    ) -> None:
        self.inner = inner
        self.schema = schema
        self.authenticator = authenticator
        self.authorizer = authorizer

    async def open(self, request: OperationRequest) -> AsyncIterator[ExecutionResult]:
        identity = ANONYMOUS
        if self.authenticator is not None:
            try:
                identity = await self.authenticator.authenticate(request.headers)
            except AuthenticationError as exc:
                raise OperationErrors(
                    [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]
                ) from None
        if self.authorizer is not None and request.query:
            try:
                document = parse(request.query)
            except GraphQLError:
                document = None  # the inner source reports it
            if document is not None and not validate(self.schema, document):
                op = get_operation_ast(document, request.operation_name)
                if op is not None and op.operation == OperationType.SUBSCRIPTION:
                    filtered = self.authorizer.authorize(
                        request.query, request.operation_name, identity, request.headers
                    )
                    if filtered is not None:
                        errors = filtered.errors()
                        self.authorizer.reporting.logged(errors)
                        if self.authorizer.mode != "dry_run":
                            raise OperationErrors(errors)
        return await self.inner.open(request)
