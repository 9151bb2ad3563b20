"""The merge, type by type: kinds must agree, then each kind merges in its own module.

Order matters and follows Apollo: types first (recording where enums are used), then
the checks that need every type (interfaces, `@interfaceObject`), access control
propagation, and enums last, as their rule depends on input/output use.
"""

from __future__ import annotations

from ..access import propagate_access_control
from ..applications import merge_applications
from ..errors import CompositionError, subgraph_names
from ..hints import merged_description
from ..model import SubgraphSchema, TypeDef
from ..supermodel import Graph, JoinType, MergedType, Supergraph
from .composites import merge_composite
from .enums import merge_enum
from .inputs import merge_input
from .interface_objects import check_interface_object_sharing, copy_interface_object_fields
from .interfaces import check_interface_fields_implemented, check_interface_keys
from .state import MergeState, Source
from .unions import merge_union

_ROOT_NAMES = {"Query", "Mutation", "Subscription"}
_KIND_NAMES = {
    "object": "Object",
    "interface": "Interface",
    "union": "Union",
    "enum": "Enum",
    "input": "Input Object",
    "scalar": "Scalar",
}


class Merger:
    """Merge normalised subgraphs into a `Supergraph`; problems end up in `errors`."""

    def __init__(self, subgraphs: list[SubgraphSchema]) -> None:
        self.state = MergeState(subgraphs)

    @property
    def errors(self) -> list[CompositionError]:
        return self.state.errors

    def merge(self) -> Supergraph:
        state = self.state
        names: list[str] = []
        for s in state.subgraphs:
            names.extend(n for n in s.types if n not in names)
        types: dict[str, MergedType] = {}
        for name in names:
            merged = _merge_type(state, name, state.sources(name))
            if merged is not None:
                types[name] = merged
        if "Query" in types and types["Query"].fields:
            _join_query_everywhere(state, types["Query"])
        else:
            state.error(
                "NO_QUERIES",
                "No queries found in any subgraph: a supergraph must have a query root type.",
                [s.name for s in state.subgraphs],
                "Query",
            )
        check_interface_object_sharing(state, types)
        copy_interface_object_fields(state, types)
        propagate_access_control(state.subgraphs, types, state.access_order)
        check_interface_keys(state, types)
        check_interface_fields_implemented(state, types)
        for name in names:
            if name in types and types[name].kind == "enum":
                merge_enum(state, types[name], state.sources(name))
        graphs = [Graph(state.graphs[s.name], s.name, s.url) for s in state.subgraphs]
        description, hint = merged_description(
            "The schema definition", [(s.name, s.description) for s in state.subgraphs]
        )
        state.hints.extend([hint] if hint else [])
        return Supergraph(
            graphs=graphs, types=types, join_minor=_join_minor(state), description=description
        )


def _join_minor(state: MergeState) -> int:
    """join/v0.3 up to federation 2.6, v0.4 for 2.7, v0.5 from 2.8 (as Apollo), counting
    implicit upgrades (a connect spec linked from an older federation version)."""
    newest = max(state.federation_minors.values(), default=0)
    return 5 if newest >= 8 else 4 if newest == 7 else 3


def _kind(t: TypeDef) -> str:
    return "interface" if t.interface_object else t.kind


def _merge_type(state: MergeState, name: str, sources: list[Source]) -> MergedType | None:
    kinds = {_kind(s.type) for s in sources}
    if all(s.type.interface_object for s in sources):
        state.error(
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
            by_kind.setdefault(_kind(s.type), []).append(s.name)
        described = [f"{_KIND_NAMES[k]} Type in {subgraph_names(v)}" for k, v in by_kind.items()]
        state.error(
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
        description=state.merge_description(name, [(s.name, s.type.description) for s in sources]),
        directives=merge_applications(
            (s.type.directives for s in sources),
            access_first=state.access_order if kind == "interface" else (),
            report=state.applications(name, [s.name for s in sources]),
        ),
    )
    for s in sources:
        merged.join_types.extend(_join_types(s))
    if kind == "object":
        _hint_inconsistent_entity(state, name, sources)
    if kind in ("object", "interface"):
        merge_composite(state, merged, sources)
    elif kind == "union":
        merge_union(state, merged, sources)
    elif kind == "input":
        merge_input(state, merged, sources)
    return merged


def _hint_inconsistent_entity(state: MergeState, name: str, sources: list[Source]) -> None:
    entity = [s.name for s in sources if s.type.keys]
    value = [s.name for s in sources if not s.type.keys]
    if entity and value:
        state.hint(
            "INCONSISTENT_ENTITY",
            f'Type "{name}" is declared as an entity (has a @key applied) in some but not all '
            f"defining subgraphs: it has no @key in {subgraph_names(value)} but has some @key "
            f"in {subgraph_names(entity)}.",
            [s.name for s in sources],
            name,
        )


def _join_types(s: Source) -> list[JoinType]:
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


def _join_query_everywhere(state: MergeState, query: MergedType) -> None:
    """Every subgraph has a Query type (at least `_entities`/`_service`)."""
    present = {j.graph for j in query.join_types}
    for s in state.subgraphs:
        if state.graphs[s.name] not in present:
            query.join_types.append(JoinType(state.graphs[s.name]))
    order = list(state.graphs.values())
    query.join_types.sort(key=lambda j: order.index(j.graph))
