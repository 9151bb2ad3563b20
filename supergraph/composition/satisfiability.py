"""Post-merge check: every field of the supergraph can be reached by some query plan.

A reasonable subset of Apollo's satisfiability validation. We walk supergraph paths
from the root types, tracking the set of subgraphs a plan could be in at each step (a
shareable field can be fetched from any subgraph resolving it). An entity can move to
another subgraph that has a resolvable `@key` for it. At every step, each supergraph field
of the type must be resolvable in one of those subgraphs or one reachable through keys;
otherwise the error shows the query that cannot be planned, like Apollo's
SATISFIABILITY_ERROR.

A jump by `@key` needs the key's whole selection where the plan is: its top-level fields
in the subgraph being left, nested ones from there (moving through keys as a plan may). A
`@requires` needs every required path resolvable from some subgraph reachable at that
point, nested selections from the subgraph answering their parent. `@provides` makes
external fields available only below the providing field, in the providing subgraph.

Meant to be permissive (never reject what Apollo accepts; it may accept what Apollo
rejects): requirements of the fields inside a key or `@requires` selection are not
checked, nor the type conditions of fragments in them. A field with `@fromContext`
arguments needs an ancestor on the path that sets the context (its selection is assumed
fetchable).
"""

from __future__ import annotations

from collections import deque

from graphql import GraphQLError
from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode

from .context import parse_context
from .errors import CompositionError, subgraph_names
from .fieldset import field_paths, parse_field_set
from .hints import CompositionHint
from .model import SubgraphSchema
from .subgraph_sdl import named_type
from .supermodel import Supergraph

_ROOTS = ("Query", "Mutation", "Subscription")

State = tuple[str, str]  # (object type, subgraph)
Context = tuple[str, str]  # (subgraph, context name)
# External fields a `@provides` above makes available here: (subgraph, path from here).
Provided = frozenset[tuple[str, tuple[str, ...]]]
_NONE: Provided = frozenset()


