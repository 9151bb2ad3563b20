"""Read a supergraph SDL: which subgraph resolves what, and the API schema clients see.

The supergraph carries the whole federation as `join__*` directives. We read them once
into plain lookup tables (the planner's only view of the federation) and derive the API
schema by removing the linked specs' machinery and every `@inaccessible` element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    SelectionSetNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    parse,
    print_ast,
    value_from_ast_untyped,
)
from graphql.language import ast as gast


class SupergraphError(ValueError):
    """The SDL is not a supergraph we can serve; the message says which part and why."""


@dataclass(frozen=True)
class Graph:
    """One subgraph: its enum name in `join__Graph`, its service name and URL."""

    enum: str
    name: str
    url: str


@dataclass(frozen=True)
class TypeInGraph:
    """How a type appears in one subgraph (`@join__type`)."""

    keys: tuple[SelectionSetNode, ...] = ()
    resolvable_keys: tuple[SelectionSetNode, ...] = ()
    is_interface_object: bool = False


@dataclass(frozen=True)
class ContextArgument:
    """An argument the gateway fills from an ancestor's data (`@fromContext`, join v0.5
    `contextArguments`): `selection` read on the nearest ancestor setting `context`."""

    name: str
    type: str
    context: str
    selection: SelectionSetNode


@dataclass(frozen=True)
class FieldInGraph:
    """How a field appears in one subgraph (`@join__field`)."""

    external: bool = False
    used_overridden: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    context_args: tuple[ContextArgument, ...] = ()
    type: str | None = None  # the subgraph's own type, when it differs from the supergraph's
    # progressive override (`@override(from:, label:)`): the overriding graph has
    # `override` and the label, the overridden one the label alone
    override: str | None = None
    override_label: str | None = None

    def serves(self, labels: frozenset[str]) -> bool:
        """Whether this graph resolves the field for a request with these active labels."""
        if self.external or self.used_overridden:
            return False
        if self.override_label is None:
            return True
        return (self.override_label in labels) == (self.override is not None)

    @property
    def needs_representation(self) -> bool:
        """Only an `_entities` fetch can resolve it: the representation carries its
        `@requires` fields, the fetch's variables its contextual arguments."""
        return self.requires is not None or bool(self.context_args)


@dataclass
class Supergraph:
    """The federation metadata the planner consults, plus the two built schemas."""

    graphs: dict[str, Graph]
    types: dict[str, dict[str, TypeInGraph]]
    fields: dict[tuple[str, str], dict[str, FieldInGraph]]
    schema: GraphQLSchema
    api_schema: GraphQLSchema
    api_sdl: str
    field_set_names: frozenset[str] = frozenset()
    # context name (as in `contextArguments`) -> the types that set it (`@context`)
    contexts: dict[str, frozenset[str]] = field(default_factory=dict)
    # abstract type -> graph -> its members there (`@join__implements`/`@join__unionMember`;
    # absent for supergraphs without them: every graph then knows every member)
    members: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    _resolvers: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # every progressive override label (`percent(N)` or custom) and the fields they move
    override_labels: frozenset[str] = frozenset()
    _labelled: frozenset[tuple[str, str]] = frozenset()

    def graphs_of_type(self, type_name: str) -> dict[str, TypeInGraph]:
        """Graphs defining `type_name`; a type without `@join__type` lives in all of them."""
        found = self.types.get(type_name)
        if found is None:
            return {g: TypeInGraph() for g in self.graphs}
        return found

    def resolvers(
        self, type_name: str, field_name: str, labels: frozenset[str] = frozenset()
    ) -> tuple[str, ...]:
        """Graphs that can resolve `type_name.field_name` themselves (not external), for a
        request whose active progressive override labels are `labels`."""
        key = (type_name, field_name)
        if key in self._labelled:
            return tuple(g for g, f in self.fields[key].items() if f.serves(labels))
        cached = self._resolvers.get(key)
        if cached is not None:
            return cached
        in_graphs = self.fields.get(key)
        if in_graphs is None:
            result = tuple(self.graphs_of_type(type_name))
        else:
            result = tuple(g for g, f in in_graphs.items() if f.serves(frozenset()))
        self._resolvers[key] = result
        return result

    def field_in_graph(self, type_name: str, field_name: str, graph: str) -> FieldInGraph:
        return self.fields.get((type_name, field_name), {}).get(graph) or FieldInGraph()

    def retyped(self, type_name: str, field_name: str) -> bool:
        """Whether some subgraph declares the field with another type (nullability)."""
        return any(
            f.type is not None for f in self.fields.get((type_name, field_name), {}).values()
        )

    def member_in(self, abstract: str, concrete: str, graph: str) -> bool:
        """Whether `graph` can return `concrete` where it declares `abstract`."""
        per_graph = self.members.get(abstract)
        if per_graph is None:
            return True
        return concrete in per_graph.get(graph, frozenset())

    def url_of(self, graph: str) -> str:
        return self.graphs[graph].url


