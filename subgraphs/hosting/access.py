"""Defence in depth: a subgraph enforces its own SDL's `@authenticated` / `@requiresScopes`.

The gateway filters operations against the composed supergraph; each subgraph checks
again, against its own SDL, every operation it is sent, in *reject* mode: an operation
selecting anything the caller lacks is refused as a whole before anything runs, with
``UNAUTHENTICATED`` when the caller is anonymous and ``FORBIDDEN`` when it is
authenticated but lacks a scope (one error per refused field, at its place in the
operation).

`AccessRules.from_sdl(sdl)` reads the SDL once into a table ``(type, field) ->
requirements`` (``field`` None for the type itself; object, interface, scalar and enum
types, extensions included). `@requiresScopes(scopes: [[a, b], [c]])` holds for a caller
with a and b, or with c (Apollo's OR of ANDs); `@authenticated` for any caller with an
identity; several requirements on one field (its own and its type's) must all hold.

What an operation needs is found once per document text (cached): the operation is
walked with graphql-core's `TypeInfo` over the executable schema, through fragments and
inline fragments (so `_entities { ... on Product { price } }` is checked like
`product { price }`); a field selected on an interface also needs what each implementer's
field needs. The identity is the request's (`subgraphs.hosting.identity`).

Used by Strawberry (`SubgraphSchema` adds the rule through a schema extension) and by
Ariadne (`validation_rules=[rules.rule()]`); the check is a validation rule, so a refused
operation runs nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLSchema,
    InlineFragmentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValidationContext,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from subgraphs.hosting.identity import current_identity

AUTHENTICATED_URL = "https://specs.apollo.dev/authenticated/"
SCOPES_URL = "https://specs.apollo.dev/requiresScopes/"
FEDERATION_URL = "https://specs.apollo.dev/federation/"


@dataclass(frozen=True)
class Requirement:
    """`authenticated`, or `scopes`: any one of these sets, each held whole."""

    authenticated: bool = False
    scopes: tuple[frozenset[str], ...] = ()

    def holds(self, identity: Mapping[str, Any] | None) -> bool:
        if identity is None:
            return False
        if not self.scopes:
            return True
        held = scopes_of(identity)
        return any(alternative <= held for alternative in self.scopes)


Coordinate = tuple[str, str | None]
Needed = tuple[tuple[tuple[str, ...], Coordinate, Requirement], ...]
"""What a document needs: (response path, coordinate, requirement) per protected place."""


def scopes_of(identity: Mapping[str, Any]) -> frozenset[str]:
    raw = identity.get("scope")
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list):
        return frozenset(s for s in raw if isinstance(s, str))
    return frozenset()


class AccessRules:
    """The security directives of one subgraph SDL, and the operations they refuse."""

    def __init__(self, table: Mapping[Coordinate, tuple[Requirement, ...]], cache_size: int = 512):
        self.table = dict(table)
        self.cache_size = cache_size
        self._needed: OrderedDict[str, Needed] = OrderedDict()

    @classmethod
    def from_sdl(cls, sdl: str) -> AccessRules:
        document = parse(sdl, no_location=True)
        authenticated, requires_scopes = _directive_names(document)
        table: dict[Coordinate, list[Requirement]] = {}

        def read(directives: Iterable[DirectiveNode]) -> list[Requirement]:
            found: list[Requirement] = []
            for directive in directives:
                name = directive.name.value
                if name in authenticated:
                    found.append(Requirement(authenticated=True))
                elif name in requires_scopes:
                    found.append(
                        Requirement(authenticated=True, scopes=_scopes_argument(directive))
                    )
            return found

        kinds = (
            ObjectTypeDefinitionNode,
            ObjectTypeExtensionNode,
            InterfaceTypeDefinitionNode,
            InterfaceTypeExtensionNode,
            ScalarTypeDefinitionNode,
            ScalarTypeExtensionNode,
            EnumTypeDefinitionNode,
            EnumTypeExtensionNode,
        )
        for definition in document.definitions:
            if not isinstance(definition, kinds):
                continue
            type_name = definition.name.value
            own = read(definition.directives or ())
            if own:
                table.setdefault((type_name, None), []).extend(own)
            for field in getattr(definition, "fields", None) or ():
                needs = read(field.directives or ())
                if needs:
                    table.setdefault((type_name, field.name.value), []).extend(needs)
        return cls({k: tuple(v) for k, v in table.items()})

    @property
    def empty(self) -> bool:
        return not self.table

    # ---- per document ----

    def needed(self, schema: GraphQLSchema, document: DocumentNode, key: str | None) -> Needed:
        """What `document` needs (cached under `key`, the document's text)."""
        if key is not None:
            found = self._needed.get(key)
            if found is not None:
                self._needed.move_to_end(key)
                return found
        needed = self._walk(schema, document)
        if key is not None:
            self._needed[key] = needed
            if len(self._needed) > self.cache_size:
                self._needed.popitem(last=False)
        return needed

    def _walk(self, schema: GraphQLSchema, document: DocumentNode) -> Needed:
        table = self.table
        type_info = TypeInfo(schema)
        found: list[tuple[tuple[str, ...], Coordinate, Requirement]] = []
        path: list[str] = []
        rules = self

        class Collector(Visitor):
            def enter_operation_definition(self, *_: Any) -> None:
                path.clear()

            def enter_fragment_definition(self, node: Any, *_: Any) -> None:
                path.clear()
                rules._add(
                    found, (f"...{node.name.value}",), (node.type_condition.name.value, None)
                )

            def enter_inline_fragment(self, node: InlineFragmentNode, *_: Any) -> None:
                if node.type_condition is not None:
                    coordinate = (node.type_condition.name.value, None)
                    rules._add(found, tuple(path), coordinate)

            def enter_field(self, node: FieldNode, *_: Any) -> None:
                path.append(node.alias.value if node.alias else node.name.value)
                name = node.name.value
                parent = type_info.get_parent_type()
                if name.startswith("__") or parent is None:
                    return
                where = tuple(path)
                rules._add(found, where, (parent.name, name))
                if isinstance(parent, GraphQLInterfaceType):
                    for implementer in schema.get_possible_types(parent):
                        rules._add(found, where, (implementer.name, name))
                field = type_info.get_field_def()
                if field is not None:
                    rules._add(found, where, (get_named_type(field.type).name, None))

            def leave_field(self, *_: Any) -> None:
                path.pop()

        if table:
            visit(document, TypeInfoVisitor(type_info, Collector()))
        return tuple(found)

    def _add(
        self,
        found: list[tuple[tuple[str, ...], Coordinate, Requirement]],
        path: tuple[str, ...],
        coordinate: Coordinate,
    ) -> None:
        for requirement in self.table.get(coordinate, ()):
            found.append((path, coordinate, requirement))

    def refusals(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        identity: Mapping[str, Any] | None,
        key: str | None = None,
    ) -> list[GraphQLError]:
        """One error per refused place; empty when the identity may run `document`."""
        if not self.table:
            return []
        errors: list[GraphQLError] = []
        seen: set[tuple[tuple[str, ...], Coordinate]] = set()
        for path, coordinate, requirement in self.needed(schema, document, key):
            if requirement.holds(identity) or (path, coordinate) in seen:
                continue
            seen.add((path, coordinate))
            type_name, field = coordinate
            what = f"{type_name}.{field}" if field else type_name
            if identity is None:
                message = f"{what} needs a signed-in caller (at {'.'.join(path) or '@'})."
                code = "UNAUTHENTICATED"
            else:
                wanted = " or ".join(" and ".join(sorted(a)) for a in requirement.scopes)
                message = f"{what} needs the scope {wanted} (at {'.'.join(path) or '@'})."
                code = "FORBIDDEN"
            errors.append(GraphQLError(message, extensions={"code": code, "field": what}))
        return errors

    # ---- as a validation rule ----

    def rule(
        self, identity: Callable[[], Mapping[str, Any] | None] = current_identity
    ) -> type[ASTValidationRule]:
        """A graphql-core validation rule refusing what `identity()` may not run."""
        rules = self

        class EnforceOwnSdl(ASTValidationRule):
            def enter_document(self, node: DocumentNode, *_: Any) -> Any:
                context = self.context
                assert isinstance(context, ValidationContext)
                key = node.loc.source.body if node.loc is not None else None
                for error in rules.refusals(context.schema, node, identity(), key):
                    context.report_error(error)
                return self.BREAK

        return EnforceOwnSdl


def _directive_names(document: DocumentNode) -> tuple[set[str], set[str]]:
    """The names `@authenticated` and `@requiresScopes` go by in this SDL (`@link`
    imports may rename them; without an import they are `federation__...`)."""
    authenticated = {"authenticated", "federation__authenticated"}
    requires_scopes = {"requiresScopes", "federation__requiresScopes"}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            arguments = {a.name.value: a.value for a in directive.arguments or ()}
            url = arguments.get("url")
            imports = arguments.get("import")
            if not isinstance(url, StringValueNode) or not isinstance(imports, ListValueNode):
                continue
            for item in imports.values:
                name, alias = _import(item)
                if name == "@authenticated" and alias:
                    authenticated.add(alias.lstrip("@"))
                elif name == "@requiresScopes" and alias:
                    requires_scopes.add(alias.lstrip("@"))
    return authenticated, requires_scopes


def _import(item: Any) -> tuple[str | None, str | None]:
    if isinstance(item, StringValueNode):
        return item.value, item.value
    fields = {f.name.value: f.value for f in getattr(item, "fields", ())}
    name, alias = fields.get("name"), fields.get("as")
    return (
        name.value if isinstance(name, StringValueNode) else None,
        alias.value if isinstance(alias, StringValueNode) else None,
    )


def _scopes_argument(directive: DirectiveNode) -> tuple[frozenset[str], ...]:
    for argument in directive.arguments or ():
        if argument.name.value != "scopes" or not isinstance(argument.value, ListValueNode):
            continue
        alternatives = []
        for alternative in argument.value.values:
            values = alternative.values if isinstance(alternative, ListValueNode) else [alternative]
            alternatives.append(
                frozenset(v.value for v in values if isinstance(v, StringValueNode))
            )
        return tuple(alternatives)
    return (frozenset({"<malformed @requiresScopes>"}),)  # held by nobody
