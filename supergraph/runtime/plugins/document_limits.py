"""Document limits: refuse a hostile document before it costs anything, i.e. before (and
while) it is parsed and before it is validated or planned.

Checked in this order, each in time bounded by the limit, not by the document:

- `max_length`: characters of the document (`OPERATION_TOO_LARGE`), before anything else;
- `max_nesting`: brackets (`{`, `(`, `[`) open at once, by a regular-expression pre-scan of
  the source that skips strings and comments and stops at the limit (`MAX_NESTING_LIMIT`);
- `max_tokens`: lexical tokens, comments included, passed to graphql-core's parser, which
  aborts as soon as it is passed (`MAX_TOKENS_LIMIT`), as Apollo Router's `parser_max_tokens`;
- on the parsed document, before validation (one walk, fragments memoized):
  `max_expanded_fields`, the fields the operation selects with every fragment spread replaced
  by its fragment (a "fragment bomb" doubles at each level: refused as soon as the count
  passes the limit, `OPERATION_TOO_LARGE`); `max_directives`, directives in the whole
  document (directive overloading, `MAX_DIRECTIVES_LIMIT`); `max_field_repeats`, how often
  one response key may be written in one selection set (field duplication,
  `MAX_FIELD_REPEATS_LIMIT`). A directive that is not `repeatable` written twice at one place
  (invalid anyway) is refused with one validation error instead of one per copy.

None turns a limit off. Every refusal is one GraphQL request error with `extensions.code`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from ..execution.errors import error as error_entry

TOO_LARGE = "OPERATION_TOO_LARGE"
NESTING = "MAX_NESTING_LIMIT"
TOKENS = "MAX_TOKENS_LIMIT"
DIRECTIVES = "MAX_DIRECTIVES_LIMIT"
FIELD_REPEATS = "MAX_FIELD_REPEATS_LIMIT"

# strings (block and plain) and comments are skipped whole; brackets are what is counted
_SCAN = re.compile(r'"""(?:\\"""|"(?!"")|[^"])*"""|"(?:\\.|[^"\\\n\r])*"|#[^\n\r]*|[{(\[]|[})\]]')
_OPEN = frozenset("{([")
_CLOSE = frozenset("})]")


@dataclass(frozen=True)
class DocumentLimits:
    """The maxima (None = that limit off). The defaults fit every legitimate operation of
    the POS graph many times over and refuse the known denial-of-service documents."""

    max_length: int | None = 1_000_000
    max_nesting: int | None = 100
    max_tokens: int | None = 15_000
    max_expanded_fields: int | None = 5_000
    max_directives: int | None = 50
    max_field_repeats: int | None = 10

    def __post_init__(self) -> None:
        for name in (
            "max_length",
            "max_nesting",
            "max_tokens",
            "max_expanded_fields",
            "max_directives",
            "max_field_repeats",
        ):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 1):
                raise ValueError(
                    f"{name} must be a whole number >= 1 (or None: off), got {value!r}"
                )

    def parse(self, document: str) -> DocumentNode | dict[str, Any]:
        """The parsed document, or the error refusing it (before or while parsing)."""
        if self.max_length is not None and len(document) > self.max_length:
            return error_entry(
                f"The document has {len(document)} characters, more than the maximum of "
                f"{self.max_length}.",
                TOO_LARGE,
            )
        if self.max_nesting is not None:
            nesting = _nesting(document, self.max_nesting, self.max_tokens)
            if nesting > self.max_nesting:
                return error_entry(
                    f"The document nests brackets more than {self.max_nesting} deep.", NESTING
                )
        try:
            return parse(document, max_tokens=self.max_tokens)
        except GraphQLError as exc:
            if (
                self.max_tokens is not None
                and "more than" in exc.message
                and "tokens" in exc.message
            ):
                return error_entry(
                    f"The document has more than {self.max_tokens} tokens; parsing stopped.",
                    TOKENS,
                )
            if "nested too deeply" in exc.message:
                return error_entry("The document is nested too deeply; parsing stopped.", NESTING)
            raise

    def check(self, doc: DocumentNode, repeatable: frozenset[str]) -> dict[str, Any] | None:
        """The first limit the parsed document is over, as an error (None: within them).
        `repeatable`: the directives the schema declares `repeatable`."""
        walk = _Walk(self, doc, repeatable)
        try:
            walk.document()
        except _Refused as refused:
            return refused.error
        return None