def parse_field_set(text: str) -> SelectionSetNode:
    """A `FieldSet` string (`"id organization { id }"`) as a selection set."""
    doc = parse("{" + text + "}", no_location=True)
    op = doc.definitions[0]
    assert isinstance(op, gast.OperationDefinitionNode)
    return op.selection_set


def _args(directive: DirectiveNode) -> dict[str, object]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


@dataclass
class _Specs:
    """Names under which linked specs appear in this supergraph (`@link(as:)` honoured)."""

    join: str = "join"
    inaccessible: str = "inaccessible"
    context: str = "context"
    prefixes: set[str] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)  # e.g. cost/v0.1's `@listSize`


# added to the API schema when the supergraph does not declare it: the gateway executes
# `@defer` itself (planning/defer_directives.py, execution/defer.py)
DEFER_DIRECTIVE_SDL = (
    "directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT"
)
_SPEC_URL = re.compile(r"https://specs\.apollo\.dev/([^/]+)/v[\d.]+")
# Specs whose `for: SECURITY | EXECUTION` links we honour. Any other such link means the
# supergraph asks for behaviour we would silently skip: refuse it, as Apollo's gateways do.
SUPPORTED_FEATURES = frozenset(
    {
        "link",
        "core",
        "join",
        "inaccessible",
        "tag",
        "context",
        "authenticated",
        "requiresScopes",
        "policy",
        # `@join__directive(name: "federation__cacheTag")`: tags for a router's response
        # cache; our entity cache is invalidated by events, so they change nothing here
        "cacheTag",
    }
)


@dataclass(frozen=True)
class Link:
    """One `@link` (or federation 1 `@core`) on the schema: which spec, under which names."""

    directive: str  # "link" or "core"
    url: str
    spec: str | None  # the spec's name for a specs.apollo.dev URL, else None
    name: str  # the prefix its elements get: `as:`, else the spec's name
    imports: dict[str, str]  # spec directive name -> its name here (`import:`, with `as`)
    purpose: str  # `for:` (SECURITY, EXECUTION) or ""

    def directive_name(self, directive: str) -> str:
        """The name the spec's `@directive` has in this schema."""
        if directive in self.imports:
            return self.imports[directive]
        return self.name if directive == self.spec else f"{self.name}__{directive}"


def read_links(doc: DocumentNode) -> list[Link]:
    """Every spec the schema links, with its renames (the one reader of `@link` here)."""
    links: list[Link] = []
    for d in doc.definitions:
        if not isinstance(d, SchemaDefinitionNode | gast.SchemaExtensionNode):
            continue
        for directive in d.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = _args(directive)
            url = str(args.get("url") or args.get("feature") or "")
            m = _SPEC_URL.match(url)
            imports: dict[str, str] = {}
            for item in _as_list(args.get("import")):
                original = item.get("name") if isinstance(item, dict) else item
                local = (item.get("as") or original) if isinstance(item, dict) else item
                if isinstance(original, str) and original.startswith("@"):
                    imports[original[1:]] = str(local).lstrip("@")
            links.append(
                Link(
                    directive.name.value,
                    url,
                    m.group(1) if m else None,
                    str(args.get("as") or (m.group(1) if m else "")),
                    imports,
                    str(args.get("for") or ""),
                )
            )
    return links


