"""Which `@defer`s of a document are active: read before planning, since the planner is
told the `if:` variables that are false and plans each active deferred fragment apart.

Kept in planning (the payloads are cut in `execution/defer.py`, which imports this), so
planning never imports execution.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    visit,
)


def active_for(
    node: SelectionNode, variables: Mapping[str, Any], default: bool = False
) -> DirectiveNode | None:
    """The node's `@defer` when it is active for these variables."""
    for d in getattr(node, "directives", None) or ():
        if d.name.value != "defer":
            continue
        for arg in d.arguments or ():
            if arg.name.value != "if":
                continue
            if isinstance(arg.value, BooleanValueNode) and not arg.value.value:
                return None
            if isinstance(arg.value, VariableNode) and not variables.get(
                arg.value.name.value, default
            ):
                return None
        return d
    return None


def label(directive: DirectiveNode) -> str | None:
    for arg in directive.arguments or ():
        if arg.name.value == "label" and isinstance(arg.value, StringValueNode):
            return arg.value.value
    return None


def inactive_variables(document: DocumentNode, variables: Mapping[str, Any]) -> set[str]:
    """Variables some `@defer(if: $v)` of `document` reads that are false for this request:
    with the document, all the planner needs to know which fragments are deferred."""
    found: set[str] = set()

    class _Collect(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            if node.name.value != "defer":
                return
            for arg in node.arguments or ():
                if arg.name.value == "if" and isinstance(arg.value, VariableNode):
                    name = arg.value.name.value
                    if not variables.get(name):
                        found.add(name)

    visit(document, _Collect())
    return found


def active(node: SelectionNode, off: Collection[str]) -> DirectiveNode | None:
    """The node's `@defer` when active, given the variables `off` that are false."""
    return active_for(node, {name: False for name in off}, default=True)


def has_active(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> bool:
    """Whether some `@defer` of `operation` is active for these variables."""
    return _has_defer(operation.selection_set, fragments, variables, set())


def _has_defer(
    sel: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    seen: set[str],
) -> bool:
    for s in sel.selections:
        if active_for(s, variables) is not None:
            return True
        if isinstance(s, FragmentSpreadNode):
            name = s.name.value
            if name in seen or name not in fragments:
                continue
            seen.add(name)
            sub: SelectionSetNode | None = fragments[name].selection_set
        else:
            sub = s.selection_set  # type: ignore[attr-defined]
        if sub is not None and _has_defer(sub, fragments, variables, seen):
            return True
    return False
