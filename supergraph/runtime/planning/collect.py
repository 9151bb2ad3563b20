"""Collect the client's selection per concrete runtime type: fragments inlined, `@skip`
and `@include` kept as conditions, `@defer` marks kept, and the fields the planner adds
itself (keys, `@requires`) collected the same way.
"""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
    print_ast,
)

from . import defer_directives as defer_directive
from .fields import (
    CField,
    PlanningError,
    cond_and,
    cond_or,
    directive_cond,
)
from .lookups import PlannerBase
from .response_shape import ALWAYS, Cond


class Collector(PlannerBase):
    """Selection collection; see `Planner`."""

    def collect(
        self, selection_set: SelectionSetNode, parent: str, internal: bool = False
    ) -> dict[str, list[CField]]:
        out: dict[str, dict[str, CField]] = {}
        for concrete in self._possible(parent, api=not internal):
            self._collect_into(
                selection_set, concrete, ALWAYS, out.setdefault(concrete, {}), internal
            )
        result: dict[str, list[CField]] = {}
        for concrete, fields in out.items():
            for f in fields.values():
                self._collect_sub(f, concrete, internal)
            result[concrete] = list(fields.values())
        return result

    def _collect_into(
        self,
        sel_set: SelectionSetNode,
        concrete: str,
        cond: Cond,
        out: dict[str, CField],
        internal: bool,
        defer: int = 0,
    ) -> None:
        for sel in sel_set.selections:
            own = directive_cond(sel)  # type: ignore[arg-type]
            if own is None:
                continue
            c = cond_and(cond, own)
            d = defer
            if not isinstance(sel, FieldNode) and self.defers_off is not None and not internal:
                directive = defer_directive.active(sel, self.defers_off)
                if directive is not None:
                    d = self._defer_ids.get(id(sel), 0)
                    if not d:
                        d = self._defer_ids[id(sel)] = len(self._defer_ids) + 1
                        self.defer_info[d] = (sel, defer_directive.label(directive), defer)
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                existing = out.get(key)
                if existing is None:
                    out[key] = CField(
                        key,
                        sel.name.value,
                        sel,
                        c,
                        self._source_for(sel, concrete, internal),
                        [(sel, c)],
                        internal=internal,
                        occurrence_defers=[d],
                    )
                else:
                    existing.cond = cond_or(existing.cond, c)
                    existing.occurrences.append((sel, c))
                    existing.occurrence_defers.append(d)
            elif isinstance(sel, InlineFragmentNode):
                tc = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(tc, concrete):
                    self._collect_into(sel.selection_set, concrete, c, out, internal, d)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                if self._applies(frag.type_condition.name.value, concrete):
                    self._collect_into(frag.selection_set, concrete, c, out, internal, d)

    def _source_for(self, node: FieldNode, concrete: str, internal: bool) -> str:
        """Key of the field in merged data; client aliases that could collide with a real
        field name (or fields with arguments) get a gateway-private alias."""
        name = node.name.value
        key = node.alias.value if node.alias else name
        if internal and (node.arguments or self.sg.retyped(concrete, name)):
            # required fields with arguments: `price(currency: "USD")` and `price(currency:
            # "EUR")` must both reach their representations, so each gets its own alias;
            # so does a key typed differently by some subgraph (sibling fragments clash)
            args = ", ".join(print_ast(a) for a in node.arguments or ())
            signature = f"{concrete}.{name}({args})"
            alias = self._internal_aliases.get(signature)
            if alias is None:
                alias = self._internal_aliases[signature] = f"_r{len(self._internal_aliases) + 1}"
            return alias
        if internal or name.startswith("__"):
            return key
        t = self.schema.get_type(concrete)
        field_defs = getattr(t, "fields", {})
        declared = field_defs.get(name)
        plain = not node.arguments and (declared is None or not declared.args)
        # a field some subgraph types differently could clash with a same-named sibling in
        # another fragment of one subgraph query ("conflicting types ID! and ID")
        retyped = self.sg.retyped(concrete, name)
        if key == name and not retyped and (plain or name not in self.sg.field_set_names):
            return key
        if key != name and key not in field_defs and not retyped:
            return key
        self.alias_counter += 1
        source = f"_a{self.alias_counter}"
        self.source_to_key[source] = key
        return source

    def _collect_sub(self, f: CField, parent: str, internal: bool) -> None:
        if f.name.startswith("__"):
            return
        ftype = self._field_type(parent, f.name)
        if ftype is None:
            raise PlanningError(f"Cannot query field {f.name!r} on type {parent!r}.")
        named = get_named_type(ftype)
        if not is_composite_type(named):
            return
        per_type: dict[str, dict[str, CField]] = {}
        for (node, c), d in zip(f.occurrences, f.occurrence_defers, strict=True):
            if node.selection_set is None:
                continue
            rel = ALWAYS if c == f.cond else c
            for concrete in self._possible(named.name, api=not internal):
                self._collect_into(
                    node.selection_set,
                    concrete,
                    rel,
                    per_type.setdefault(concrete, {}),
                    internal,
                    d,
                )
        f.sub = {}
        for concrete, fields in per_type.items():
            for sub in fields.values():
                self._collect_sub(sub, concrete, internal)
            f.sub[concrete] = list(fields.values())

    def _internal_fields(self, sel: SelectionSetNode, type_name: str) -> list[CField]:
        ck = (id(sel), type_name)
        found = self._internal_cache.get(ck)
        if found is None:
            # collected on `type_name` itself, also when it is an interface (a key or a
            # required selection read on an `@interfaceObject` representation)
            out: dict[str, CField] = {}
            self._collect_into(sel, type_name, ALWAYS, out, True)
            for f in out.values():
                self._collect_sub(f, type_name, True)
            found = self._internal_cache[ck] = list(out.values())
        return found
