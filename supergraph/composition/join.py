"""Print a merged `Supergraph` as Apollo-style supergraph SDL with link/join metadata.

Output is deterministic: definitions sorted by name (case-insensitively, like Apollo),
fields in the order subgraphs declare them.
"""

from __future__ import annotations

import json

from graphql.language.block_string import print_block_string

from .supermodel import JoinField, JoinType, MergedArg, MergedField, MergedType, Supergraph

JOIN_URL = "https://specs.apollo.dev/join/v0."

_JOIN_DEFINITIONS = """\
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, \
type: String, external: Boolean, override: String, usedOverridden: Boolean{extra_field_args}) \
repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT \
| INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, \
resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT \
| INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) \
repeatable on SCHEMA"""

_JOIN_DIRECTIVE = (
    "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
    "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
)
_CONTEXT_ARGUMENT = """\
input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}"""

_INACCESSIBLE = (
    "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_TAG = (
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    " | SCHEMA"
)

_LINK_TYPES = '''\
scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''

_KEYWORDS = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _description(desc: str | None, indent: str) -> str:
    if not desc:
        return ""
    block = print_block_string(desc).replace("\n", "\n" + indent)
    return f"{indent}{block}\n"


def join_type(j: JoinType) -> str:
    args = [f"graph: {j.graph}"]
    if j.key is not None:
        args.append(f"key: {_q(j.key)}")
    if j.extension:
        args.append("extension: true")
    if not j.resolvable:
        args.append("resolvable: false")
    if j.interface_object:
        args.append("isInterfaceObject: true")
    return f"@join__type({', '.join(args)})"


def join_field(j: JoinField) -> str:
    if j.graph is None:
        return "@join__field"
    args = [f"graph: {j.graph}"]
    if j.requires is not None:
        args.append(f"requires: {_q(j.requires)}")
    if j.provides is not None:
        args.append(f"provides: {_q(j.provides)}")
    if j.type is not None:
        args.append(f"type: {_q(j.type)}")
    if j.external:
        args.append("external: true")
    if j.override is not None:
        args.append(f"override: {_q(j.override)}")
    if j.used_overridden:
        args.append("usedOverridden: true")
    if j.override_label is not None:
        args.append(f"overrideLabel: {_q(j.override_label)}")
    if j.context_arguments:
        printed = [
            f"{{context: {_q(c.context)}, name: {_q(c.name)}, type: {_q(c.type)}, "
            f"selection: {_q(c.selection)}}}"
            for c in j.context_arguments
        ]
        args.append(f"contextArguments: [{', '.join(printed)}]")
    return f"@join__field({', '.join(args)})"


def _ordered(joins: list[str], directives: list[str]) -> list[str]:
    """Apollo's order: `@inaccessible`, then join metadata, then everything else."""
    first = [d for d in directives if d.startswith("@inaccessible")]
    return first + joins + [d for d in directives if not d.startswith("@inaccessible")]


def _arg(a: MergedArg) -> str:
    out = f"{a.name}: {a.type}"
    if a.default is not None:
        out += f" = {a.default}"
    return " ".join([out, *a.directives])


def _field(f: MergedField, input_field: bool) -> str:
    out = _description(f.description, "  ") + "  " + f.name
    if f.args:
        if any(a.description for a in f.args):
            lines = [_description(a.description, "    ") + "    " + _arg(a) for a in f.args]
            out += "(\n" + "\n".join(lines) + "\n  )"
        else:
            out += "(" + ", ".join(_arg(a) for a in f.args) + ")"
    out += f": {f.type}"
    if input_field and f.default is not None:
        out += f" = {f.default}"
    if f.joins and all(j.graph is None for j in f.joins):
        # Copied from an @interfaceObject: Apollo adds the bare join after the directives.
        tail = [*f.directives, *(join_field(j) for j in f.joins), *f.join_directives]
    else:
        tail = _ordered([*(join_field(j) for j in f.joins), *f.join_directives], f.directives)
    return " ".join([out, *tail])


def _type(t: MergedType) -> str:
    head = _description(t.description, "") + f"{_KEYWORDS[t.kind]} {t.name}"
    if t.interfaces:
        head += " implements " + " & ".join(t.interfaces)
    meta = [f'@join__implements(graph: {g}, interface: "{i}")' for g, i in t.implements]
    meta += [join_type(j) for j in t.join_types]
    meta += [f'@join__unionMember(graph: {g}, member: "{m}")' for g, m in t.member_joins]
    meta += _ordered(t.join_directives, t.directives)
    out = head + "".join(f"\n  {m}" for m in meta)
    if t.kind == "union":
        return out + ("\n = " + " | ".join(t.members) if t.members else "")
    if t.kind == "scalar":
        return out
    if t.kind == "enum":
        body = []
        for v in t.values.values():
            tail = _ordered([f"@join__enumValue(graph: {g})" for g in v.graphs], v.directives)
            body.append(_description(v.description, "  ") + " ".join([f"  {v.name}", *tail]))
    else:
        body = [_field(f, t.kind == "input") for f in t.fields.values()]
    return out + "\n{\n" + "\n".join(body) + "\n}"


def print_supergraph(s: Supergraph) -> str:
    links = [
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        f'@link(url: "{JOIN_URL}{s.join_minor}", for: EXECUTION)',
    ]
    extra_field_args = {3: "", 4: ", overrideLabel: String"}.get(
        s.join_minor, ", overrideLabel: String, contextArguments: [join__ContextArgument!]"
    )
    directives = [_JOIN_DEFINITIONS.replace("{extra_field_args}", extra_field_args)]
    if s.join_minor >= 4:
        directives.append(_JOIN_DIRECTIVE)
    if s.uses_tag:
        links.append('@link(url: "https://specs.apollo.dev/tag/v0.3")')
        directives.append(_TAG)
    if s.uses_inaccessible:
        links.append('@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
        directives.append(_INACCESSIBLE)
    links.extend(s.feature_links)
    links.extend(s.links)
    if s.connect_link:
        links.append(s.connect_link)
    links.extend(s.schema_join_directives)
    directives.extend(s.directive_defs)
    roots = [
        f"  {op}: {name}"
        for op, name in (
            ("query", "Query"),
            ("mutation", "Mutation"),
            ("subscription", "Subscription"),
        )
        if name in s.types
    ]
    schema = (
        _description(s.description, "")
        + "schema"
        + "".join(f"\n  {ln}" for ln in links)
        + "\n{\n"
        + "\n".join(roots)
        + "\n}"
    )
    graph_enum = (
        "enum join__Graph {\n"
        + "\n".join(
            f"  {g.enum_value} @join__graph(name: {_q(g.name)}, url: {_q(g.url)})" for g in s.graphs
        )
        + "\n}"
    )
    blocks: list[tuple[str, str]] = [(t.name, _type(t)) for t in s.types.values()]
    blocks.append(("join__Graph", graph_enum))
    if s.join_minor >= 4:
        blocks.append(("join__DirectiveArguments", "scalar join__DirectiveArguments"))
    if s.join_minor >= 5:
        blocks.append(("join__ContextArgument", _CONTEXT_ARGUMENT))
        blocks.append(("join__FieldValue", "scalar join__FieldValue"))
    blocks.extend(s.feature_types)
    blocks.extend((b.split()[1], b) for b in _LINK_TYPES.split("\n\n") if b.startswith("scalar"))
    blocks.append(("link__Purpose", _LINK_TYPES[_LINK_TYPES.index("enum link__Purpose") :]))
    defs = sorted(
        (d for group in directives for d in group.split("\n\n")),
        key=lambda d: d[d.index("directive @") :].split("(")[0].split()[1].lower(),
    )
    blocks.sort(key=lambda b: b[0].lower())
    return "\n\n".join([schema, *defs, *(b for _, b in blocks)]) + "\n"
