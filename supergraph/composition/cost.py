"""Demand control (`@cost`, `@listSize`, federation 2.9): Apollo's subgraph checks.

The directives themselves are carried into the supergraph (merged by
`applications.py`); here each subgraph's use is checked so the router's cost estimate
can rely on it: no `@cost` on interface fields, `@listSize` on lists, slicing arguments
that are Int arguments of the field, sized fields that are list fields of its type.
"""

from __future__ import annotations

from graphql.language import ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode

from .applications import arguments
from .errors import CompositionError
from .model import Field, SubgraphSchema
from .subgraph_sdl import named_type
from .typerefs import type_str


def _is_list(t: TypeNode) -> bool:
    return isinstance(t.type if isinstance(t, NonNullTypeNode) else t, ListTypeNode)


def _is_int(t: TypeNode) -> bool:
    inner = t.type if isinstance(t, NonNullTypeNode) else t
    return isinstance(inner, NamedTypeNode) and inner.name.value == "Int"


def validate_cost(schema: SubgraphSchema) -> list[CompositionError]:
    errors: list[CompositionError] = []

    def error(code: str, message: str, coordinate: str) -> None:
        errors.append(
            CompositionError(code, f"[{schema.name}] {message}", (schema.name,), (coordinate,))
        )

    for t in schema.types.values():
        for f in t.fields.values():
            coordinate = f"{t.name}.{f.name}"
            for d in f.directives:
                if d.name.value == "cost" and t.kind == "interface":
                    error(
                        "COST_APPLIED_TO_INTERFACE_FIELD",
                        f'@cost cannot be applied to interface "{coordinate}"',
                        coordinate,
                    )
                elif d.name.value == "listSize":
                    for code, message in _list_size_problems(schema, coordinate, f, arguments(d)):
                        error(code, message, coordinate)
    return errors


def _list_size_problems(
    schema: SubgraphSchema, coordinate: str, f: Field, args: dict[str, object]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    sized = args.get("sizedFields") or []
    assert isinstance(sized, list)
    if not sized and not _is_list(f.type):
        out.append(("LIST_SIZE_APPLIED_TO_NON_LIST", f'"{coordinate}" is not a list'))
    assumed = args.get("assumedSize")
    if isinstance(assumed, int) and assumed < 0:
        out.append(
            ("LIST_SIZE_INVALID_ASSUMED_SIZE", f'Assumed size of "{coordinate}" cannot be negative')
        )
    slicing = args.get("slicingArguments") or []
    assert isinstance(slicing, list)
    for name in slicing:
        arg = f.args.get(name)
        if arg is None:
            out.append(
                (
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{name}" is not an argument of "{coordinate}"',
                )
            )
        elif not _is_int(arg.type):
            out.append(
                (
                    "LIST_SIZE_INVALID_SLICING_ARGUMENT",
                    f'Slicing argument "{coordinate}({name}:)" must be Int or Int!',
                )
            )
    if sized:
        target = schema.types.get(named_type(f.type))
        if target is None or not target.composite:
            out.append(
                (
                    "LIST_SIZE_INVALID_SIZED_FIELD",
                    f'Sized fields cannot be used because "{type_str(f.type)}" is not a '
                    "composite type",
                )
            )
            return out
        for name in sized:
            sized_field = target.fields.get(name)
            if sized_field is None:
                out.append(
                    (
                        "LIST_SIZE_INVALID_SIZED_FIELD",
                        f'Sized field "{name}" is not a field on type "{target.name}"',
                    )
                )
            elif not _is_list(sized_field.type):
                out.append(
                    (
                        "LIST_SIZE_APPLIED_TO_NON_LIST",
                        f'Sized field "{target.name}.{name}" is not a list',
                    )
                )
    return out