class _Refused(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error


def _nesting(source: str, limit: int, max_tokens: int | None) -> int:
    """The deepest bracket nesting of `source`, stopping once past `limit` (or after as many
    matches as the parser will read tokens: it refuses the rest itself)."""
    depth = deepest = 0
    budget = (max_tokens or len(source)) + 1
    for match in _SCAN.finditer(source):
        char = match.group()
        if char in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in _CLOSE:
            depth -= 1
        budget -= 1
        if budget <= 0:
            break
    return deepest


class _Walk:
    """One pass over a parsed document: expanded field count (fragments memoized, cycles
    counted once and left to validation), directives, repeated keys."""

    def __init__(self, limits: DocumentLimits, doc: DocumentNode, repeatable: frozenset[str]):
        self.limits = limits
        self.doc = doc
        self.repeatable = repeatable
        self.fragments: Mapping[str, FragmentDefinitionNode] = {
            d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.expanded: dict[str, int] = {}
        self.visiting: set[str] = set()
        self.directives = 0

    def document(self) -> None:
        limit = self.limits.max_expanded_fields
        for definition in self.doc.definitions:
            self.count_directives(definition)
            for variable in getattr(definition, "variable_definitions", None) or ():
                self.count_directives(variable)
            if isinstance(definition, OperationDefinitionNode):
                total = self.selections(definition.selection_set)
                if limit is not None and total > limit:
                    self.too_large()
            elif isinstance(definition, FragmentDefinitionNode):
                self.fragment(definition.name.value)

    def too_large(self) -> None:
        raise _Refused(
            error_entry(
                "The operation selects more than "
                f"{self.limits.max_expanded_fields} fields once its fragments are expanded.",
                TOO_LARGE,
            )
        )

    def count_directives(self, node: Any) -> None:
        directives = getattr(node, "directives", None) or ()
        if not directives:
            return
        self.directives += len(directives)
        limit = self.limits.max_directives
        if limit is not None and self.directives > limit:
            raise _Refused(
                error_entry(f"The document has more than {limit} directives.", DIRECTIVES)
            )
        if len(directives) > 1:
            seen: set[str] = set()
            for directive in directives:
                name = directive.name.value
                if name in seen and name not in self.repeatable:
                    error = error_entry(
                        f'The directive "@{name}" can only be used once at this location.',
                        "GRAPHQL_VALIDATION_FAILED",
                    )
                    if directive.loc is not None:
                        line, column = _position(directive.loc.source.body, directive.loc.start)
                        error = {
                            "message": error["message"],
                            "locations": [{"line": line, "column": column}],
                            "extensions": error["extensions"],
                        }
                    raise _Refused(error)
                seen.add(name)

    def selections(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        limit = self.limits.max_expanded_fields
        repeats = self.limits.max_field_repeats
        keys: dict[str, int] = {}
        total = 0
        for selection in selection_set.selections:
            self.count_directives(selection)
            if isinstance(selection, FieldNode):
                total += 1 + self.selections(selection.selection_set)
                if repeats is not None:
                    key = (selection.alias or selection.name).value
                    seen = keys.get(key, 0) + 1
                    keys[key] = seen
                    if seen > repeats:
                        raise _Refused(
                            error_entry(
                                f'The field "{key}" is selected more than {repeats} times in '
                                "one selection set.",
                                FIELD_REPEATS,
                            )
                        )
            elif isinstance(selection, InlineFragmentNode):
                total += self.selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
            if limit is not None and total > limit:
                self.too_large()
        return total

    def fragment(self, name: str) -> int:
        found = self.expanded.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0  # unknown or cyclic: validation refuses it
        self.visiting.add(name)
        size = self.selections(definition.selection_set)
        self.visiting.discard(name)
        self.expanded[name] = size
        return size


def _position(body: str, offset: int) -> tuple[int, int]:
    line = body.count("\n", 0, offset) + 1
    return line, offset - (body.rfind("\n", 0, offset) + 1) + 1
