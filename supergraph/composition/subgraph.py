"""Parse and normalise one subgraph SDL (federation 1 or 2) into a `SubgraphSchema`: the
entry point (`parse_subgraph`), which runs the stages in `subgraph_sdl`, `subgraph_checks`,
`subgraph_fold` and `subgraph_semantics` in order.

Federation 2 subgraphs name federation directives through `@link(import:)`, possibly
renamed (`{name: "@key", as: "@primaryKey"}`) or namespaced (`@federation__key`,
`@<as>__key`). Federation 1 subgraphs use the bare names and have Apollo's implicit
semantics: every field is shareable and `@external` key fields of an extension are not
really external. Both are decoded here so the merger only sees canonical meanings.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLError,
    build_ast_schema,
    parse,
    validate_schema,
)
from graphql.language import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    visit,
)

from .errors import CompositionError
from .join_directives import as_join, join_directive_specs
from .model import SubgraphSchema
from .subgraph_checks import (
    DirectiveCollector,
    invalid_directive_value,
    unknown_directive_in_machinery,
    validation_document,
    without_federation_definitions,
)
from .subgraph_fold import (
    fold,
)
from .subgraph_sdl import (
    Renamer,
    UnknownImport,
    federation_names,
    renamed_definition,
    root_renames,
    schema_directives,
    str_arg,
)
from .subgraph_semantics import (
    apply_fed1_semantics,
    mark_key_and_provided_fields_shareable,
    qualify_contexts,
)


def _defined_name(d: DefinitionNode) -> str | None:
    name = getattr(d, "name", None)
    return name.value if name is not None else None


@dataclass(frozen=True)
class Subgraph:
    """A subgraph to compose: its name, the URL the gateway will call, and its SDL."""

    name: str
    url: str
    sdl: str


def parse_subgraph(subgraph: Subgraph) -> tuple[SubgraphSchema | None, list[CompositionError]]:
    """Parse, validate and normalise a subgraph; on invalid GraphQL return the errors."""

    def invalid(message: str) -> tuple[None, list[CompositionError]]:
        err = CompositionError(
            "INVALID_GRAPHQL", f"[{subgraph.name}] {message}", (subgraph.name,), ()
        )
        return None, [err]

    try:
        doc = parse(subgraph.sdl)
    except GraphQLError as e:
        return invalid(e.message)
    try:
        version, minor, names, links = federation_names(doc)
    except UnknownImport as e:
        errors = [
            CompositionError(
                "INVALID_LINK_DIRECTIVE_USAGE",
                f'[{subgraph.name}] Cannot import unknown element "{element}".',
                (subgraph.name,),
                (),
            )
            for element in e.args
        ]
        return None, errors
    renames = root_renames(doc)
    if renames:
        doc = visit(doc, Renamer(renames))
    joined = join_directive_specs(links, names)
    spec_names = joined.type_names | set(joined.names)  # their definitions come from us
    defs = [
        renamed_definition(d, renames)
        for d in without_federation_definitions(doc, names)
        if _defined_name(d) not in spec_names
    ]
    user_directives = {d.name.value for d in defs if isinstance(d, DirectiveDefinitionNode)}
    try:
        built = build_ast_schema(validation_document(defs, names, user_directives, joined.prelude))
    except (GraphQLError, TypeError) as e:
        return invalid(str(e))
    problems = [e for e in validate_schema(built) if "Query root type" not in e.message]
    if problems:
        return invalid(problems[0].message)
    bad_value = invalid_directive_value(built, defs)
    if bad_value:
        return invalid(bad_value)
    unknown = unknown_directive_in_machinery(built, doc)
    if unknown:
        return invalid(f"Unknown directive '@{unknown}'.")

    composed: set[str] = set()
    for applied in schema_directives(doc):
        if names.get(applied.name.value) == "composeDirective":
            composed.add((str_arg(applied, "name") or "").lstrip("@"))
    schema = SubgraphSchema(subgraph.name, subgraph.url, version, minor, links=links)
    schema.composed = sorted(composed)
    schema.composed_federation = {n: names[n] for n in sorted(composed) if n in names}
    schema.connect_minors = joined.connect_minors
    schema.description = next(
        (
            d.description.value
            for d in doc.definitions
            if isinstance(d, SchemaDefinitionNode) and d.description is not None
        ),
        None,
    )
    schema.schema_join_directives = [
        as_join(d, "link") if d in joined.connect_links else as_join(d, joined.names[d.name.value])
        for d in schema_directives(doc)
        if d in joined.connect_links or d.name.value in joined.names
    ]
    grouped: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
    for d in defs:
        if isinstance(d, DirectiveDefinitionNode):
            schema.directive_defs[d.name.value] = d
        elif isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            grouped.setdefault(d.name.value, []).append(d)
    for name, nodes in grouped.items():
        schema.types[name] = fold(name, nodes, names, composed, joined.names)
    collector = DirectiveCollector()
    visit(DocumentNode(definitions=tuple(defs)), collector)
    for node in collector.found:
        canonical = names.get(node.name.value)
        if canonical is not None:
            schema.applied.setdefault(canonical, node.name.value)
    qualify_contexts(schema)
    if version == 1:
        apply_fed1_semantics(schema)
    mark_key_and_provided_fields_shareable(schema)
    return schema, []