class _Graph:
    def __init__(self, subgraphs: list[SubgraphSchema], supergraph: Supergraph) -> None:
        self.subgraphs = {s.name: s for s in subgraphs}
        self.supergraph = supergraph
        self.overridden: set[tuple[str, str, str]] = set()  # (subgraph, type, field)
        self._closing: set[tuple[str, str]] = set()  # closures being computed (nested keys)
        for s in subgraphs:
            for t in s.types.values():
                for f in t.fields.values():
                    if f.override and f.override != s.name:
                        self.overridden.add((f.override, t.name, f.name))

    def contexts_set_by(self, type_name: str) -> frozenset[Context]:
        """Contexts a field selected on this type makes available below it: those set on
        the type, on an interface it implements, or on a union it belongs to."""
        merged = self.supergraph.types.get(type_name)
        interfaces = set(merged.interfaces) if merged else set()
        out: set[Context] = set()
        for s in self.subgraphs.values():
            for location in s.types.values():
                if not location.contexts:
                    continue
                union = self.supergraph.types.get(location.name)
                if (
                    location.name == type_name
                    or location.name in interfaces
                    or (union is not None and union.kind == "union" and type_name in union.members)
                ):
                    out.update((s.name, c) for c in location.contexts)
        return frozenset(out)

    def contexts_met(
        self, subgraph: str, type_name: str, field: str, contexts: frozenset[Context]
    ) -> bool:
        """A contextual argument needs an ancestor setting its context (in its subgraph)."""
        f = self.subgraphs[subgraph].types[type_name].fields[field]
        return all(
            (subgraph, parse_context(a.from_context)[0]) in contexts
            for a in f.args.values()
            if a.from_context is not None
        )

    def resolves(
        self, subgraph: str, type_name: str, field: str, provided: Provided = _NONE
    ) -> bool:
        """Whether the subgraph answers the field here: its own, or external but provided
        by a `@provides` above this position."""
        t = self.subgraphs[subgraph].types.get(type_name)
        if t is None or field not in t.fields or (subgraph, type_name, field) in self.overridden:
            return False
        return not t.fields[field].external or (subgraph, (field,)) in provided

    def provided_below(
        self, provided: Provided, subgraphs: set[str], type_name: str, field: str
    ) -> Provided:
        """What is provided below `field` when answered by `subgraphs`: what a `@provides`
        above reaches under it, plus the field's own `@provides` in those subgraphs."""
        out = {
            (s, path[1:])
            for s, path in provided
            if s in subgraphs and path[0] == field and len(path) > 1
        }
        for s in subgraphs:
            provides = self.subgraphs[s].types[type_name].fields[field].provides
            out.update((s, path) for path in field_paths(provides or ""))
        return frozenset(out)

    def field_type(self, subgraph: str, type_name: str, field: str) -> str:
        return named_type(self.subgraphs[subgraph].types[type_name].fields[field].type)

    def interface_object_reachable(
        self,
        interfaces: list[str],
        type_name: str,
        field: str,
        closure: set[str],
        provided: Provided,
    ) -> bool:
        """A field an @interfaceObject adds is reached through that subgraph's resolvable
        key on the interface, whose fields must be available where the plan is."""
        for s in self.subgraphs.values():
            for name in interfaces:
                t = s.types.get(name)
                if t is None or not t.interface_object or field not in t.fields:
                    continue
                for key in t.keys:
                    if key.resolvable and any(
                        self.key_fields_available(x, type_name, key.fields, provided)
                        for x in closure
                    ):
                        return True
        return False

    def requirements_met(
        self, subgraph: str, type_name: str, field: str, provided: Provided
    ) -> bool:
        """A @requires field needs every required path resolvable from the requiring
        subgraph or one it reaches through keys (as Apollo, which collects requirements
        from there), nested selections from the subgraph answering their parent."""
        requires = self.subgraphs[subgraph].types[type_name].fields[field].requires
        if not requires:
            return True
        selection = _selection(requires)
        around = self.closure(type_name, frozenset([subgraph]), provided)
        return selection is None or self.available(type_name, around, selection, provided)

    def available(
        self,
        type_name: str,
        subgraphs: set[str],
        selection: SelectionSetNode,
        provided: Provided,
    ) -> bool:
        """Whether a selection on `type_name` can be collected from one of `subgraphs`
        (each field from any of them; below a field, from the subgraph answering it and
        those reachable from there through keys)."""
        for sel in selection.selections:
            if isinstance(sel, InlineFragmentNode):
                condition = sel.type_condition.name.value if sel.type_condition else type_name
                if condition == type_name and not self.available(
                    type_name, subgraphs, sel.selection_set, provided
                ):
                    return False
                continue  # other type conditions: assumed fetchable (permissive)
            if not isinstance(sel, FieldNode) or sel.name.value == "__typename":
                continue
            name = sel.name.value
            if not any(
                self.resolves(x, type_name, name, provided)
                and (
                    sel.selection_set is None
                    or self._available_below(x, type_name, name, sel.selection_set, provided)
                )
                for x in subgraphs
            ):
                return False
        return True

    def _available_below(
        self,
        subgraph: str,
        type_name: str,
        field: str,
        selection: SelectionSetNode,
        provided: Provided,
    ) -> bool:
        below = self.provided_below(provided, {subgraph}, type_name, field)
        target = self.field_type(subgraph, type_name, field)
        if self.subgraphs[subgraph].types.get(target) is None:
            return True
        return self.available(
            target, self.closure(target, frozenset([subgraph]), below), selection, below
        )

    def concrete(self, subgraph: str, type_name: str) -> list[str]:
        """Object types a value of `type_name` can be in that subgraph."""
        s = self.subgraphs[subgraph]
        t = s.types.get(type_name)
        if t is None:
            return []
        if t.kind == "object":
            return [type_name]
        if t.kind == "union":
            return [m for m in t.members if m in s.types]
        if t.kind == "interface":
            return [
                n for n, o in s.types.items() if o.kind == "object" and type_name in o.interfaces
            ]
        return []

    def key_fields_available(
        self, subgraph: str, type_name: str, key: str, provided: Provided = _NONE
    ) -> bool:
        """Whether `subgraph` can provide a key's fields: the top-level ones itself, the
        nested ones from there."""
        if type_name not in self.subgraphs[subgraph].types:
            return False
        selection = _selection(key)
        return selection is None or self.available(type_name, {subgraph}, selection, provided)

    def jumps(self, state: State, provided: Provided = _NONE) -> list[str]:
        """Subgraphs an entity in this state can move to through a resolvable key."""
        type_name, current = state
        out = []
        for name, s in self.subgraphs.items():
            t = s.types.get(type_name)
            if t is not None and any(
                k.resolvable and self.key_fields_available(current, type_name, k.fields, provided)
                for k in t.keys
            ):
                out.append(name)
        return out

    def closure(
        self, type_name: str, possible: frozenset[str], provided: Provided = _NONE
    ) -> set[str]:
        """The subgraphs reachable from `possible` through key jumps, transitively. A key
        whose nested fields need this very closure again (keys referring to each other)
        does not count while it is being computed."""
        seen = set(possible)
        todo = list(possible)
        while todo:
            current = todo.pop()
            if (type_name, current) in self._closing:
                continue
            self._closing.add((type_name, current))
            try:
                found = self.jumps((type_name, current), provided)
            finally:
                self._closing.discard((type_name, current))
            for nxt in found:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def _selection(fields: str) -> SelectionSetNode | None:
    try:
        return parse_field_set(fields)
    except GraphQLError:
        return None


