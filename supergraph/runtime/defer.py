"""`@defer`: an initial payload without the deferred fragments, then the rest.

The gateway answers a deferring operation with two executions started together: the
*primary* document (every active deferred fragment removed) gives the initial payload as
soon as its own fetches are done; the *full* document (fragments inline, `__typename`
added under a private alias everywhere) gives the data each deferred fragment is then
delivered from, at the response path of every object it applies to. This trades some
repeated subgraph work for a planner that stays defer-unaware; the payloads follow the
incremental delivery format Apollo clients read (`deferSpec=20220824`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    Visitor,
    print_ast,
    visit,
)

DEFER_DIRECTIVE_SDL = (
    "directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT"
)
TYPENAME_ALIAS = "__deferTypename"

Applies = Callable[[str, Any], bool]


def _defer(node: SelectionNode, variables: Mapping[str, Any]) -> DirectiveNode | None:
    """The node's `@defer` when it is active for these variables."""
    for d in getattr(node, "directives", None) or ():
        if d.name.value != "defer":
            continue
        for arg in d.arguments or ():
            if arg.name.value != "if":
                continue
            if isinstance(arg.value, BooleanValueNode) and not arg.value.value:
                return None
            if isinstance(arg.value, VariableNode) and not variables.get(arg.value.name.value):
                return None
        return d
    return None


def _label(directive: DirectiveNode) -> str | None:
    for arg in directive.arguments or ():
        if arg.name.value == "label" and isinstance(arg.value, StringValueNode):
            return arg.value.value
    return None


@dataclass
class DeferSplit:
    """The two documents one deferring request runs."""

    primary: str
    full: str
    full_document: DocumentNode