def _read_specs(doc: DocumentNode) -> _Specs:
    specs = _Specs()
    for link in read_links(doc):
        specs.prefixes.add(link.directive)
        if link.purpose in ("SECURITY", "EXECUTION") and link.spec not in SUPPORTED_FEATURES:
            raise SupergraphError(
                f"feature {link.url} is for: {link.purpose} but is unsupported by this gateway"
            )
        if link.spec is None:
            continue
        specs.prefixes.add(link.name)
        specs.imported.update(link.imports.values())
        if link.spec == "join":
            specs.join = link.name
        elif link.spec == "inaccessible":
            specs.inaccessible = link.directive_name("inaccessible")
        elif link.spec == "context":
            specs.context = link.directive_name("context")
    if not specs.prefixes:
        raise SupergraphError(
            "no @link or @core on the schema definition: this is not a supergraph SDL; "
            "compose the subgraphs first"
        )
    return specs


def _is_spec_name(name: str, specs: _Specs) -> bool:
    return (
        name in specs.prefixes
        or name in specs.imported
        or (name.split("__", 1)[0] in specs.prefixes and "__" in name)
    )


def load_supergraph(sdl: str) -> Supergraph:
    """Parse a supergraph SDL (federation 1 `@core` or federation 2 `@link`)."""
    try:
        doc = parse(sdl, no_location=True)
    except Exception as exc:
        raise SupergraphError(f"the supergraph SDL does not parse: {exc}") from exc
    specs = _read_specs(doc)
    j = specs.join
    graphs: dict[str, Graph] = {}
    types: dict[str, dict[str, TypeInGraph]] = {}
    fields: dict[tuple[str, str], dict[str, FieldInGraph]] = {}
    owners: dict[str, str] = {}
    contexts: dict[str, set[str]] = {}
    members: dict[str, dict[str, set[str]]] = {}
    for d in doc.definitions:
        if isinstance(d, EnumTypeDefinitionNode) and d.name.value == f"{j}__Graph":
            for v in d.values or ():
                for directive in v.directives or ():
                    if directive.name.value == f"{j}__graph":
                        a = _args(directive)
                        graphs[v.name.value] = Graph(v.name.value, str(a["name"]), str(a["url"]))
    if not graphs:
        raise SupergraphError(f"the supergraph has no {j}__Graph enum listing its subgraphs")
    for d in doc.definitions:
        if not isinstance(
            d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | UnionTypeDefinitionNode
        ) and not isinstance(d, EnumTypeDefinitionNode | gast.InputObjectTypeDefinitionNode):
            continue
        tname = d.name.value
        per_graph: dict[str, tuple[list[SelectionSetNode], list[SelectionSetNode], bool]] = {}
        for directive in d.directives or ():
            dname = directive.name.value
            if dname == f"{j}__type":
                a = _args(directive)
                g = str(a["graph"])
                keys, resolvable, _ = per_graph.setdefault(g, ([], [], False))
                if a.get("isInterfaceObject"):
                    per_graph[g] = (keys, resolvable, True)
                if a.get("key"):
                    fs = parse_field_set(str(a["key"]))
                    keys.append(fs)
                    if a.get("resolvable", True) is not False:
                        resolvable.append(fs)
            elif dname == f"{j}__owner":
                owners[tname] = str(_args(directive)["graph"])
            elif dname == specs.context:
                contexts.setdefault(str(_args(directive)["name"]), set()).add(tname)
            elif dname == f"{j}__implements":
                a = _args(directive)
                per = members.setdefault(str(a["interface"]), {})
                per.setdefault(str(a["graph"]), set()).add(tname)
            elif dname == f"{j}__unionMember":
                a = _args(directive)
                members.setdefault(tname, {}).setdefault(str(a["graph"]), set()).add(
                    str(a["member"])
                )
        if tname in owners:
            per_graph.setdefault(owners[tname], ([], [], False))
        if per_graph:
            types[tname] = {
                g: TypeInGraph(tuple(k), tuple(r), io) for g, (k, r, io) in per_graph.items()
            }
        if isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            for fd in d.fields or ():
                _read_field(j, tname, fd, fields, owners.get(tname))
    for tname in owners:
        # join v0.1: fields without @join__field belong to the owner, and every graph that
        # declares a key can also return that key's fields
        for g, tig in types.get(tname, {}).items():
            for key in tig.keys:
                for s in key.selections:
                    if isinstance(s, gast.FieldNode) and (tname, s.name.value) in fields:
                        fields[(tname, s.name.value)].setdefault(g, FieldInGraph())
    schema = build_ast_schema(doc, assume_valid_sdl=True)
    api_doc = _api_document(doc, specs)
    api_schema = build_ast_schema(api_doc, assume_valid_sdl=True)
    names: set[str] = set()
    for per_type in types.values():
        for tig in per_type.values():
            for key in tig.keys:
                _collect_names(key, names)
    for per_field in fields.values():
        for fig in per_field.values():
            if fig.requires is not None:
                _collect_names(fig.requires, names)
            for ctx in fig.context_args:
                _collect_names(ctx.selection, names)
    return Supergraph(
        graphs,
        types,
        fields,
        schema,
        api_schema,
        print_ast(api_doc),
        frozenset(names),
        {name: frozenset(ts) for name, ts in contexts.items()},
        {t: {g: frozenset(m) for g, m in per.items()} for t, per in members.items()},
        override_labels=frozenset(
            f.override_label for per in fields.values() for f in per.values() if f.override_label
        ),
        _labelled=frozenset(
            key for key, per in fields.items() if any(f.override_label for f in per.values())
        ),
    )


