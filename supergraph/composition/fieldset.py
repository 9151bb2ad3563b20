"""Field sets (`@key(fields:)`, `@requires`, `@provides`): parsing and normal printing."""

from __future__ import annotations

from graphql import GraphQLError, print_ast
from graphql.language import FieldNode, SelectionSetNode, TokenKind
from graphql.language.parser import Parser


def parse_field_set(fields: str) -> SelectionSetNode:
    """Parse a field set as the selection set it is; raises GraphQLError when malformed."""
    parser = Parser("{" + fields + "}", no_location=True)
    parser.expect_token(TokenKind.SOF)
    selection = parser.parse_selection_set()
    parser.expect_token(TokenKind.EOF)
    return selection


def field_paths(fields: str) -> list[tuple[str, ...]]:
    """Every field path a field set selects (`"id org { id }"` -> id, org, org.id)."""
    try:
        selection = parse_field_set(fields)
    except GraphQLError:
        return []
    out: list[tuple[str, ...]] = []

    def walk(sel: SelectionSetNode, prefix: tuple[str, ...]) -> None:
        for s in sel.selections:
            if isinstance(s, FieldNode):
                path = (*prefix, s.name.value)
                out.append(path)
                if s.selection_set:
                    walk(s.selection_set, path)
            elif getattr(s, "selection_set", None) is not None:
                walk(s.selection_set, prefix)  # type: ignore[attr-defined]

    walk(selection, ())
    return out


def normalize_field_set(fields: str) -> str:
    """Whitespace-insensitive form, used to compare field sets."""
    try:
        selection = parse_field_set(fields)
    except GraphQLError:
        return fields.strip()
    printed = print_ast(selection)
    return " ".join(printed.split())[1:-1].strip()