def _query(path: list[str], field: str) -> str:
    lines = ["{"]
    for depth, step in enumerate(path, start=1):
        lines.append("  " * depth + step + " {")
    lines.append("  " * (len(path) + 1) + field)
    for depth in range(len(path), 0, -1):
        lines.append("  " * depth + "}")
    lines.append("}")
    return "\n".join(lines)


def _reasons(graph: _Graph, state: State, field: str, no_context: set[str]) -> list[str]:
    type_name, subgraph = state
    coordinate = f"{type_name}.{field}"
    if subgraph in no_context:
        return [f'could not find a match for required context for field "{coordinate}".']
    own = graph.subgraphs[subgraph].types.get(type_name)
    if own is not None and field in own.fields and own.fields[field].external:
        reasons = [f'field "{coordinate}" is not resolvable because marked @external.']
    else:
        reasons = [f'cannot find field "{coordinate}".']
    for name in graph.subgraphs:
        if name == subgraph or not graph.resolves(name, type_name, field):
            continue
        if not graph.requirements_met(name, type_name, field, _NONE):
            reasons.append(
                f'cannot satisfy @require conditions on field "{coordinate}" in subgraph "{name}".'
            )
            continue
        keys = graph.subgraphs[name].types[type_name].keys
        if not keys:
            why = f'type "{type_name}" has no @key defined in subgraph "{name}"'
        elif any(k.resolvable for k in keys):
            key = next(k for k in keys if k.resolvable)
            why = (
                f'the key field(s) of @key(fields: "{key.fields}") on "{type_name}" cannot be '
                f'resolved from subgraph "{subgraph}"'
            )
        else:
            why = (
                f'none of the @key defined on type "{type_name}" in subgraph "{name}" are '
                'resolvable (they are all declared with their "resolvable" argument set to false)'
            )
        reasons.append(
            f'cannot move to subgraph "{name}", which has field "{coordinate}", because {why}.'
        )
    return reasons


