"""Pre-merge checks: each subgraph's federation directives make sense on their own.

Messages follow Apollo's: `[subgraph] On type "T", for @key(fields: "..."): why`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError, print_ast
from graphql.language import FieldNode, InlineFragmentNode, ListTypeNode, NonNullTypeNode

from .access import validate_access_control
from .context import validate_contexts
from .cost import validate_cost
from .errors import CompositionError, listed
from .fieldset import field_paths, parse_field_set
from .model import Field, SubgraphSchema, TypeDef
from .subgraph_sdl import named_type

_ROOTS = ("Query", "Mutation", "Subscription")


@dataclass
class _FieldSetUse:
    """One field-set argument being checked, and how to phrase errors about it."""

    directive: str  # key | requires | provides
    fields: str
    target: str  # 'type "T"' or 'field "T.f"'
    printed: str  # the directive as written, for messages


def _is_list(f: Field) -> bool:
    t = f.type.type if isinstance(f.type, NonNullTypeNode) else f.type
    return isinstance(t, ListTypeNode)


class _Checker:
    def __init__(self, schema: SubgraphSchema) -> None:
        self.schema = schema
        self.errors: list[CompositionError] = []
        self.used_externals: set[tuple[str, str]] = set()

    def error(self, code: str, use: _FieldSetUse | None, message: str, coordinate: str) -> None:
        prefix = f"On {use.target}, for {use.printed}: " if use else ""
        self.errors.append(
            CompositionError(
                code, f"[{self.schema.name}] {prefix}{message}", (self.schema.name,), (coordinate,)
            )
        )

    def check_field_set(
        self,
        use: _FieldSetUse,
        type_name: str,
        on_field: Callable[[str, Field, bool], None],
    ) -> None:
        code = f"{use.directive.upper()}_INVALID_FIELDS"
        try:
            selection = parse_field_set(use.fields)
        except GraphQLError as e:
            self.error(code, use, e.message, type_name)
            return

        def walk(type_name: str, sel: object, external_parent: bool) -> None:
            for s in getattr(sel, "selections", ()):
                if isinstance(s, InlineFragmentNode):
                    walk(
                        s.type_condition.name.value if s.type_condition else type_name,
                        s.selection_set,
                        external_parent,
                    )
                    continue
                if not isinstance(s, FieldNode):
                    continue
                t = self.schema.types.get(type_name)
                name = s.name.value
                if name == "__typename":
                    continue
                if t is None or name not in t.fields:
                    hint = (
                        " (the field should either be added to this subgraph or, if it should not "
                        "be resolved by this subgraph, you need to add it to this subgraph with "
                        "@external)."
                        if use.directive == "key"
                        else " (if the field is defined in another subgraph, you need to add it "
                        "to this subgraph with @external)."
                    )
                    self.error(
                        code,
                        use,
                        f'Cannot query field "{name}" on type "{type_name}"{hint}',
                        type_name,
                    )
                    continue
                f = t.fields[name]
                if f.external:
                    self.used_externals.add((type_name, name))
                given = {a.name.value for a in s.arguments or ()}
                required = [
                    a.name
                    for a in f.args.values()
                    if isinstance(a.type, NonNullTypeNode)
                    and a.default is None
                    and a.from_context is None
                    and a.name not in given
                ]
                if required:
                    self.error(
                        code,
                        use,
                        f'Missing mandatory value for argument "{required[0]}" of field '
                        f'"{type_name}.{name}" in selection "{print_ast(s)}"',
                        f"{type_name}.{name}",
                    )
                    continue
                leaf_type = self.schema.types.get(named_type(f.type))
                composite = leaf_type is not None and leaf_type.kind in (
                    "object",
                    "interface",
                    "union",
                )
                if composite and s.selection_set is None:
                    self.error(
                        code,
                        use,
                        f'Invalid empty selection set for field "{type_name}.{name}" of '
                        f"non-leaf type {type_str(f)}",
                        f"{type_name}.{name}",
                    )
                    continue
                if not composite and s.selection_set is not None:
                    self.error(
                        code,
                        use,
                        f'Field "{name}" must not have a selection since type "{type_str(f)}" has '
                        "no subfields.",
                        f"{type_name}.{name}",
                    )
                    continue
                on_field(type_name, f, s.selection_set is None and not external_parent)
                if s.selection_set is not None:
                    walk(named_type(f.type), s.selection_set, external_parent or f.external)

        walk(type_name, selection, False)

    def run(self) -> list[CompositionError]:
        fed2 = not self.schema.is_fed1
        for t in self.schema.types.values():
            if t.interface_object and not t.keys:
                self.error(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    None,
                    "The @interfaceObject directive can only be applied to entity types but "
                    f'type "{t.name}" has no @key in this subgraph.',
                    t.name,
                )
            for key in t.keys:
                printed = f'@key(fields: "{key.fields}"' + (
                    ", resolvable: false)" if not key.resolvable else ")"
                )
                use = _FieldSetUse("key", key.fields, f'type "{t.name}"', printed)
                self.check_field_set(use, t.name, self._key_field(use))
            for f in t.fields.values():
                coordinate = f"{t.name}.{f.name}"
                if f.duplicate_shareable:
                    self.error(
                        "INVALID_SHAREABLE_USAGE",
                        None,
                        f'Invalid duplicate application of @shareable on field "{coordinate}": '
                        "@shareable is only repeatable on types so it can be used simultaneously "
                        "on a type definition and its extensions, but it should not be duplicated",
                        coordinate,
                    )
                if fed2 and f.external and t.kind == "interface":
                    self.error(
                        "EXTERNAL_ON_INTERFACE",
                        None,
                        f'Interface type field "{coordinate}" is marked @external but @external '
                        "is not allowed on interface fields (it is nonsensical).",
                        coordinate,
                    )
                if f.shareable_applied and t.kind == "interface":
                    self.error(
                        "INVALID_SHAREABLE_USAGE",
                        None,
                        f'Invalid use of @shareable on field "{coordinate}": only object type '
                        "fields can be marked with @shareable",
                        coordinate,
                    )
                for kind, fields in (("requires", f.requires), ("provides", f.provides)):
                    if fields is not None and t.kind == "interface":
                        self.error(
                            f"{kind.upper()}_UNSUPPORTED_ON_INTERFACE",
                            None,
                            f'Cannot use @{kind} on field "{coordinate}" of parent type '
                            f'"{t.name}": @{kind} is not yet supported within interfaces',
                            coordinate,
                        )
                if f.requires is not None:
                    use = _FieldSetUse(
                        "requires",
                        f.requires,
                        f'field "{coordinate}"',
                        f'@requires(fields: "{f.requires}")',
                    )
                    self.check_field_set(use, t.name, self._must_be_external(use, fed2))
                if f.provides is not None and f.external:
                    self.error(
                        "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
                        None,
                        f'Cannot have both @provides and @external on field "{coordinate}"',
                        coordinate,
                    )
                elif f.provides is not None:
                    use = _FieldSetUse(
                        "provides",
                        f.provides,
                        f'field "{coordinate}"',
                        f'@provides(fields: "{f.provides}")',
                    )
                    target = self.schema.types.get(named_type(f.type))
                    if target is None or not target.composite:
                        self.error(
                            "PROVIDES_ON_NON_OBJECT_FIELD",
                            None,
                            f'Invalid @provides directive on field "{coordinate}": field has type '
                            f'"{type_str(f)}" which is not a Composite Type',
                            coordinate,
                        )
                        continue
                    self.check_field_set(use, target.name, self._must_be_external(use, fed2))
        if fed2:
            self._unused_externals()
            self._interface_keys_on_implementations()
        return self.errors

    def _interface_keys_on_implementations(self) -> None:
        """A key on an interface lets a plan fetch any implementation by it, so every
        implementation in this subgraph needs the same key, resolvable."""
        types = self.schema.types
        for t in types.values():
            if t.kind != "interface":
                continue
            impls = [o for o in types.values() if o.kind == "object" and t.name in o.interfaces]
            for key in t.keys:
                wanted = sorted(field_paths(key.fields))
                missing: list[str] = []
                unresolvable: list[str] = []
                for o in impls:
                    same = [k for k in o.keys if sorted(field_paths(k.fields)) == wanted]
                    if not same:
                        missing.append(o.name)
                    elif not any(k.resolvable for k in same):
                        unresolvable.append(o.name)
                printed = f'@key(fields: "{key.fields}"' + (
                    ", resolvable: false)" if not key.resolvable else ")"
                )
                prefix = f'Key {printed} on interface type "{t.name}"'
                if missing:
                    named = listed("type", [f'"{n}"' for n in missing])
                    message = f"{prefix} is missing on implementation {named}."
                elif unresolvable:
                    named = listed("type", [f'"{n}"' for n in unresolvable])
                    message = (
                        f"{prefix} should be resolvable on all implementation types, but is "
                        f'declared with argument "@key(resolvable:)" set to false in {named}.'
                    )
                else:
                    continue
                self.error("INTERFACE_KEY_NOT_ON_IMPLEMENTATION", None, message, t.name)

    def _key_field(self, use: _FieldSetUse) -> Callable[[str, Field, bool], None]:
        def check(type_name: str, f: Field, _leaf: bool) -> None:
            coordinate = f"{type_name}.{f.name}"
            if f.args:
                self.error(
                    "KEY_FIELDS_HAS_ARGS",
                    use,
                    f"field {coordinate} cannot be included because it has arguments (fields "
                    "with argument are not allowed in @key)",
                    coordinate,
                )
            target = self.schema.types.get(named_type(f.type))
            if target is not None and target.kind in ("interface", "union"):
                kind = "Interface" if target.kind == "interface" else "Union"
                self.error(
                    "KEY_FIELDS_SELECT_INVALID_TYPE",
                    use,
                    f'field "{coordinate}" is a {kind} type which is not allowed in @key',
                    coordinate,
                )

        return check

    def _must_be_external(
        self, use: _FieldSetUse, fed2: bool
    ) -> Callable[[str, Field, bool], None]:
        def check(type_name: str, f: Field, leaf: bool) -> None:
            if use.directive == "provides" and f.args:
                self.error(
                    "PROVIDES_FIELDS_HAS_ARGS",
                    use,
                    f"field {type_name}.{f.name} cannot be included because it has arguments "
                    "(fields with argument are not allowed in @provides)",
                    f"{type_name}.{f.name}",
                )
            if fed2 and leaf and not f.external:
                self.error(
                    f"{use.directive.upper()}_FIELDS_MISSING_EXTERNAL",
                    use,
                    f'field "{type_name}.{f.name}" should not be part of a @{use.directive} since '
                    "it is already provided by this subgraph (it is not marked @external)",
                    f"{type_name}.{f.name}",
                )

        return check

    def _unused_externals(self) -> None:
        interface_fields = {
            (t.name, fname)
            for t in self.schema.types.values()
            for i in t.interfaces
            for fname in (self.schema.types[i].fields if i in self.schema.types else {})
        }
        for t in self.schema.types.values():
            for f in t.fields.values():
                coordinate = (t.name, f.name)
                if f.external and coordinate not in self.used_externals | interface_fields:
                    self.error(
                        "EXTERNAL_UNUSED",
                        None,
                        f'Field "{t.name}.{f.name}" is marked @external but is not used in any '
                        "federation directive (@key, @provides, @requires) or to satisfy an "
                        "interface; the field declaration has no use and should be removed (or "
                        "the field should not be @external).",
                        f"{t.name}.{f.name}",
                    )


def type_str(f: Field) -> str:
    return print_ast(f.type)


def validate_subgraph(schema: SubgraphSchema) -> list[CompositionError]:
    """Check one subgraph's @key/@requires/@provides/@external and @context usage."""
    context_errors, context_fields = validate_contexts(schema)
    checker = _Checker(schema)
    checker.used_externals |= context_fields
    return checker.run() + context_errors + validate_cost(schema) + validate_access_control(schema)


def validate_subgraphs(schemas: list[SubgraphSchema]) -> list[CompositionError]:
    """Checks that need every subgraph: type extensions must have a base somewhere."""
    errors: list[CompositionError] = []

    def extension(s: SubgraphSchema, t: TypeDef) -> bool:
        # Federation 1 counts `@extends` as an extension too; federation 2 only `extend`.
        return t.extension if s.is_fed1 else t.only_extend_keyword

    defined = {n for s in schemas for n, t in s.types.items() if not extension(s, t)}
    for s in schemas:
        for name, t in s.types.items():
            if extension(s, t) and name not in defined and name not in _ROOTS:
                errors.append(
                    CompositionError(
                        "EXTENSION_WITH_NO_BASE",
                        f'[{s.name}] Type "{name}" is an extension type, but there is no type '
                        f'definition for "{name}" in any subgraph.',
                        (s.name,),
                        (name,),
                    )
                )
    return errors
