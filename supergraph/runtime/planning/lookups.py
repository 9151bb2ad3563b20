"""What the supergraph says about one field in one subgraph: where it resolves, which
`@key` jumps reach it, what `@provides` and `@requires` change. The state every later
stage of planning (collect, cost, placement) reads.
"""

from __future__ import annotations

from graphql import (
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from ..supergraph_schema import Supergraph
from .fields import (
    EVENT,
    CField,
    Group,
    Level,
    merge_tree,
    provides_tree,
)


class PlannerBase:
    """Planner state and supergraph lookups; see `Planner`."""

    def __init__(
        self,
        supergraph: Supergraph,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        defers_off: frozenset[str] | None = None,
        override_labels: frozenset[str] = frozenset(),
    ) -> None:
        """`defers_off`: plan active `@defer`s (those not turned off by one of these false
        variables) as deferred fragments; None: every fragment inline. `override_labels`:
        the progressive override labels active for this request (fields labelled so are
        planned in the overriding subgraph, the others in the one overridden)."""
        self.sg = supergraph
        self.labels = override_labels
        self.schema = supergraph.schema
        self.api = supergraph.api_schema
        self.operation = operation
        self.fragments = fragments
        self.groups: list[Group] = []
        self.entity_groups: dict[tuple[object, ...], Group] = {}
        self.alias_counter = 0
        self.source_to_key: dict[str, str] = {}
        self._cost_cache: dict[tuple[object, ...], float] = {}
        self._internal_cache: dict[tuple[int, str], list[CField]] = {}
        self._provides_cache: dict[int, dict] = {}
        self.event_type = ""
        self.event_fields: frozenset[str] = frozenset()
        self._levels: list[Level] = []
        self._chain: list[tuple[str, str]] = []  # (parent type, field) down to this level
        self._internal_aliases: dict[str, str] = {}
        self._jump_depth = 0
        self._narrowed: dict[tuple[int, str], dict] = {}
        self.defers_off = defers_off if operation.operation.value != "subscription" else None
        # deferred fragment id -> (its selection node, label, enclosing fragment id)
        self.defer_info: dict[int, tuple[object, str | None, int]] = {}
        self._defer_ids: dict[int, int] = {}  # id() of the selection node -> fragment id
        self._waits: dict[int, set[int]] = {}
        self._defer_paths: dict[int, tuple[str, ...]] = {}

    def _possible(self, type_name: str, api: bool = True) -> list[str]:
        schema = self.api if api else self.schema
        t = schema.get_type(type_name)
        if isinstance(t, GraphQLObjectType):
            return [type_name]
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            found = [p.name for p in schema.get_possible_types(t)]
            # an interface with no implementation at all is only ever served by
            # `@interfaceObject`s: its own fields are all a client can read
            return found or ([type_name] if isinstance(t, GraphQLInterfaceType) else [])
        return []

    def _applies(self, type_condition: str | None, concrete: str) -> bool:
        if type_condition is None or type_condition == concrete:
            return True
        return concrete in self._possible(type_condition, api=False)

    def _field_type(self, parent: str, name: str) -> GraphQLOutputType | None:
        t = self.schema.get_type(parent)
        fields = getattr(t, "fields", None)
        if not fields or name not in fields:
            return None
        return fields[name].type

    def _requires(self, type_name: str, field_name: str, graph: str) -> SelectionSetNode | None:
        return self.sg.field_in_graph(type_name, field_name, graph).requires

    def _local(self, graph: str, type_name: str, f: CField, provided: dict | None) -> bool:
        if f.name.startswith("__"):
            return True
        if graph == EVENT:
            root = self._root_type()
            if root is not None and type_name == root.name:
                return True
            return type_name == self.event_type and f.name in self.event_fields
        if provided is not None and f.name in provided:
            return True
        if graph not in self.sg.resolvers(type_name, f.name, self.labels):
            return False
        return not self.sg.field_in_graph(type_name, f.name, graph).needs_representation

    def _jumps(self, graph: str, type_name: str, f: CField) -> list[tuple[str, str]]:
        """(graph, representation type) pairs an entity fetch could resolve `f` from."""
        out: list[tuple[str, str]] = []
        for g in self.sg.resolvers(type_name, f.name, self.labels):
            if g == graph and not self.sg.field_in_graph(type_name, f.name, g).needs_representation:
                continue
            tig = self.sg.graphs_of_type(type_name).get(g)
            if tig is not None and tig.resolvable_keys:
                out.append((g, type_name))
        t = self.schema.get_type(type_name)
        for iface in getattr(t, "interfaces", ()):
            for g, tig in self.sg.graphs_of_type(iface.name).items():
                if (
                    g != graph
                    and tig.is_interface_object
                    and tig.resolvable_keys
                    and g in self.sg.resolvers(iface.name, f.name, self.labels)
                ):
                    out.append((g, iface.name))
        return out

    def _provided_sub(
        self, graph: str, type_name: str, f: CField, provided: dict | None
    ) -> dict | None:
        provides = self.sg.field_in_graph(type_name, f.name, graph).provides
        if provides is not None:
            tree = self._provides_cache.get(id(provides))
            if tree is None:
                tree = self._provides_cache[id(provides)] = provides_tree(provides)
            return tree
        if provided is not None:
            sub = provided.get(f.name)
            return sub if isinstance(sub, dict) else None
        return None

    def _for_type(self, provided: dict | None, type_name: str) -> dict | None:
        """The part of a `@provides` tree that applies to objects of `type_name` (its
        `... on T` branches are kept apart so a union member never borrows another's)."""
        if provided is None or not any(isinstance(k, tuple) for k in provided):
            return provided
        ck = (id(provided), type_name)
        found = self._narrowed.get(ck)
        if found is None:
            found = {k: v for k, v in provided.items() if not isinstance(k, tuple)}
            for k, v in provided.items():
                if isinstance(k, tuple) and self._applies(k[1], type_name):
                    merge_tree(found, v)
            self._narrowed[ck] = found
        return found

    def _sub_types(self, graph: str, parent: str, f: CField) -> list[tuple[str, list[CField]]]:
        """Concrete types of `f`'s value that `graph` can return."""
        assert f.sub is not None
        if graph == EVENT:
            return [(t, fields) for t, fields in f.sub.items() if t == self.event_type]
        own_type = self.sg.field_in_graph(parent, f.name, graph).type
        if own_type is not None:  # the subgraph's own (narrower) type for this field
            static = own_type.replace("[", "").replace("]", "").replace("!", "")
        else:
            ftype = self._field_type(parent, f.name)
            static = get_named_type(ftype).name if ftype is not None else ""
        if isinstance(self.schema.get_type(static), GraphQLObjectType):
            return [(t, fields) for t, fields in f.sub.items() if t == static]
        return [
            (t, fields)
            for t, fields in f.sub.items()
            if (graph in self.sg.graphs_of_type(t) and self.sg.member_in(static, t, graph))
            or self._via_interface_object(graph, t)
        ]

    def _via_interface_object(self, graph: str, type_name: str) -> bool:
        t = self.schema.get_type(type_name)
        return any(
            (tig := self.sg.graphs_of_type(i.name).get(graph)) is not None
            and tig.is_interface_object
            for i in getattr(t, "interfaces", ())
        )

    def _root_type(self) -> GraphQLObjectType | None:
        kind = self.operation.operation.value
        return {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[kind]

    def _object_valued(self, parent: str, f: CField) -> bool:
        """Whether `f` returns an object type: only then do two subgraphs' answers for it
        describe the same object (a shared value), so parts of it may come from each."""
        ftype = self._field_type(parent, f.name)
        return ftype is not None and isinstance(get_named_type(ftype), GraphQLObjectType)