def split(
    document: DocumentNode, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> DeferSplit | None:
    """None when no `@defer` is active in `operation` for these variables."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if not _has_defer(operation.selection_set, fragments, variables, set()):
        return None
    stripped = {
        n: _replace(f, selection_set=_strip(f.selection_set, variables))
        for n, f in fragments.items()
    }
    primary_op = _replace(operation, selection_set=_strip(operation.selection_set, variables))
    used: set[str] = set()
    _spreads(primary_op.selection_set, stripped, used)
    kept = [stripped[n] for n in fragments if n in used]
    # a variable only the deferred parts read is not declared in the primary document
    # (GraphQL rejects unused variables)
    read = _variables_in([primary_op.selection_set, *kept])
    primary_op = _replace(
        primary_op,
        variable_definitions=tuple(
            v for v in operation.variable_definitions or () if v.variable.name.value in read
        ),
    )
    primary_defs = [primary_op, *kept]
    full_defs = [_replace(operation, selection_set=_typenamed(operation.selection_set, root=True))]
    full_defs += [
        _replace(f, selection_set=_typenamed(f.selection_set, root=False))
        for f in fragments.values()
    ]
    full_doc = DocumentNode(definitions=tuple(full_defs))
    return DeferSplit(
        print_ast(DocumentNode(definitions=tuple(primary_defs))), print_ast(full_doc), full_doc
    )


def _variables_in(nodes: list[Any]) -> set[str]:
    found: set[str] = set()

    class _Collect(Visitor):
        def enter_variable(self, node: VariableNode, *_: object) -> None:
            found.add(node.name.value)

    for node in nodes:
        visit(node, _Collect())
    return found


def _has_defer(
    sel: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    seen: set[str],
) -> bool:
    for s in sel.selections:
        if _defer(s, variables) is not None:
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


def _replace(node: Any, **changes: Any) -> Any:
    kw = {k: getattr(node, k) for k in node.keys if k != "loc"}
    kw.update(changes)
    return node.__class__(**kw)


def _strip(sel: SelectionSetNode, variables: Mapping[str, Any]) -> SelectionSetNode:
    kept: list[SelectionNode] = []
    for s in sel.selections:
        if _defer(s, variables) is not None:
            continue
        if isinstance(s, FieldNode | InlineFragmentNode) and s.selection_set is not None:
            s = _replace(s, selection_set=_strip(s.selection_set, variables))
        kept.append(s)
    if not kept:
        kept.append(FieldNode(name=NameNode(value="__typename")))
    return SelectionSetNode(selections=tuple(kept))


def _spreads(
    sel: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], into: set[str]
) -> None:
    for s in sel.selections:
        if isinstance(s, FragmentSpreadNode):
            name = s.name.value
            if name not in into and name in fragments:
                into.add(name)
                _spreads(fragments[name].selection_set, fragments, into)
        elif s.selection_set is not None:  # type: ignore[attr-defined]
            _spreads(s.selection_set, fragments, into)  # type: ignore[attr-defined]


def _typenamed(sel: SelectionSetNode, root: bool) -> SelectionSetNode:
    """Every object in the full result says its type, for the fragments' conditions."""
    out: list[SelectionNode] = []
    if not root:
        out.append(
            FieldNode(alias=NameNode(value=TYPENAME_ALIAS), name=NameNode(value="__typename"))
        )
    for s in sel.selections:
        if isinstance(s, FieldNode) and s.selection_set is not None:
            s = _replace(s, selection_set=_typenamed(s.selection_set, root=False))
        elif isinstance(s, InlineFragmentNode):
            s = _replace(s, selection_set=_typenamed(s.selection_set, root=True))
        out.append(s)
    return SelectionSetNode(selections=tuple(out))


@dataclass
class _Walk:
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    applies: Applies
    root_type: str
    increments: list[dict[str, Any]] = field(default_factory=list)

    def fragment_applies(self, type_condition: str | None, obj: Mapping[str, Any]) -> bool:
        if type_condition is None:
            return True
        typename = obj.get(TYPENAME_ALIAS, self.root_type)
        return self.applies(type_condition, typename)

    def walk(self, sel: SelectionSetNode, obj: Mapping[str, Any], path: list[str | int]) -> None:
        """Record an increment for every active deferred fragment below `obj`."""
        for s in sel.selections:
            if isinstance(s, FieldNode):
                if s.selection_set is not None:
                    self._walk_value(s.selection_set, obj.get(_key(s)), [*path, _key(s)])
                continue
            frag_sel, type_condition = self._fragment(s)
            if frag_sel is None or not self.fragment_applies(type_condition, obj):
                continue
            directive = _defer(s, self.variables)
            if directive is not None:
                increment: dict[str, Any] = {"data": self.project(frag_sel, obj), "path": path}
                label = _label(directive)
                if label is not None:
                    increment["label"] = label
                self.increments.append(increment)
            self.walk(frag_sel, obj, path)

    def _walk_value(self, sel: SelectionSetNode, value: Any, path: list[str | int]) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self._walk_value(sel, item, [*path, i])
        elif isinstance(value, dict):
            self.walk(sel, value, path)

    def _fragment(self, s: SelectionNode) -> tuple[SelectionSetNode | None, str | None]:
        if isinstance(s, InlineFragmentNode):
            tc = s.type_condition.name.value if s.type_condition else None
            return s.selection_set, tc
        if isinstance(s, FragmentSpreadNode) and s.name.value in self.fragments:
            frag = self.fragments[s.name.value]
            return frag.selection_set, frag.type_condition.name.value
        return None, None

    def project(self, sel: SelectionSetNode, obj: Mapping[str, Any]) -> dict[str, Any]:
        """The fields `sel` selects on `obj` without going into deferred fragments."""
        out: dict[str, Any] = {}
        for s in sel.selections:
            if isinstance(s, FieldNode):
                key = _key(s)
                if key not in obj or key == TYPENAME_ALIAS:
                    continue
                value = obj[key]
                if s.selection_set is not None:
                    value = self._project_value(s.selection_set, value)
                previous = out.get(key)
                if isinstance(previous, dict) and isinstance(value, dict):
                    previous.update(value)
                else:
                    out[key] = value
                continue
            if _defer(s, self.variables) is not None:
                continue
            frag_sel, type_condition = self._fragment(s)
            if frag_sel is not None and self.fragment_applies(type_condition, obj):
                for key, value in self.project(frag_sel, obj).items():
                    previous = out.get(key)
                    if isinstance(previous, dict) and isinstance(value, dict):
                        previous.update(value)
                    else:
                        out[key] = value
        return out

    def _project_value(self, sel: SelectionSetNode, value: Any) -> Any:
        if isinstance(value, list):
            return [self._project_value(sel, v) for v in value]
        if isinstance(value, dict):
            return self.project(sel, value)
        return value


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def increments(
    full: DocumentNode,
    operation_name: str | None,
    data: Mapping[str, Any] | None,
    variables: Mapping[str, Any],
    applies: Applies,
    root_type: str,
) -> list[dict[str, Any]]:
    """The incremental payload entries of every active deferred fragment, in document
    order, read from the full execution's `data`."""
    if not data:
        return []
    operation = next(
        d
        for d in full.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    )
    fragments = {d.name.value: d for d in full.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = _Walk(fragments, variables, applies, root_type)
    walker.walk(operation.selection_set, data, [])
    return walker.increments


def assign_errors(
    entries: list[dict[str, Any]], errors: list[dict[str, Any]], already: list[dict[str, Any]]
) -> None:
    """Give each full-execution error not already reported to the increment it lies in."""
    reported = {(e.get("message"), str(e.get("path"))) for e in already}
    for error in errors:
        if (error.get("message"), str(error.get("path"))) in reported:
            continue
        path = error.get("path")
        best = None
        for entry in entries:
            p = entry["path"]
            inside = isinstance(path, list) and path[: len(p)] == p and len(path) > len(p)
            if inside and (best is None or len(p) > len(best["path"])):
                best = entry
        if best is not None:
            best.setdefault("errors", []).append(error)
