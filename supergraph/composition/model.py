"""A subgraph, normalised: federation directives resolved to their canonical meaning.

Composition works on this model rather than on the raw AST so that renamed imports,
namespaced directives, `extend type` and federation 1 conventions are dealt with once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql.language import DirectiveDefinitionNode, DirectiveNode, TypeNode, ValueNode


@dataclass
class InputValue:
    """An argument or an input object field."""

    name: str
    type: TypeNode
    default: ValueNode | None = None
    description: str | None = None
    directives: list[DirectiveNode] = field(default_factory=list)
    from_context: str | None = None  # `@fromContext(field:)`: the value comes from a context


@dataclass
class Field:
    """An object or interface field with its federation directives decoded."""

    name: str
    type: TypeNode
    args: dict[str, InputValue] = field(default_factory=dict)
    description: str | None = None
    directives: list[DirectiveNode] = field(default_factory=list)
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None
    duplicate_shareable: bool = False
    shareable_applied: bool = False  # @shareable written on the field itself
    join_directives: list[DirectiveNode] = field(default_factory=list)  # join_directives.py


@dataclass
class Key:
    """One `@key`: its field set and whether this subgraph can resolve the entity by it."""

    fields: str
    resolvable: bool = True


@dataclass
class EnumValue:
    name: str
    description: str | None = None
    directives: list[DirectiveNode] = field(default_factory=list)


@dataclass
class TypeDef:
    """A named type as one subgraph defines it (all its extensions folded in)."""

    name: str
    kind: str  # object | interface | union | enum | input | scalar
    description: str | None = None
    directives: list[DirectiveNode] = field(default_factory=list)
    fields: dict[str, Field] = field(default_factory=dict)
    input_fields: dict[str, InputValue] = field(default_factory=dict)
    values: dict[str, EnumValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    extension: bool = False  # only `extend type` / `@extends` in this subgraph
    extends_directive: bool = False
    only_extend_keyword: bool = False  # no plain definition: only `extend type` blocks
    interface_object: bool = False
    contexts: list[str] = field(default_factory=list)  # `@context(name:)` as written
    join_directives: list[DirectiveNode] = field(default_factory=list)  # join_directives.py

    @property
    def composite(self) -> bool:
        """Whether fields of this type take a selection of sub-fields."""
        return self.kind in ("object", "interface", "union")


@dataclass
class Link:
    """A non-federation `@link` on the subgraph schema (needed for composed directives)."""

    url: str
    imports: dict[str, str]  # local directive name -> name in the linked spec
    node: DirectiveNode


@dataclass
class SubgraphSchema:
    """A parsed, normalised subgraph ready for merging."""

    name: str
    url: str
    federation_version: int
    federation_minor: int = 0  # the X of a linked federation/v2.X
    types: dict[str, TypeDef] = field(default_factory=dict)
    directive_defs: dict[str, DirectiveDefinitionNode] = field(default_factory=dict)
    composed: list[str] = field(default_factory=list)
    # composed names that are federation directives: local name -> canonical name
    composed_federation: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    # canonical name -> local name of each federation directive applied at least once
    applied: dict[str, str] = field(default_factory=dict)
    # `@join__directive` material (join_directives.py): schema-level applications under
    # their join names, and the minor versions of the connect specs linked
    schema_join_directives: list[DirectiveNode] = field(default_factory=list)
    connect_minors: list[int] = field(default_factory=list)
    description: str | None = None  # the schema definition's

    @property
    def is_fed1(self) -> bool:
        return self.federation_version == 1
