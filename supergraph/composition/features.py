"""Federation directives the supergraph carries through their own specs (`@link`ed
`for: SECURITY` or not): `@authenticated`, `@requiresScopes`, `@policy` (access control),
`@context` (with `@fromContext`, which only feeds `@join__field(contextArguments:)`),
`@cost` and `@listSize` (demand control).

A spec is linked when some subgraph applies one of its directives. A directive keeps
the name the subgraphs give it (`@federation__cost`, an `as:` rename), imported into
the supergraph when that differs from the spec's default name (`@cost`,
`@cost__listSize`), like Apollo; subgraphs must agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .applications import ACCESS_CONTROL
from .errors import CompositionError, subgraph_names
from .model import SubgraphSchema
from .supermodel import MergedType, Supergraph

_SPECS_URL = "https://specs.apollo.dev/"
_AUTH_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"


@dataclass(frozen=True)
class FeatureSpec:
    """One linked spec: its directives (name in spec -> signature after the name, types
    written with the spec's own prefix) and which of them carry their applications."""

    name: str
    version: str
    purpose: str | None
    directives: dict[str, str]
    types: tuple[str, ...] = ()
    composed: tuple[str, ...] = ()
    # applications go to `@join__directive` (join_directives.py): only the `@link` here
    joined: bool = False

    @property
    def url(self) -> str:
        return f"{_SPECS_URL}{self.name}/{self.version}"

    def default_name(self, directive: str) -> str:
        return directive if directive == self.name else f"{self.name}__{directive}"


# In the federation spec's order.
SPECS = (
    FeatureSpec(
        "authenticated",
        "v0.1",
        "SECURITY",
        {"authenticated": f" on {_AUTH_LOCATIONS}"},
        composed=("authenticated",),
    ),
    FeatureSpec(
        "requiresScopes",
        "v0.1",
        "SECURITY",
        {"requiresScopes": f"(scopes: [[requiresScopes__Scope!]!]!) on {_AUTH_LOCATIONS}"},
        ("requiresScopes__Scope",),
        ("requiresScopes",),
    ),
    FeatureSpec(
        "policy",
        "v0.1",
        "SECURITY",
        {"policy": f"(policies: [[policy__Policy!]!]!) on {_AUTH_LOCATIONS}"},
        ("policy__Policy",),
        ("policy",),
    ),
    FeatureSpec(
        "context",
        "v0.1",
        "SECURITY",
        {
            "context": "(name: String!) repeatable on INTERFACE | OBJECT | UNION",
            "fromContext": "(field: context__ContextFieldValue) on ARGUMENT_DEFINITION",
        },
        ("context__ContextFieldValue",),
        ("context",),
    ),
    FeatureSpec(
        "cost",
        "v0.1",
        None,
        {
            "cost": "(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION"
            " | INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
            "listSize": "(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],"
            " requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
        },
        composed=("cost", "listSize"),
    ),
    FeatureSpec("cacheTag", "v0.1", "EXECUTION", {}, composed=("cacheTag",), joined=True),
)


@dataclass
class LinkedFeatures:
    """What the linked specs add to the supergraph."""

    links: list[str] = field(default_factory=list)
    directive_defs: list[str] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)  # (name, printed block)
    renames: dict[str, str] = field(default_factory=dict)  # canonical -> supergraph name
    errors: list[CompositionError] = field(default_factory=list)


def linked_specs(subgraphs: list[SubgraphSchema]) -> list[FeatureSpec]:
    """The specs to link, in Apollo's order: by the first subgraph applying one of their
    directives, then by their order in the federation spec."""
    out: list[FeatureSpec] = []
    for s in subgraphs:
        out.extend(
            spec for spec in SPECS if spec not in out and any(d in s.applied for d in spec.composed)
        )
    return out


def access_order(subgraphs: list[SubgraphSchema]) -> list[str]:
    """Access-control directives in the order Apollo lists them on an element."""
    return [spec.name for spec in linked_specs(subgraphs) if spec.name in ACCESS_CONTROL]


def linked_features(subgraphs: list[SubgraphSchema]) -> LinkedFeatures:
    out = LinkedFeatures()
    for spec in linked_specs(subgraphs):
        names: dict[str, str] = {}
        for directive in spec.composed:
            local = _supergraph_name(spec, directive, subgraphs, out.errors)
            if local is not None:
                names[directive] = local
        if not names:
            continue
        if spec.joined:
            out.links.append(f'@link(url: "{spec.url}", for: {spec.purpose})')
            continue
        imports = []
        for directive, local in names.items():
            if local != spec.default_name(directive):
                imports.append(
                    f'"@{local}"'
                    if local == directive
                    else f'{{name: "@{directive}", as: "@{local}"}}'
                )
            out.renames[directive] = local
        args = [f'url: "{spec.url}"']
        if spec.purpose:
            args.append(f"for: {spec.purpose}")
        if imports:
            args.append(f"import: [{', '.join(imports)}]")
        out.links.append(f"@link({', '.join(args)})")
        for directive, signature in spec.directives.items():
            out.directive_defs.append(
                f"directive @{names.get(directive, spec.default_name(directive))}{signature}"
            )
        out.types.extend((t, f"scalar {t}") for t in spec.types)
    return out


def _supergraph_name(
    spec: FeatureSpec,
    directive: str,
    subgraphs: list[SubgraphSchema],
    errors: list[CompositionError],
) -> str | None:
    """The name subgraphs applying the directive use (None if none applies it)."""
    users = [(s.name, s.applied[directive]) for s in subgraphs if directive in s.applied]
    if not users:
        return None
    local = users[0][1]
    different = next((name for _, name in users if name != local), None)
    if different is not None:
        # Apollo names the first differing import first, and the newest federation link.
        by_name: dict[str, list[str]] = {different: []}
        for sg, name in users:
            by_name.setdefault(name, []).append(sg)
        minor = max(s.federation_minor for s in subgraphs if directive in s.applied)
        described = [f'"@{name}" in {subgraph_names(sgs)}' for name, sgs in by_name.items()]
        errors.append(
            CompositionError(
                "LINK_IMPORT_NAME_MISMATCH",
                f'The "@{directive}" directive (from {_SPECS_URL}federation/v2.{minor}) is '
                "imported with mismatched name between subgraphs: it is imported as "
                + " but ".join(described),
                tuple(sg for sg, _ in users),
                (f"@{directive}",),
            )
        )
    return local


def rename_applications(supergraph: Supergraph, renames: dict[str, str]) -> None:
    """Give carried applications their supergraph names (merging used canonical ones)."""
    changes = {k: v for k, v in renames.items() if k != v}
    if not changes:
        return
    pattern = re.compile(r"^@(" + "|".join(map(re.escape, changes)) + r")(?=\(|$)")

    def rename(directives: list[str]) -> list[str]:
        return [pattern.sub(lambda m: "@" + changes[m.group(1)], d) for d in directives]

    def rename_type(t: MergedType) -> None:
        t.directives = rename(t.directives)
        for f in t.fields.values():
            f.directives = rename(f.directives)
            for a in f.args:
                a.directives = rename(a.directives)
        for v in t.values.values():
            v.directives = rename(v.directives)

    for t in supergraph.types.values():
        rename_type(t)
