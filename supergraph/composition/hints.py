"""Composition hints: Apollo's non-fatal warnings (code + message), and the way Apollo
words a value that differs between subgraphs.

A hint never stops composition; it points at something that merged but probably not as
the subgraph authors meant (a field missing in one subgraph, an argument dropped...).
Codes and wording follow @apollo/composition so they can be looked up in its docs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import subgraph_names


@dataclass(frozen=True)
class CompositionHint:
    """One warning: Apollo's hint code, a message, and the subgraphs/elements concerned."""

    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def mismatch(
    supergraph_value: str,
    pairs: Iterable[tuple[str, str]],
    first: Callable[[str, str | None], str],
    other: Callable[[str, str], str],
) -> str:
    """Apollo's distribution of a differing value: `first(value, names)` for the value the
    supergraph took (names None if no subgraph has it), then `other(value, names)` for each
    other value in order of first appearance, joined by " and "."""
    by_value: dict[str, list[str]] = {}
    for subgraph, value in pairs:
        by_value.setdefault(value, []).append(subgraph)
    own = by_value.get(supergraph_value)
    parts = [first(supergraph_value, subgraph_names(own) if own else None)]
    parts += [other(v, subgraph_names(n)) for v, n in by_value.items() if v != supergraph_value]
    return parts[0] + " and ".join(parts[1:])


def merged_description(
    element: str, pairs: Iterable[tuple[str, str | None]], coordinate: str = ""
) -> tuple[str | None, CompositionHint | None]:
    """The description the supergraph keeps from (subgraph, description) pairs: the only
    one, else the most common (an empty one counting least; the first on a tie), with an
    INCONSISTENT_DESCRIPTION hint about `element` (`Element "T.f"`, `The schema
    definition`) when several non-empty ones differ."""
    described = [(sg, d) for sg, d in pairs if d is not None]
    counts: dict[str, int] = {}
    for _, d in described:
        counts[d] = counts.get(d, 0) + 1 if d else -(2**53)
    if len(counts) <= 1:
        return next(iter(counts), None), None
    non_empty = [d for d in counts if d]
    if len(non_empty) == 1:
        return non_empty[0], None
    chosen = max(counts, key=lambda d: counts[d])
    hint = CompositionHint(
        "INCONSISTENT_DESCRIPTION",
        f"{element} has inconsistent descriptions across subgraphs. "
        + mismatch(
            chosen,
            described,
            lambda d, names: (
                f"The supergraph will use description (from {names}):\n" + _description_block(d)
            ),
            lambda d, names: f"\nIn {names}, the description is:\n" + _description_block(d),
        ),
        tuple(sg for sg, _ in described),
        (coordinate,) if coordinate else (),
    )
    return chosen, hint


def _description_block(text: str) -> str:
    # Apollo indents only the first line break (a JavaScript `replace` of one "\n").
    return '  """\n  ' + text.replace("\n", "\n  ", 1) + '\n  """'


def presence(defined: list[str], missing: list[str]) -> str:
    """`it is defined in subgraph "a" but not in subgraph "b".` (Apollo's presence hints)."""
    return f"it is defined in {subgraph_names(defined)} but not in {subgraph_names(missing)}."


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """Apollo's ` Did you mean "x"?` suffix: options within a small edit distance."""
    threshold = int(len(name) * 0.4) + 1
    scored = []
    for option in options:
        distance = 1 if option.lower() == name.lower() else _edit_distance(name, option)
        if distance <= threshold:
            scored.append((distance, option))
    found = [o for _, o in sorted(scored)]
    quoted = [f'"{o}"' for o in found[:5]]
    if not quoted:
        return ""
    if len(quoted) == 1:
        return f" Did you mean {quoted[0]}?"
    if len(quoted) == 2:
        return f" Did you mean {quoted[0]} or {quoted[1]}?"
    return " Did you mean " + ", ".join(quoted[:-1]) + ", or " + quoted[-1] + "?"


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


# The hint codes this composition produces (the README says which of Apollo's it does not).
IMPLEMENTED_HINTS = frozenset(
    {
        "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
        "INCONSISTENT_BUT_COMPATIBLE_ARGUMENT_TYPE",
        "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
        "INCONSISTENT_ENTITY",
        "INCONSISTENT_OBJECT_VALUE_TYPE_FIELD",
        "INCONSISTENT_INTERFACE_VALUE_TYPE_FIELD",
        "INCONSISTENT_INPUT_OBJECT_FIELD",
        "INCONSISTENT_UNION_MEMBER",
        "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
        "INCONSISTENT_ENUM_VALUE_FOR_OUTPUT_ENUM",
        "INCONSISTENT_EXECUTABLE_DIRECTIVE_PRESENCE",
        "NO_EXECUTABLE_DIRECTIVE_INTERSECTION",
        "INCONSISTENT_EXECUTABLE_DIRECTIVE_REPEATABLE",
        "INCONSISTENT_EXECUTABLE_DIRECTIVE_LOCATIONS",
        "INCONSISTENT_DESCRIPTION",
        "INCONSISTENT_ARGUMENT_PRESENCE",
        "FROM_SUBGRAPH_DOES_NOT_EXIST",
        "OVERRIDDEN_FIELD_CAN_BE_REMOVED",
        "OVERRIDE_DIRECTIVE_CAN_BE_REMOVED",
        "OVERRIDE_MIGRATION_IN_PROGRESS",
        "UNUSED_ENUM_TYPE",
        "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
        "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
        "IMPLICITLY_UPGRADED_FEDERATION_VERSION",
        "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
        "DIRECTIVE_COMPOSITION_INFO",
        "DIRECTIVE_COMPOSITION_WARN",
        "INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN",
    }
)