def check_satisfiability(
    subgraphs: list[SubgraphSchema],
    supergraph: Supergraph,
    hints: list[CompositionHint] | None = None,
) -> list[CompositionError]:
    """SATISFIABILITY_ERROR for each field no query plan can reach (see module doc);
    `hints` gets INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN, once per field."""
    graph = _Graph(subgraphs, supergraph)
    errors: list[CompositionError] = []
    reported: set[str] = set()
    hinted: set[str] = set()
    seen: set[tuple[str, frozenset[str], frozenset[Context], Provided]] = set()
    queue: deque[tuple[str, frozenset[str], list[str], frozenset[Context], Provided]] = deque()
    for root in _ROOTS:
        if root in supergraph.types:
            roots = frozenset(s.name for s in subgraphs if root in s.types)
            queue.append((root, roots, [], frozenset(), _NONE))
    while queue:
        type_name, possible, path, contexts, provided = queue.popleft()
        if (type_name, possible, contexts, provided) in seen or not possible:
            continue
        seen.add((type_name, possible, contexts, provided))
        below = contexts | graph.contexts_set_by(type_name)
        merged = supergraph.types[type_name]
        closure = graph.closure(type_name, possible, provided)
        for fname, f in merged.fields.items():
            coordinate = f"{type_name}.{fname}"
            if any(d.startswith("@inaccessible") for d in f.directives):
                continue  # not in the API schema: no query can ask for it
            if any(j.graph is None for j in f.joins):
                if (
                    not graph.interface_object_reachable(
                        merged.interfaces, type_name, fname, closure, provided
                    )
                    and coordinate not in reported
                ):
                    reported.add(coordinate)
                    errors.append(_error(graph, type_name, sorted(possible), path, fname))
                continue
            resolving = [
                s
                for s in closure
                if graph.resolves(s, type_name, fname, provided)
                and graph.requirements_met(s, type_name, fname, provided)
            ]
            if not resolving and graph.interface_object_reachable(
                merged.interfaces, type_name, fname, closure, provided
            ):
                continue  # @external where listed, resolved through an @interfaceObject
            with_context = [
                s for s in resolving if graph.contexts_met(s, type_name, fname, contexts)
            ]
            if not with_context:
                if coordinate not in reported:
                    reported.add(coordinate)
                    no_context = set(resolving)
                    errors.append(
                        _error(graph, type_name, sorted(possible), path, fname, no_context)
                    )
                continue
            resolving = with_context
            target = named_type_str(f.type)
            mismatch = _runtime_types_mismatch(
                graph, type_name, fname, target, resolving, path, possible
            )
            if isinstance(mismatch, CompositionHint):
                if hints is not None and coordinate not in hinted:
                    hinted.add(coordinate)
                    hints.append(mismatch)
            elif mismatch is not None:
                if coordinate not in reported:
                    reported.add(coordinate)
                    errors.append(mismatch)
                continue
            by_concrete: dict[str, set[str]] = {}
            for s in resolving:
                for c in graph.concrete(s, graph.field_type(s, type_name, fname)):
                    by_concrete.setdefault(c, set()).add(s)
            for concrete, subs in by_concrete.items():
                if concrete in supergraph.types and target in supergraph.types:
                    inner = graph.provided_below(provided, subs, type_name, fname)
                    queue.append((concrete, frozenset(subs), [*path, fname], below, inner))
    return errors


def _runtime_types_mismatch(
    graph: _Graph,
    type_name: str,
    fname: str,
    target: str,
    resolving: list[str],
    path: list[str],
    possible: frozenset[str] = frozenset(),
) -> CompositionError | CompositionHint | None:
    """A shared field of abstract type must have some runtime type in common across the
    subgraphs that can answer it at this point: each answers "the same" field. Only some
    in common is a hint: each subgraph must stay within the common ones."""
    merged = graph.supergraph.types.get(target)
    if len(resolving) < 2 or merged is None or merged.kind not in ("interface", "union"):
        return None
    printed_type = graph.supergraph.types[type_name].fields[fname].type  # as Apollo prints
    field_types = {
        s: named_type(graph.subgraphs[s].types[type_name].fields[fname].type) for s in resolving
    }
    abstract = [s for s in resolving if graph.subgraphs[s].types[field_types[s]].kind != "object"]
    if len(abstract) < 2:
        return None
    everything = set(_supergraph_concrete(graph, target))
    intersection = set(everything)
    per_string: dict[str, list[str]] = {}
    per_subgraph: dict[str, list[str]] = {}
    all_empty = True
    for s in sorted(resolving):
        names = sorted(graph.concrete(s, field_types[s]))
        if len(names) == 1 and names[0] not in everything:
            continue
        per_subgraph[s] = names
        text = "no runtime type is defined"
        if names:
            text = ("types " if len(names) > 1 else "type ") + ", ".join(f'"{n}"' for n in names)
            all_empty = False
        per_string.setdefault(text, []).append(s)
        intersection &= set(names)
    if all_empty:
        return None
    if intersection:
        if len(per_string) < 2:
            return None
        # Apollo lists the subgraphs the plan is in first, then those reached by a key
        order = sorted(per_subgraph, key=lambda s: (s not in possible, s))
        per_subgraph = {s: per_subgraph[s] for s in order}
        return _runtime_types_hint(type_name, fname, printed_type, intersection, per_subgraph, path)
    listed = ";\n".join(
        f" - in {subgraph_names(subs)}, {text}" for text, subs in per_string.items()
    )
    return CompositionError(
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        "For the following supergraph API query:\n"
        + _query(
            path, fname + " {\n" + "  " * (len(path) + 2) + "...\n" + "  " * (len(path) + 1) + "}"
        )
        + f'\nShared field "{type_name}.{fname}" return type "{printed_type}" has a '
        "non-intersecting set of possible runtime types across subgraphs. Runtime types in "
        "subgraphs are:\n"
        + listed
        + ".\nThis is not allowed as shared fields must resolve the same way in all subgraphs, "
        "and that implies at least some common runtime types between the subgraphs.",
        subgraphs=tuple(sorted(resolving)),
        coordinates=(f"{type_name}.{fname}",),
    )