def _collect_names(selection_set: SelectionSetNode, into: set[str]) -> None:
    """Every field name used in a field set: client fields of these names (with arguments)
    get a private alias so a key or required field can never collide with them."""
    for s in selection_set.selections:
        if isinstance(s, gast.FieldNode):
            into.add(s.name.value)
        sub = getattr(s, "selection_set", None)
        if sub is not None:
            _collect_names(sub, into)


def _read_field(
    j: str,
    tname: str,
    fd: FieldDefinitionNode,
    fields: dict[tuple[str, str], dict[str, FieldInGraph]],
    owner: str | None,
) -> None:
    in_graphs: dict[str, FieldInGraph] = {}
    seen = False
    for directive in fd.directives or ():
        if directive.name.value != f"{j}__field":
            continue
        seen = True
        a = _args(directive)
        if a.get("graph") is None:
            continue
        in_graphs[str(a["graph"])] = FieldInGraph(
            external=bool(a.get("external")),
            used_overridden=bool(a.get("usedOverridden")),
            requires=parse_field_set(str(a["requires"])) if a.get("requires") else None,
            provides=parse_field_set(str(a["provides"])) if a.get("provides") else None,
            context_args=tuple(_context_argument(c) for c in _as_list(a.get("contextArguments"))),
            type=str(a["type"]) if a.get("type") else None,
            override=str(a["override"]) if a.get("override") else None,
            override_label=str(a["overrideLabel"]) if a.get("overrideLabel") else None,
        )
    if not seen and owner is not None:
        in_graphs[owner] = FieldInGraph()
        seen = True
    if seen:
        fields[(tname, fd.name.value)] = in_graphs


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _context_argument(value: object) -> ContextArgument:
    if not isinstance(value, dict):
        raise SupergraphError(f"contextArguments entry is not an object: {value!r}")
    selection = str(value["selection"]).strip()
    if selection.startswith("{") and selection.endswith("}"):
        selection = selection[1:-1]
    return ContextArgument(
        str(value["name"]), str(value["type"]), str(value["context"]), parse_field_set(selection)
    )


