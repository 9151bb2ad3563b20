"""Merge normalised subgraphs into a `Supergraph`, split by GraphQL kind (as Apollo's merger).

Errors are collected rather than raised, so one run reports every problem it can see.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphql import parse_type, print_ast
from graphql.language import NonNullTypeNode

from .access import is_access_control, propagate_access_control
from .applications import merge_applications
from .context import context_arguments
from .errors import CompositionError, subgraph_names
from .features import access_order
from .fieldset import field_paths
from .model import Field, InputValue, SubgraphSchema, TypeDef
from .subgraph import named_type
from .supermodel import (
    Graph,
    JoinField,
    JoinType,
    MergedArg,
    MergedField,
    MergedType,
    MergedValue,
    Supergraph,
)
from .typerefs import is_subtype, merged_input_type, merged_output_type, type_str


@dataclass
class _Source:
    """A type as one subgraph defines it, with that subgraph's join__Graph value."""

    schema: SubgraphSchema
    graph: str
    type: TypeDef

    @property
    def name(self) -> str:
        return self.schema.name


def graph_enum_values(names: Sequence[str]) -> list[str]:
    """join__Graph values: upper-cased, made valid; colliding ones numbered `_1`, `_2`..."""
    bases = []
    for n in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", n).upper()
        bases.append("_" + base if base[:1].isdigit() else base)
    counts = Counter(bases)
    seen: Counter[str] = Counter()
    out = []
    for base in bases:
        if counts[base] > 1:
            seen[base] += 1
            out.append(f"{base}_{seen[base]}")
        else:
            out.append(base)
    return out