def _runtime_types_hint(
    type_name: str,
    fname: str,
    printed_type: str,
    common: set[str],
    per_subgraph: dict[str, list[str]],
    path: list[str],
) -> CompositionHint:
    coordinate = f"{type_name}.{fname}"
    shared = _types_list(sorted(common))
    outside = [
        f' - subgraph "{s}" should never resolve "{coordinate}" to an object of '
        + _types_list([n for n in names if n not in common])
        for s, names in per_subgraph.items()
        if any(n not in common for n in names)
    ]
    return CompositionHint(
        "INCONSISTENT_RUNTIME_TYPES_FOR_SHAREABLE_RETURN",
        "For the following supergraph API query:\n"
        + _query(
            path, fname + " {\n" + "  " * (len(path) + 2) + "...\n" + "  " * (len(path) + 1) + "}"
        )
        + f'\nShared field "{coordinate}" return type "{printed_type}" has different sets of '
        "possible runtime types across subgraphs.\nSince a shared field must be resolved the "
        f"same way in all subgraphs, make sure that {subgraph_names(list(per_subgraph))} only "
        f'resolve "{coordinate}" to objects of {shared}. In particular:\n'
        + ";\n".join(outside)
        + ".\nOtherwise the @shareable contract will be broken.",
        tuple(per_subgraph),
        (coordinate,),
    )


def _types_list(names: list[str]) -> str:
    """Apollo's `printHumanReadableList` of quoted type names (cut off after 100 chars)."""
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return f"type {quoted[0]}"
    shown, length = 0, 0
    for q in quoted:
        length += len(q)
        if length <= 100:
            shown += 1
    shown = max(1, shown)
    if shown == len(quoted):
        return "types " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return "types " + ", ".join(quoted[:shown]) + ", ..."


def _supergraph_concrete(graph: _Graph, abstract: str) -> list[str]:
    merged = graph.supergraph.types[abstract]
    if merged.kind == "union":
        return list(merged.members)
    return [
        n
        for n, t in graph.supergraph.types.items()
        if t.kind == "object" and abstract in t.interfaces
    ]


def named_type_str(type_ref: str) -> str:
    return type_ref.strip("[]!").rstrip("]!")


def _error(
    graph: _Graph,
    type_name: str,
    possible: list[str],
    path: list[str],
    field: str,
    no_context: set[str] | None = None,
) -> CompositionError:
    parts = []
    for subgraph in possible:
        found = _reasons(graph, (type_name, subgraph), field, no_context or set())
        reasons = "\n".join(f"  - {r}" for r in found)
        parts.append(f'- from subgraph "{subgraph}":\n{reasons}')
    return CompositionError(
        "SATISFIABILITY_ERROR",
        "The following supergraph API query:\n"
        + _query(path, field)
        + "\ncannot be satisfied by the subgraphs because:\n"
        + "\n".join(parts),
        tuple(sorted(graph.subgraphs)),
        (f"{type_name}.{field}",),
    )