def _strip_directives(
    directives: tuple[DirectiveNode, ...] | None, specs: _Specs
) -> tuple[DirectiveNode, ...]:
    return tuple(d for d in directives or () if not _is_spec_name(d.name.value, specs))


def _hidden(node: object, specs: _Specs) -> bool:
    return any(d.name.value == specs.inaccessible for d in getattr(node, "directives", None) or ())


def _api_document(doc: DocumentNode, specs: _Specs) -> DocumentNode:
    """The client-facing schema: no spec types/directives, nothing `@inaccessible`."""
    hidden_types = {
        d.name.value
        for d in doc.definitions
        if isinstance(d, gast.TypeDefinitionNode)
        and (_hidden(d, specs) or _is_spec_name(d.name.value, specs))
    }
    out: list[gast.DefinitionNode] = []
    for d in doc.definitions:
        if isinstance(d, gast.DirectiveDefinitionNode):
            if not _is_spec_name(d.name.value, specs):
                out.append(d)
            continue
        if isinstance(d, SchemaDefinitionNode):
            out.append(
                SchemaDefinitionNode(
                    directives=(),
                    operation_types=tuple(
                        o for o in d.operation_types if o.type.name.value not in hidden_types
                    ),
                )
            )
            continue
        if not isinstance(d, gast.TypeDefinitionNode) or d.name.value in hidden_types:
            continue
        out.append(_api_type(d, specs, hidden_types))
    if not any(
        isinstance(d, gast.DirectiveDefinitionNode) and d.name.value == "defer" for d in out
    ):
        # the gateway executes `@defer` itself (DEFER_DIRECTIVE_SDL)
        out.extend(parse(DEFER_DIRECTIVE_SDL, no_location=True).definitions)
    return DocumentNode(definitions=tuple(out))


def _named(t: gast.TypeNode) -> str:
    while not isinstance(t, gast.NamedTypeNode):
        t = t.type  # type: ignore[attr-defined]
    return t.name.value


def _api_type(
    d: gast.TypeDefinitionNode, specs: _Specs, hidden_types: set[str]
) -> gast.TypeDefinitionNode:
    kw: dict[str, object] = {k: getattr(d, k) for k in d.keys if k not in ("loc", "directives")}
    kw["directives"] = _strip_directives(d.directives, specs)

    def keep_args(args: tuple[gast.InputValueDefinitionNode, ...] | None) -> tuple:
        return tuple(
            a.__class__(
                **{
                    **{k: getattr(a, k) for k in a.keys if k != "loc"},
                    "directives": _strip_directives(a.directives, specs),
                }
            )
            for a in args or ()
            if not _hidden(a, specs)
        )

    if isinstance(
        d,
        ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | gast.InputObjectTypeDefinitionNode,
    ):
        new_fields = []
        for f in d.fields or ():
            if _hidden(f, specs) or _named(f.type) in hidden_types:
                continue
            fkw = {k: getattr(f, k) for k in f.keys if k != "loc"}
            fkw["directives"] = _strip_directives(f.directives, specs)
            if "arguments" in fkw:
                fkw["arguments"] = keep_args(f.arguments)  # type: ignore[union-attr]
            new_fields.append(f.__class__(**fkw))
        kw["fields"] = tuple(new_fields)
    if isinstance(d, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
        kw["interfaces"] = tuple(i for i in d.interfaces or () if i.name.value not in hidden_types)
    if isinstance(d, UnionTypeDefinitionNode):
        kw["types"] = tuple(t for t in d.types or () if t.name.value not in hidden_types)
    if isinstance(d, EnumTypeDefinitionNode):
        kw["values"] = tuple(
            v.__class__(
                **{
                    **{k: getattr(v, k) for k in v.keys if k != "loc"},
                    "directives": _strip_directives(v.directives, specs),
                }
            )
            for v in d.values or ()
            if not _hidden(v, specs)
        )
    return d.__class__(**kw)  # type: ignore[arg-type]