def _description(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def _value_str(node: object) -> str | None:
    return print_ast(node) if node is not None else None  # type: ignore[arg-type]


class Merger:
    """One composition run: holds the subgraphs, the relations between types, the errors."""

    def __init__(self, subgraphs: list[SubgraphSchema]) -> None:
        self.subgraphs = subgraphs
        self.graphs = dict(
            zip(
                [s.name for s in subgraphs],
                graph_enum_values([s.name for s in subgraphs]),
                strict=True,
            )
        )
        self.errors: list[CompositionError] = []
        self.access_order = access_order(subgraphs)
        self.possible: dict[str, set[str]] = {}
        for s in subgraphs:
            for t in s.types.values():
                for i in t.interfaces:
                    self.possible.setdefault(i, set()).add(t.name)
                for m in t.members:
                    self.possible.setdefault(t.name, set()).add(m)
        # (coordinate, source subgraph) -> label of a progressive @override taking it over
        self._progressive: dict[tuple[str, str], str] = {}
        self.input_uses: dict[str, str] = {}  # enum -> an example coordinate
        self.output_uses: dict[str, str] = {}

    def error(self, code: str, message: str, subgraphs: Iterable[str], coordinate: str) -> None:
        self.errors.append(CompositionError(code, message, tuple(subgraphs), (coordinate,)))

    # -- orchestration -----------------------------------------------------------------

    def merge(self) -> Supergraph:
        names: list[str] = []
        for s in self.subgraphs:
            names.extend(n for n in s.types if n not in names)
        types: dict[str, MergedType] = {}
        for name in names:
            sources = [
                _Source(s, self.graphs[s.name], s.types[name])
                for s in self.subgraphs
                if name in s.types
            ]
            merged = self._merge_type(name, sources)
            if merged is not None:
                types[name] = merged
        if "Query" in types and types["Query"].fields:
            self._join_query_everywhere(types["Query"])
        else:
            self.error(
                "NO_QUERIES",
                "No queries found in any subgraph: a supergraph must have a query root type.",
                [s.name for s in self.subgraphs],
                "Query",
            )
        self._check_interface_object_sharing(types)
        self._copy_interface_object_fields(types)
        propagate_access_control(self.subgraphs, types, self.access_order)
        self._check_interface_keys(types)
        self._check_interface_fields_implemented(types)
        for name in names:
            if name in types and types[name].kind == "enum":
                self._merge_enum(types[name], self._sources(name))
        graphs = [Graph(self.graphs[s.name], s.name, s.url) for s in self.subgraphs]
        return Supergraph(graphs=graphs, types=types, join_minor=self._join_minor())

    def _join_minor(self) -> int:
        """join/v0.3 up to federation 2.6, v0.4 for 2.7, v0.5 from 2.8 (as Apollo)."""
        newest = max((s.federation_minor for s in self.subgraphs if not s.is_fed1), default=0)
        return 5 if newest >= 8 else 4 if newest == 7 else 3

    def _sources(self, name: str) -> list[_Source]:
        return [
            _Source(s, self.graphs[s.name], s.types[name])
            for s in self.subgraphs
            if name in s.types
        ]

    def _kind(self, t: TypeDef) -> str:
        return "interface" if t.interface_object else t.kind

    def _merge_type(self, name: str, sources: list[_Source]) -> MergedType | None:
        kinds = {self._kind(s.type) for s in sources}
        if all(s.type.interface_object for s in sources):
            self.error(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which '
                f"it is defined (it is defined in {subgraph_names([s.name for s in sources])} but "
                "should be defined as an interface in at least one subgraph)",
                [s.name for s in sources],
                name,
            )
            return None
        if len(kinds) > 1:
            by_kind: dict[str, list[str]] = {}
            for s in sources:
                by_kind.setdefault(self._kind(s.type), []).append(s.name)
            described = [
                f"{_KIND_NAMES[k]} Type in {subgraph_names(v)}" for k, v in by_kind.items()
            ]
            self.error(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as ' + " but ".join(described),
                [s.name for s in sources],
                name,
            )
            return None
        kind = kinds.pop()
        merged = MergedType(
            name=name,
            kind=kind,
            description=_description(s.type.description for s in sources),
            directives=merge_applications(
                (s.type.directives for s in sources),
                access_first=self.access_order if kind == "interface" else (),
            ),
        )
        for s in sources:
            merged.join_types.extend(self._join_types(s))
        if kind in ("object", "interface"):
            self._merge_composite(merged, sources)
        elif kind == "union":
            for s in sources:
                for m in s.type.members:
                    if m not in merged.members:
                        merged.members.append(m)
                    merged.member_joins.append((s.graph, m))
            merged.member_joins.sort(key=lambda j: merged.members.index(j[1]))
        elif kind == "input":
            self._merge_input(merged, sources)
        return merged

    def _join_types(self, s: _Source) -> list[JoinType]:
        extension = (
            s.type.extends_directive or (s.type.extension and not s.schema.is_fed1)
        ) and s.type.name not in _ROOT_NAMES
        if not s.type.keys:
            return [JoinType(s.graph, extension=extension)]
        return [
            JoinType(
                s.graph,
                key=k.fields,
                extension=extension,
                resolvable=k.resolvable,
                interface_object=s.type.interface_object,
            )
            for k in s.type.keys
        ]

    def _join_query_everywhere(self, query: MergedType) -> None:
        """Every subgraph has a Query type (at least `_entities`/`_service`)."""
        present = {j.graph for j in query.join_types}
        for s in self.subgraphs:
            if self.graphs[s.name] not in present:
                query.join_types.append(JoinType(self.graphs[s.name]))
        order = list(self.graphs.values())
        query.join_types.sort(key=lambda j: order.index(j.graph))

    # -- objects and interfaces --------------------------------------------------------

    def _merge_composite(self, merged: MergedType, sources: list[_Source]) -> None:
        for s in sources:
            for i in s.type.interfaces:
                if i not in merged.interfaces:
                    merged.interfaces.append(i)
                merged.implements.append((s.graph, i))
        field_names: list[str] = []
        for s in sources:
            field_names.extend(f for f in s.type.fields if f not in field_names)
        for fname in field_names:
            present = [(s, s.type.fields[fname]) for s in sources if fname in s.type.fields]
            missing_somewhere = len(present) < len(sources) or (
                merged.name == "Query" and len(present) < len(self.subgraphs)
            )
            f = self._merge_field(merged, present, missing_somewhere)
            if f is not None:
                merged.fields[fname] = f

    def _overrides(
        self, merged: MergedType, present: list[tuple[_Source, Field]]
    ) -> tuple[set[str], set[str]]:
        """Validate @override; return the subgraphs whose field is overridden, and those of
        them still using it (key or @requires/@provides input: `usedOverridden`)."""
        overridden: set[str] = set()
        by_name = {s.name: f for s, f in present}
        coordinate = f"{merged.name}.{present[0][1].name}"
        for s, f in present:
            if f.override is None:
                continue
            if f.override == s.name:
                self.error(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{s.name}" are the same for overridden '
                    f'field "{coordinate}"',
                    [s.name],
                    coordinate,
                )
                continue
            source_field = by_name.get(f.override)
            if source_field is None:
                continue
            if source_field.override is not None:
                self.error(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{s.name}" is also marked with directive '
                    f'@override in subgraph "{f.override}". Only one @override directive is '
                    "allowed per field.",
                    sorted([s.name, f.override]),
                    coordinate,
                )
                continue
            if not source_field.external:
                overridden.add(f.override)
                if f.override_label is not None:
                    self._progressive[(coordinate, f.override)] = f.override_label
        used = {
            name
            for name in overridden
            if self._field_used_in(
                next(s for s, _ in present if s.name == name), merged.name, present[0][1].name
            )
        }
        return overridden, used

    def _field_used_in(self, s: _Source, type_name: str, field_name: str) -> bool:
        for key in s.type.keys:
            if (field_name,) in field_paths(key.fields):
                return True
        for t in s.schema.types.values():
            for f in t.fields.values():
                if f.requires and t.name == type_name and (field_name,) in field_paths(f.requires):
                    return True
        return False

    def _merge_field(
        self, merged: MergedType, present: list[tuple[_Source, Field]], missing: bool
    ) -> MergedField | None:
        fname = present[0][1].name
        coordinate = f"{merged.name}.{fname}"
        overridden, used_overridden = self._overrides(merged, present)
        non_external = [(s, f) for s, f in present if not f.external]
        if not non_external and merged.kind == "object":
            self.error(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({subgraph_names([s.name for s, _ in present])}).",
                [s.name for s, _ in present],
                coordinate,
            )
            return None
        typed = non_external or present
        field_type = merged_output_type([f.type for _, f in typed], self.possible)
        if field_type is None:
            self._type_mismatch("FIELD_TYPE_MISMATCH", "field", coordinate, typed)
            return None
        # An @external copy must repeat the type exactly (one of them, if they differ).
        resolved_types = {type_str(f.type) for _, f in typed}
        for _, f in present:
            if f.external and type_str(f.type) not in resolved_types:
                self._type_mismatch(
                    "EXTERNAL_TYPE_MISMATCH",
                    "field",
                    coordinate,
                    present,
                    "(where marked @external)",
                    first=type_str(field_type),
                )
                return None
        all_equal = len({type_str(f.type) for _, f in present}) == 1
        out_name = named_type(field_type)
        self.output_uses.setdefault(out_name, coordinate)
        if merged.kind == "object":
            self._check_sharing(coordinate, merged.name, present, overridden)
        result = MergedField(
            name=fname,
            type=type_str(field_type),
            args=self._merge_args(coordinate, [f for _, f in typed], [s.name for s, _ in typed]),
            description=_description(f.description for _, f in present),
            directives=merge_applications(
                (f.directives for _, f in present), access_first=self.access_order
            ),
        )
        if non_external and not self._external_args_match(coordinate, result, present):
            return None
        needs_join = (
            missing
            or not all_equal
            or bool(overridden)
            or any(
                f.external or f.requires or f.provides or f.override in self.graphs
                for _, f in present
            )
            or any(a.from_context is not None for _, f in present for a in f.args.values())
        )
        if needs_join:
            for s, f in present:
                label = self._progressive.get((coordinate, s.name))
                if s.name in overridden and s.name not in used_overridden and label is None:
                    continue
                result.joins.append(
                    JoinField(
                        graph=s.graph,
                        requires=f.requires,
                        provides=f.provides,
                        type=None if all_equal else type_str(f.type),
                        external=f.external,
                        override=f.override,
                        override_label=f.override_label if label is None else label,
                        used_overridden=s.name in used_overridden,
                        context_arguments=context_arguments(s.name, f),
                    )
                )
        return result

    def _external_args_match(
        self, coordinate: str, merged: MergedField, present: list[tuple[_Source, Field]]
    ) -> bool:
        """An @external copy must declare the merged arguments, same types and defaults."""
        ok = True
        for arg in merged.args:
            arg_coordinate = f"{coordinate}({arg.name}:)"
            externals = [(s, f) for s, f in present if f.external]
            sources = [(s.name, f.args.get(arg.name)) for s, f in present]
            if any(arg.name not in f.args for _, f in externals):
                declared = [n for n, a in sources if a is not None]
                missing = [n for n, a in sources if a is None]
                self.error(
                    "EXTERNAL_ARGUMENT_MISSING",
                    f'Field "{coordinate}" is missing argument "{arg_coordinate}" in some '
                    f'subgraphs where it is marked @external: argument "{arg_coordinate}" is '
                    f"declared in {subgraph_names(declared)} but not in "
                    f'{subgraph_names(missing)} (where "{coordinate}" is @external).',
                    [n for n, _ in sources],
                    arg_coordinate,
                )
                ok = False
                continue
            merged_type = parse_type(arg.type)
            described = [(n, a) for n, a in sources if a is not None]
            if any(
                type_str(f.args[arg.name].type) != arg.type
                and not is_subtype(merged_type, f.args[arg.name].type, {})
                for _, f in externals
            ):
                by_type: dict[str, list[str]] = {}
                for n, a in described:
                    by_type.setdefault(type_str(a.type), []).append(n)
                self.error(
                    "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
                    f'Type of argument "{arg_coordinate}" is incompatible across subgraphs (where '
                    f'"{coordinate}" is marked @external): it has '
                    + " but ".join(
                        f'type "{t}" in {subgraph_names(v)}' for t, v in by_type.items()
                    ),
                    [n for n, _ in described],
                    arg_coordinate,
                )
                ok = False
            if any(_value_str(f.args[arg.name].default) != arg.default for _, f in externals):
                by_default: dict[str, list[str]] = {}
                for n, a in described:
                    label = (
                        f"default value {_value_str(a.default)}"
                        if a.default is not None
                        else "no default value"
                    )
                    by_default.setdefault(label, []).append(n)
                self.error(
                    "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                    f'Argument "{arg_coordinate}" has incompatible defaults across subgraphs '
                    f'(where "{coordinate}" is marked @external): it has '
                    + " but ".join(f"{d} in {subgraph_names(v)}" for d, v in by_default.items()),
                    [n for n, _ in described],
                    arg_coordinate,
                )
                ok = False
        return ok

    def _type_mismatch(
        self,
        code: str,
        kind: str,
        coordinate: str,
        present: Sequence[tuple[_Source, Field | InputValue]],
        where: str = "",
        first: str | None = None,
    ) -> None:
        """Apollo's wording; `first` puts the supergraph's type first, as Apollo does."""
        by_type: dict[str, list[str]] = {first: []} if first else {}
        for s, f in present:
            by_type.setdefault(type_str(f.type), []).append(s.name)
        parts = [f'type "{t}" in {subgraph_names(n)}' for t, n in by_type.items() if n]
        where = f" {where}" if where else ""
        self.error(
            code,
            f'Type of {kind} "{coordinate}" is incompatible across subgraphs{where}: it has '
            + parts[0]
            + "".join(" but " + p for p in parts[1:]),
            [s.name for s, _ in present],
            coordinate,
        )

    def _check_sharing(
        self,
        coordinate: str,
        type_name: str,
        present: list[tuple[_Source, Field]],
        overridden: set[str],
    ) -> None:
        resolving = [
            (s, f)
            for s, f in present
            if (not f.external or self._provided(s.schema, type_name, f.name))
            and s.name not in overridden
        ]
        if len(resolving) < 2:
            return
        if type_name == "Subscription":
            if any(f.shareable and not s.schema.is_fed1 for s, f in resolving):
                self.error(
                    "INVALID_FIELD_SHARING",
                    "Fields on root level subscription object cannot be marked as shareable",
                    [s.name for s, _ in resolving],
                    coordinate,
                )
            return
        non_shareable = [s.name for s, f in resolving if not f.shareable]
        if not non_shareable:
            return
        where = (
            "all of them" if len(non_shareable) == len(resolving) else subgraph_names(non_shareable)
        )
        hint = ""
        unknown = [
            s.name
            for s, f in resolving
            if f.override and f.override not in {x.name for x in self.subgraphs}
        ]
        if unknown:
            hint = (
                f' (please note that "{coordinate}" has an @override directive in '
                f'subgraph "{unknown[0]}" that targets an unknown subgraph so this could be due '
                "to misspelling the @override(from:) argument)"
            )
        self.error(
            "INVALID_FIELD_SHARING",
            f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it is '
            f"resolved from {subgraph_names([s.name for s, _ in resolving])} and defined as "
            f"non-shareable in {where}{hint}",
            [s.name for s, _ in resolving],
            coordinate,
        )

    def _merge_args(
        self, coordinate: str, fields: list[Field], subgraphs: list[str]
    ) -> list[MergedArg]:
        names: list[str] = []
        for f in fields:
            names.extend(a for a in f.args if a not in names)
        out: list[MergedArg] = []
        for name in names:
            arg_coordinate = f"{coordinate}({name}:)"
            present = [
                (sg, f.args[name])
                for sg, f in zip(subgraphs, fields, strict=True)
                if name in f.args
            ]
            contextual = [sg for sg, a in present if a.from_context is not None]
            if contextual:
                # Filled by the gateway from the context: not part of the supergraph field.
                for sg, a in present:
                    if (
                        a.from_context is None
                        and isinstance(a.type, NonNullTypeNode)
                        and a.default is None
                    ):
                        self.error(
                            "CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS",
                            f'Argument "{arg_coordinate}" is contextual in at least one subgraph '
                            f'but in "{arg_coordinate}" it does not have @fromContext, is not '
                            "nullable and has no default value.",
                            [sg],
                            arg_coordinate,
                        )
                continue
            if len(present) < len(fields):
                required = [
                    sg
                    for sg, a in present
                    if isinstance(a.type, NonNullTypeNode) and a.default is None
                ]
                if required:
                    missing = [
                        sg for sg, f in zip(subgraphs, fields, strict=True) if name not in f.args
                    ]
                    self.error(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {subgraph_names(required)} "
                        f"but does not appear in {subgraph_names(missing)}",
                        subgraphs,
                        arg_coordinate,
                    )
                continue
            merged = self._merge_input_value(
                "argument", "Argument", "FIELD_ARGUMENT", arg_coordinate, present
            )
            if merged is not None:
                out.append(merged)
        return out

    def _merge_input_value(
        self,
        kind: str,
        title: str,
        code_prefix: str,
        coordinate: str,
        present: list[tuple[str, InputValue]],
    ) -> MergedArg | None:
        values = [v for _, v in present]
        arg_type = merged_input_type([v.type for v in values])
        if arg_type is None:
            by_type: dict[str, list[str]] = {}
            for sg, v in present:
                by_type.setdefault(type_str(v.type), []).append(sg)
            parts = [f'type "{t}" in {subgraph_names(n)}' for t, n in by_type.items()]
            self.error(
                f"{code_prefix}_TYPE_MISMATCH" if kind == "argument" else "FIELD_TYPE_MISMATCH",
                f'Type of {kind} "{coordinate}" is incompatible across subgraphs: it has '
                + " but ".join(parts),
                [sg for sg, _ in present],
                coordinate,
            )
            return None
        self.input_uses.setdefault(named_type(arg_type), coordinate)
        defaults = {_value_str(v.default) for v in values if v.default is not None}
        if len(defaults) > 1:
            by_default: dict[str, list[str]] = {}
            for sg, v in present:
                label = (
                    f"default value {_value_str(v.default)}"
                    if v.default is not None
                    else "no default value"
                )
                by_default.setdefault(label, []).append(sg)
            parts = [f"{d} in {subgraph_names(n)}" for d, n in by_default.items()]
            self.error(
                f"{code_prefix}_DEFAULT_MISMATCH",
                f'{title} "{coordinate}" has incompatible default values across subgraphs: it has '
                + " but ".join(parts),
                [sg for sg, _ in present],
                coordinate,
            )
            return None
        return MergedArg(
            name=values[0].name,
            type=type_str(arg_type),
            default=next(iter(defaults), None),
            description=_description(v.description for v in values),
            directives=merge_applications(v.directives for v in values),
        )

    # -- input objects -----------------------------------------------------------------

    def _merge_input(self, merged: MergedType, sources: list[_Source]) -> None:
        names: list[str] = []
        for s in sources:
            names.extend(f for f in s.type.input_fields if f not in names)
        for name in names:
            coordinate = f"{merged.name}.{name}"
            present = [
                (s, s.type.input_fields[name]) for s in sources if name in s.type.input_fields
            ]
            if len(present) < len(sources):
                required = [
                    s.name
                    for s, v in present
                    if isinstance(v.type, NonNullTypeNode) and v.default is None
                ]
                if required:
                    missing = [s.name for s in sources if name not in s.type.input_fields]
                    self.error(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but '
                        f"does not appear in all subgraphs: it is required in "
                        f"{subgraph_names(required)} but does not appear in "
                        f"{subgraph_names(missing)}",
                        [s.name for s in sources],
                        coordinate,
                    )
                continue
            value = self._merge_input_value(
                "field", "Input field", "INPUT_FIELD", coordinate, [(s.name, v) for s, v in present]
            )
            if value is None:
                continue
            f = MergedField(
                name=name,
                type=value.type,
                description=value.description,
                directives=value.directives,
                default=value.default,
            )
            if len({type_str(v.type) for _, v in present}) > 1:
                f.joins = [JoinField(graph=s.graph, type=type_str(v.type)) for s, v in present]
            merged.fields[name] = f
        if not merged.fields and names:
            self.error(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{merged.name}" are consistently '
                "defined in all the subgraphs defining that type. As only fields common to all "
                "subgraphs are merged, this would result in an empty type.",
                [s.name for s in sources],
                merged.name,
            )

    # -- enums -------------------------------------------------------------------------

    def _merge_enum(self, merged: MergedType, sources: list[_Source]) -> None:
        """Output-only: union of values; input-only: intersection; both: must be equal."""
        as_input = merged.name in self.input_uses
        as_output = merged.name in self.output_uses
        names: list[str] = []
        for s in sources:
            names.extend(v for v in s.type.values if v not in names)
        for name in names:
            present = [(s, s.type.values[name]) for s in sources if name in s.type.values]
            value = MergedValue(
                name=name,
                description=_description(v.description for _, v in present),
                directives=merge_applications(v.directives for _, v in present),
                graphs=[s.graph for s, _ in present],
            )
            inaccessible = any(d.startswith("@inaccessible") for d in value.directives)
            if len(present) < len(sources) and as_input and not inaccessible:
                if as_output:
                    defined = [s.name for s, _ in present]
                    missing = [s.name for s in sources if name not in s.type.values]
                    self.error(
                        "ENUM_VALUE_MISMATCH",
                        f'Enum type "{merged.name}" is used as both input type (for example, as '
                        f'type of "{self.input_uses[merged.name]}") and output type (for example, '
                        f'as type of "{self.output_uses[merged.name]}"), but value "{name}" is '
                        f'not defined in all the subgraphs defining "{merged.name}": "{name}" is '
                        f"defined in {subgraph_names(defined)} but not in "
                        f"{subgraph_names(missing)}",
                        [s.name for s in sources],
                        f"{merged.name}.{name}",
                    )
                continue
            merged.values[name] = value
        if not merged.values:
            self.error(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{merged.name}" are defined consistently in all '
                "the subgraphs defining that type. As only values common to all subgraphs are "
                "merged, this would result in an empty type.",
                [s.name for s in sources],
                merged.name,
            )

    @staticmethod
    def _provided(schema: SubgraphSchema, type_name: str, field_name: str) -> bool:
        """Whether some @provides in the subgraph provides this (external) field."""
        for t in schema.types.values():
            for f in t.fields.values():
                if (
                    f.provides
                    and named_type(f.type) in (type_name, *_abstracts(schema, type_name))
                    and any(p[-1] == field_name for p in field_paths(f.provides))
                ):
                    return True
        return False

    def _check_interface_keys(self, types: dict[str, MergedType]) -> None:
        """An interface with a resolvable key in a subgraph must have every supergraph
        implementation there, or the gateway could not resolve all of its entities."""
        for name, merged in types.items():
            if merged.kind != "interface":
                continue
            implementations = [
                t.name for t in types.values() if t.kind == "object" and name in t.interfaces
            ]
            for s in self.subgraphs:
                t = s.types.get(name)
                if t is None or t.kind != "interface":
                    continue
                key = next((k for k in t.keys if k.resolvable), None)
                if key is None:
                    continue
                missing = [
                    i
                    for i in implementations
                    if i not in s.types or name not in s.types[i].interfaces
                ]
                if not missing:
                    continue
                quoted = [f'"{m}"' for m in missing]
                listed = (
                    f"type {quoted[0]}"
                    if len(quoted) == 1
                    else "types " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
                )
                self.error(
                    "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                    f'[{s.name}] Interface type "{name}" has a resolvable key (@key(fields: '
                    f'"{key.fields}")) in subgraph "{s.name}" but that subgraph is missing some of '
                    f'the supergraph implementation types of "{name}". Subgraph "{s.name}" should '
                    f"define {listed} (and have {'them' if len(missing) > 1 else 'it'} implement "
                    f'"{name}").',
                    [s.name],
                    name,
                )

    def _check_interface_fields_implemented(self, types: dict[str, MergedType]) -> None:
        for t in types.values():
            if t.kind not in ("object", "interface"):
                continue
            for name in t.interfaces:
                interface = types.get(name)
                for fname in interface.fields if interface else ():
                    if fname in t.fields:
                        continue
                    declaring = [
                        s.name
                        for s in self.subgraphs
                        if name in s.types
                        and s.types[name].kind == "interface"
                        and fname in s.types[name].fields
                    ]
                    implementing = [
                        s.name
                        for s in self.subgraphs
                        if t.name in s.types and name in s.types[t.name].interfaces
                    ]
                    self.error(
                        "INTERFACE_FIELD_NO_IMPLEM",
                        f'Interface field "{name}.{fname}" is declared in '
                        f'{subgraph_names(declaring)} but type "{t.name}", which implements '
                        f'"{name}" only in {subgraph_names(implementing)} does not have field '
                        f'"{fname}".',
                        declaring + implementing,
                        f"{name}.{fname}",
                    )

    # -- interface objects -------------------------------------------------------------

    def _check_interface_object_sharing(self, types: dict[str, MergedType]) -> None:
        """A field an @interfaceObject provides for all implementations is resolved by that
        subgraph too: it must be shareable if an implementation also resolves it."""
        for impl in types.values():
            if impl.kind != "object":
                continue
            for interface in impl.interfaces:
                via = f' (through @interfaceObject field "{interface}.{{field}}")'
                for fname in types[interface].fields if interface in types else ():
                    resolvers: list[tuple[str, str, bool]] = []
                    for s in self.subgraphs:
                        own = s.types.get(impl.name)
                        if own and fname in own.fields and not own.fields[fname].external:
                            resolvers.append((s.name, "", own.fields[fname].shareable))
                        obj = s.types.get(interface)
                        if obj and obj.interface_object and fname in obj.fields:
                            f = obj.fields[fname]
                            if not f.external:
                                resolvers.append((s.name, via.format(field=fname), f.shareable))
                    if len(resolvers) < 2 or not any(r[1] for r in resolvers):
                        continue
                    non_shareable = [r for r in resolvers if not r[2]]
                    if not non_shareable:
                        continue

                    def names(rs: list[tuple[str, str, bool]]) -> str:
                        quoted = [f'"{n}"{note}' for n, note, _ in rs]
                        if len(quoted) == 1:
                            return f"subgraph {quoted[0]}"
                        return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]

                    where = (
                        "all of them"
                        if len(non_shareable) == len(resolvers)
                        else names(non_shareable)
                    )
                    coordinate = f"{impl.name}.{fname}"
                    self.error(
                        "INVALID_FIELD_SHARING",
                        f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: '
                        f"it is resolved from {names(resolvers)} and defined as non-shareable in "
                        f"{where}",
                        [r[0] for r in resolvers],
                        coordinate,
                    )

    def _copy_interface_object_fields(self, types: dict[str, MergedType]) -> None:
        """Fields an `@interfaceObject` adds to an interface exist on every implementation
        too; Apollo marks the copies with a bare `@join__field`."""
        for s in self.subgraphs:
            for t in s.types.values():
                if not t.interface_object or t.name not in types:
                    continue
                for impl in types.values():
                    if impl.kind != "object" or t.name not in impl.interfaces:
                        continue
                    for fname in t.fields:
                        if fname not in impl.fields and fname in types[t.name].fields:
                            source = types[t.name].fields[fname]
                            impl.fields[fname] = MergedField(
                                name=fname,
                                type=source.type,
                                args=source.args,
                                description=source.description,
                                directives=[
                                    d for d in source.directives if not is_access_control(d)
                                ],
                                joins=[JoinField(graph=None)],
                            )


def _abstracts(schema: SubgraphSchema, type_name: str) -> list[str]:
    """Interfaces and unions of the subgraph that `type_name` belongs to."""
    t = schema.types.get(type_name)
    unions = [u.name for u in schema.types.values() if type_name in u.members]
    return [*(t.interfaces if t else ()), *unions]


_ROOT_NAMES = {"Query", "Mutation", "Subscription"}
_KIND_NAMES = {
    "object": "Object",
    "interface": "Interface",
    "union": "Union",
    "enum": "Enum",
    "input": "Input Object",
    "scalar": "Scalar",
}
