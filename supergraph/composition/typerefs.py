"""Type references across subgraphs: subtyping and the merged type of a field/argument.

Output positions take the most general of the subgraphs' types (a subgraph may promise
more, e.g. `String!` where another says `String`); input positions take the most
restrictive, so that every subgraph can accept what the gateway sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphql import print_ast
from graphql.language import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode


def is_subtype(sub: TypeNode, sup: TypeNode, possible: Mapping[str, set[str]]) -> bool:
    """Whether a value of type `sub` is always a valid value of type `sup`."""
    if isinstance(sup, NonNullTypeNode):
        return isinstance(sub, NonNullTypeNode) and is_subtype(sub.type, sup.type, possible)
    if isinstance(sub, NonNullTypeNode):
        return is_subtype(sub.type, sup, possible)
    if isinstance(sup, ListTypeNode):
        return isinstance(sub, ListTypeNode) and is_subtype(sub.type, sup.type, possible)
    if isinstance(sub, ListTypeNode) or not isinstance(sub, NamedTypeNode):
        return False
    assert isinstance(sup, NamedTypeNode)
    return sub.name.value == sup.name.value or sub.name.value in possible.get(sup.name.value, ())


def merged_output_type(
    types: Sequence[TypeNode], possible: Mapping[str, set[str]]
) -> TypeNode | None:
    """The source type every other source type is a subtype of, or None if incompatible."""
    for candidate in types:
        if all(is_subtype(t, candidate, possible) for t in types):
            return candidate
    return None


def merged_input_type(types: Sequence[TypeNode]) -> TypeNode | None:
    """The source type that is a subtype of all others (most restrictive), or None."""
    for candidate in types:
        if all(is_subtype(candidate, t, {}) for t in types):
            return candidate
    return None


def type_str(node: TypeNode) -> str:
    return print_ast(node)
