"""The composition pipeline: parse -> pre-merge validation -> merge -> post-merge checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import GraphQLError, build_ast_schema, parse, validate_schema

from .access import check_transitive_access
from .applications import ACCESS_CONTROL
from .cacheable import check_cacheable
from .directive_composition import composition_hints
from .directives import composed_directives, executable_directives
from .errors import CompositionError
from .eventsources import check_event_sources
from .features import linked_features, rename_applications
from .hints import CompositionHint
from .join import print_supergraph
from .join_directives import add_join_directives
from .merge import Merger
from .model import SubgraphSchema
from .satisfiability import check_satisfiability
from .subgraph import Subgraph, parse_subgraph
from .validate import validate_subgraph, validate_subgraphs


@dataclass
class CompositionResult:
    """The supergraph SDL, or the errors explaining why there is none; plus Apollo's
    composition hints (non-fatal warnings) gathered on the way."""

    supergraph_sdl: str | None
    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionHint] = field(default_factory=list)  # warnings, even when ok

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None and not self.errors


def compose(subgraphs: list[Subgraph]) -> CompositionResult:
    """Compose subgraphs into a Federation 2 supergraph SDL, reporting Apollo-style errors."""
    parsed: list[SubgraphSchema] = []
    errors: list[CompositionError] = []
    for sg in subgraphs:
        schema, problems = parse_subgraph(sg)
        errors.extend(problems)
        if schema is not None:
            errors.extend(validate_subgraph(schema))
            errors.extend(check_event_sources(sg))
            errors.extend(check_cacheable(sg))
            parsed.append(schema)
    if errors:
        return CompositionResult(None, errors)
    errors = validate_subgraphs(parsed)
    if errors:
        return CompositionResult(None, errors)
    merger = Merger(parsed)
    merger.state.hints.extend(composition_hints(parsed))
    supergraph = merger.merge()
    if merger.errors:
        return CompositionResult(None, merger.errors, merger.state.hints)
    if any(name in s.applied for s in parsed for name in ACCESS_CONTROL):
        errors = check_transitive_access(supergraph)
        if errors:
            return CompositionResult(None, errors, merger.state.hints)
    defs, links = composed_directives(parsed)
    executable, errors, hints = executable_directives(parsed)
    hints = merger.state.hints + hints
    features = linked_features(parsed)
    errors += features.errors
    if errors:
        return CompositionResult(None, errors, hints)
    supergraph.directive_defs = features.directive_defs + defs + executable
    supergraph.links = links
    supergraph.feature_links = features.links
    supergraph.feature_types = features.types
    rename_applications(supergraph, features.renames)
    add_join_directives(parsed, merger.state.graphs, supergraph)
    printed_elements = [
        d
        for t in supergraph.types.values()
        for d in [
            *t.directives,
            *(d for f in t.fields.values() for d in f.directives),
            *(d for f in t.fields.values() for a in f.args for d in a.directives),
            *(d for v in t.values.values() for d in v.directives),
        ]
    ]
    supergraph.uses_tag = any(d.startswith("@tag") for d in printed_elements)
    supergraph.uses_inaccessible = any(d.startswith("@inaccessible") for d in printed_elements)
    errors = check_satisfiability(parsed, supergraph, hints)
    if errors:
        return CompositionResult(None, errors, hints)
    sdl = print_supergraph(supergraph)
    problems = _graphql_problems(sdl)
    if problems:
        return CompositionResult(None, problems, hints)
    return CompositionResult(sdl, [], hints)


def _graphql_problems(sdl: str) -> list[CompositionError]:
    """The merged schema must itself be valid GraphQL (e.g. an interface field widened in
    one subgraph no longer matching an implementation's type)."""
    try:
        schema = build_ast_schema(parse(sdl))
    except (GraphQLError, TypeError) as e:
        return [CompositionError("INVALID_GRAPHQL", str(e))]
    return [CompositionError("INVALID_GRAPHQL", e.message) for e in validate_schema(schema)]
