"""Demand control: reject an operation whose estimated cost is over a budget, before any
subgraph is called.

The estimate follows Apollo Router's `static_estimated` strategy (the IBM cost directive
spec, linked in supergraphs as `https://specs.apollo.dev/cost/v0.1`), scored over the
client's operation on the supergraph, `@requires` selections included:

- a mutation starts at 10, a query at 0;
- a field costs `instances * (type cost + its selections) + arguments + @requires`;
  its type cost is its `@cost(weight:)`, else its named type's `@cost`, else 1 for an
  object, interface or union and 0 for a scalar or enum;
- a list field has `max(slicing argument values)` instances (query literals or variables,
  else the arguments' defaults), else `@listSize(assumedSize:)`, else the configured
  default list size; the fields a parent's `sizedFields` names take the parent's size;
  `requireOneSlicingArgument` (true by default) makes anything but exactly one slicing
  argument an error (`COST_QUERY_PARSE_FAILURE`);
- an argument or input field costs its `@cost` (or its type's), an input object 1 plus its
  fields, a list its items, null nothing; `__typename` and introspection are free; fields
  skipped by `@skip`/`@include` are free.

`implicit_slicing` (not in Router; empty unless configured, set by the gateway's safe default):
a field without `@listSize` that has one of these integer arguments (e.g. `first`, `last`)
given in the operation is sized by it as if it had `@listSize(slicingArguments: [...],
requireOneSlicingArgument: false)`, and when it is not a list itself (a Relay connection),
the list fields directly below it (`edges`, `nodes`) take that size.

Estimates of operations without variables are cached per (document hash, operation name),
like plans; with variables the parse is walked again, as slicing values may differ.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    parse,
    value_from_ast_untyped,
)
from graphql.language import ast as gast

from ..supergraph_schema import Supergraph, read_links

ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
QUERY_PARSE_FAILURE = "COST_QUERY_PARSE_FAILURE"
DEFAULT_LIST_SIZE = 10
MUTATION_COST = 10.0
# the gateway's safe default budget (see the README's "Safe defaults")
DEFAULT_MAX_COST = 50_000.0
DEFAULT_IMPLICIT_SLICING = ("first", "last")


@dataclass(frozen=True)
class DemandControl:
    """The budget: operations estimated above `max_cost` are refused. `list_size` is the
    number of items assumed for a list field without `@listSize` (Apollo's `list_size`)."""

    max_cost: float
    list_size: int = DEFAULT_LIST_SIZE
    implicit_slicing: tuple[str, ...] = ()

    @classmethod
    def safe_default(cls) -> DemandControl:
        """The budget a gateway has unless told otherwise."""
        return cls(DEFAULT_MAX_COST, DEFAULT_LIST_SIZE, DEFAULT_IMPLICIT_SLICING)

    def __post_init__(self) -> None:
        if self.max_cost < 0:
            raise ValueError(f"the maximum cost must be 0 or more, got {self.max_cost}")
        if self.list_size < 0:
            raise ValueError(f"the default list size must be 0 or more, got {self.list_size}")


class CostError(Exception):
    """The operation cannot be costed (e.g. `requireOneSlicingArgument` is not met)."""


@dataclass(frozen=True)
class _Input:
    """An argument or input field: its named type and `@cost` weight (its own or its type's)."""

    type_name: str
    weight: float | None


@dataclass(frozen=True)
class _ListSize:
    """`@listSize` on a field definition."""

    assumed: int | None
    slicing: tuple[str, ...] | None
    sized_fields: frozenset[str]
    require_one: bool


@dataclass(frozen=True)
class _Field:
    """What the estimate needs of one output field definition."""

    type_name: str
    composite: bool
    is_list: bool
    weight: float | None
    list_size: _ListSize | None
    slicing_defaults: tuple[tuple[str, int], ...]
    requires: SelectionSetNode | None
    args: Mapping[str, _Input]


@dataclass(frozen=True)
class _Size:
    """A `@listSize` bound to one selection: the expected size and the fields it sizes."""

    expected: int | None
    sized_fields: frozenset[str]

    def of(self, field_name: str) -> int | None:
        return self.expected if field_name in self.sized_fields else None


class CostSchema:
    """The cost-relevant facts of one supergraph, read once at start."""

    def __init__(self, supergraph_sdl: str, supergraph: Supergraph) -> None:
        schema = supergraph.schema
        cost_name, list_size_name = _directive_names(parse(supergraph_sdl, no_location=True))
        self.schema: GraphQLSchema = schema
        self.fields: dict[tuple[str, str], _Field] = {}
        # per object or interface type, its list fields (implicit slicing sizes them)
        self.list_fields: dict[str, frozenset[str]] = {}
        self.inputs: dict[tuple[str, str], _Input] = {}
        self.input_objects: frozenset[str] = frozenset(
            n for n, t in schema.type_map.items() if isinstance(t, GraphQLInputObjectType)
        )
        type_weights: dict[str, float] = {}
        for name, t in schema.type_map.items():
            weight = _weight(getattr(t, "ast_node", None), cost_name)
            if weight is not None:
                type_weights[name] = weight

        def input_of(arg: Any) -> _Input:
            named = get_named_type(arg.type).name
            own = _weight(arg.ast_node, cost_name)
            return _Input(named, own if own is not None else type_weights.get(named))

        for name, t in schema.type_map.items():
            if name.startswith("__"):
                continue
            if isinstance(t, GraphQLInputObjectType):
                for fname, f in t.fields.items():
                    self.inputs[(name, fname)] = input_of(f)
            if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for fname, f in t.fields.items():
                named = get_named_type(f.type)
                own = _weight(f.ast_node, cost_name)
                list_size = _list_size(f.ast_node, list_size_name)
                defaults: list[tuple[str, int]] = []
                slicing = list_size.slicing if list_size is not None else None
                for aname in slicing or ():
                    arg = f.args.get(aname)
                    if arg is not None and arg.ast_node and arg.ast_node.default_value:
                        value = value_from_ast_untyped(arg.ast_node.default_value)
                        if isinstance(value, int) and not isinstance(value, bool):
                            defaults.append((aname, value))
                requires = next(
                    (
                        g.requires
                        for g in supergraph.fields.get((name, fname), {}).values()
                        if g.requires is not None
                    ),
                    None,
                )
                field_type = f.type.of_type if isinstance(f.type, GraphQLNonNull) else f.type
                self.fields[(name, fname)] = _Field(
                    type_name=named.name,
                    composite=isinstance(
                        named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
                    ),
                    is_list=isinstance(field_type, GraphQLList),
                    weight=own if own is not None else type_weights.get(named.name),
                    list_size=list_size,
                    slicing_defaults=tuple(defaults),
                    requires=requires,
                    args={a: input_of(arg) for a, arg in f.args.items()},
                )
            self.list_fields[name] = frozenset(
                n for n in t.fields if self.fields[(name, n)].is_list
            )


@dataclass(frozen=True)
class _Prepared:
    """A parsed operation ready to be scored; `constant` once known without variables."""

    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    constant: float | None


class CostEstimator:
    """Scores operations against one supergraph and enforces a `DemandControl` budget."""

    def __init__(
        self,
        config: DemandControl,
        supergraph_sdl: str,
        supergraph: Supergraph,
        cache_size: int = 2000,
    ) -> None:
        self.config = config
        self.costs = CostSchema(supergraph_sdl, supergraph)
        # documents parsed here (`estimate` without `parsed`), by text hash: a small cache,
        # as the gateway passes its own parse; estimates without variables, by text hash
        self._cache: OrderedDict[tuple[bytes, str | None], _Prepared] = OrderedDict()
        self._constants: OrderedDict[tuple[bytes, str | None], float] = OrderedDict()
        self._cache_size = cache_size

    def estimate(
        self,
        document: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        parsed: tuple[OperationDefinitionNode, Mapping[str, FragmentDefinitionNode]] | None = None,
    ) -> float:
        """The estimated cost of a valid operation; `variables` as coerced (defaults in).
        `parsed`: the operation and its fragments when the caller has them (then only the
        estimate is cached, not a parse). Raises `CostError` when the operation breaks a
        `@listSize` rule."""
        if parsed is None:
            prepared = self._prepared(document, operation_name)
            if prepared.constant is not None:
                return prepared.constant
            return _Scorer(self, prepared.fragments, variables).operation(prepared.operation)
        operation, fragments = parsed
        if operation.variable_definitions:
            return _Scorer(self, fragments, variables).operation(operation)
        key = (_digest(document), operation_name)
        found = self._constants.get(key)
        if found is not None:
            self._constants.move_to_end(key)
            return found
        cost = _Scorer(self, fragments, {}).operation(operation)
        self._constants[key] = cost
        if len(self._constants) > self._cache_size:
            self._constants.popitem(last=False)
        return cost

    def check(
        self,
        document: str,
        operation_name: str | None,
        variables: Mapping[str, Any],
        parsed: tuple[OperationDefinitionNode, Mapping[str, FragmentDefinitionNode]] | None = None,
    ) -> tuple[float | None, dict[str, Any] | None]:
        """(estimate, None) within budget, else (estimate or None, the GraphQL error)."""
        limit = _number(self.config.max_cost)
        try:
            cost = self.estimate(document, operation_name, variables, parsed)
        except CostError as exc:
            message = f"The operation's cost cannot be estimated: {exc}"
            return None, {"message": message, "extensions": {"code": QUERY_PARSE_FAILURE}}
        if cost <= self.config.max_cost:
            return cost, None
        message = (
            f"The operation's estimated cost {_number(cost)} exceeds the maximum of {limit}; "
            "select fewer fields or ask for fewer list items (smaller slicing arguments such "
            "as `first`)."
        )
        extensions = {
            "code": ESTIMATED_TOO_EXPENSIVE,
            "cost.estimated": _number(cost),
            "cost.max": limit,
        }
        return cost, {"message": message, "extensions": extensions}

    def extension(self, cost: float) -> dict[str, float | int]:
        """`extensions.cost` of a response (with the query-plan debug header)."""
        return {"estimated": _number(cost), "max": _number(self.config.max_cost)}

    def _prepared(self, document: str, operation_name: str | None) -> _Prepared:
        key = (_digest(document), operation_name)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        doc: DocumentNode = parse(document, no_location=True)
        operation = get_operation_ast(doc, operation_name)
        if operation is None:
            raise CostError(f"no operation named {operation_name!r}")
        fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
        }
        constant = None
        if not operation.variable_definitions:
            constant = _Scorer(self, fragments, {}).operation(operation)
        prepared = _Prepared(operation, fragments, constant)
        self._cache[key] = prepared
        if len(self._cache) > min(self._cache_size, 64):
            self._cache.popitem(last=False)
        return prepared


class _Scorer:
    """One walk over an operation with one request's variables."""

    def __init__(
        self,
        estimator: CostEstimator,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.costs = estimator.costs
        self.list_size = estimator.config.list_size
        self.implicit = frozenset(estimator.config.implicit_slicing)
        self.fragments = fragments
        self.variables = dict(variables)

    def operation(self, operation: OperationDefinitionNode) -> float:
        schema = self.costs.schema
        kind = operation.operation.value
        root = {
            "query": schema.query_type,
            "mutation": schema.mutation_type,
            "subscription": schema.subscription_type,
        }[kind]
        if root is None:
            raise CostError(f"the supergraph has no {kind} type")
        base = MUTATION_COST if kind == "mutation" else 0.0
        return base + self.selections(operation.selection_set, root.name, None)

    def selections(self, selection_set: SelectionSetNode, parent: str, size: _Size | None) -> float:
        total = 0.0
        for s in selection_set.selections:
            if self.skipped(s):
                continue
            if isinstance(s, FieldNode):
                upstream = size.of(s.name.value) if size is not None else None
                total += self.field(s, parent, upstream)
            elif isinstance(s, InlineFragmentNode):
                condition = s.type_condition.name.value if s.type_condition else parent
                total += self.selections(s.selection_set, condition, size)
            elif isinstance(s, FragmentSpreadNode):
                fragment = self.fragments.get(s.name.value)
                if fragment is not None:
                    condition = fragment.type_condition.name.value
                    total += self.selections(fragment.selection_set, condition, size)
        return total

    def field(self, node: FieldNode, parent: str, upstream: int | None) -> float:
        name = node.name.value
        definition = self.costs.fields.get((parent, name))
        if name.startswith("__") or definition is None:
            return 0.0  # __typename and introspection; anything else failed validation
        size: _Size | None
        if definition.list_size:
            size = self.bound_size(definition, node)
        else:
            size = self.implicit_size(definition, node)
        if not definition.is_list:
            count = 1
        elif upstream is not None:
            count = upstream
        elif size is not None and size.expected is not None:
            count = size.expected
        else:
            count = self.list_size
        type_cost = definition.weight
        if type_cost is None:
            type_cost = 1.0 if definition.composite else 0.0
        if node.selection_set is not None:
            type_cost += self.selections(node.selection_set, definition.type_name, size)
        arguments = 0.0
        for argument in node.arguments or ():
            input_def = definition.args.get(argument.name.value)
            if input_def is not None:
                arguments += self.literal(argument.value, input_def)
        requirements = 0.0
        if definition.requires is not None:
            requirements = self.selections(definition.requires, parent, size)
        return max(count, 0) * type_cost + arguments + requirements

    def implicit_size(self, definition: _Field, node: FieldNode) -> _Size | None:
        """`implicit_slicing`: the size the field's slicing-like arguments give, if any."""
        if not self.implicit or not node.arguments:
            return None
        values: list[int] = []
        for argument in node.arguments:
            if argument.name.value not in self.implicit:
                continue
            value: Any = argument.value
            if isinstance(value, VariableNode):
                value = self.variables.get(value.name.value)
            elif isinstance(value, gast.IntValueNode):
                value = int(value.value)
            if isinstance(value, int) and not isinstance(value, bool):
                values.append(value)
        if not values:
            return None
        sized = (
            frozenset()
            if definition.is_list
            else self.costs.list_fields.get(definition.type_name, frozenset())
        )
        return _Size(max(values), sized)

    def bound_size(self, definition: _Field, node: FieldNode) -> _Size:
        rule = definition.list_size
        assert rule is not None
        values: dict[str, int] = {}
        if rule.slicing is not None:
            values.update(definition.slicing_defaults)
            for argument in node.arguments or ():
                if argument.name.value not in rule.slicing:
                    continue
                value: Any = argument.value
                if isinstance(value, VariableNode):
                    value = self.variables.get(value.name.value)
                elif isinstance(value, gast.IntValueNode):
                    value = int(value.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    values[argument.name.value] = value
            if rule.require_one and len(values) != 1:
                raise CostError(
                    f'field "{node.name.value}" needs exactly one of its slicing arguments '
                    f"({', '.join(rule.slicing)}), but {len(values)} were given"
                )
        expected = max(values.values()) if values else rule.assumed
        return _Size(expected, rule.sized_fields)

    def literal(self, value: ValueNode, input_def: _Input) -> float:
        if isinstance(value, VariableNode):
            name = value.name.value
            return self.data(self.variables[name], input_def) if name in self.variables else 0.0
        if isinstance(value, NullValueNode):
            return 0.0
        if isinstance(value, ObjectValueNode) and input_def.type_name in self.costs.input_objects:
            total = input_def.weight if input_def.weight is not None else 1.0
            for f in value.fields:
                inner = self.costs.inputs.get((input_def.type_name, f.name.value))
                if inner is not None:
                    total += self.literal(f.value, inner)
            return total
        if isinstance(value, ListValueNode):
            total = input_def.weight or 0.0
            return total + sum(self.literal(v, input_def) for v in value.values)
        return input_def.weight or 0.0

    def data(self, value: Any, input_def: _Input) -> float:
        """Like `literal`, for a variable's (coerced) value."""
        if value is None:
            return 0.0
        if isinstance(value, Mapping) and input_def.type_name in self.costs.input_objects:
            total = input_def.weight if input_def.weight is not None else 1.0
            for fname, fvalue in value.items():
                inner = self.costs.inputs.get((input_def.type_name, fname))
                if inner is not None:
                    total += self.data(fvalue, inner)
            return total
        if isinstance(value, list):
            total = input_def.weight or 0.0
            return total + sum(self.data(v, input_def) for v in value)
        return input_def.weight or 0.0

    def skipped(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a.value for a in directive.arguments if a.name.value == "if"), None)
            if isinstance(condition, VariableNode):
                value = self.variables.get(condition.name.value)
            elif isinstance(condition, gast.BooleanValueNode):
                value = condition.value
            else:
                continue
            if value is (name == "skip"):
                return True
        return False


def _digest(document: str) -> bytes:
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).digest()


def _directive_names(doc: DocumentNode) -> tuple[str | None, str | None]:
    """Names of `@cost` and `@listSize` in this supergraph (`as:` and import renames)."""
    for link in read_links(doc):
        if link.spec == "cost":
            return link.directive_name("cost"), link.directive_name("listSize")
    return None, None


def _directive_args(node: Any, name: str | None) -> dict[str, Any] | None:
    if name is None or node is None:
        return None
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == name:
            return {
                a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()
            }
    return None


def _weight(node: Any, cost_name: str | None) -> float | None:
    args = _directive_args(node, cost_name)
    if args is None:
        return None
    weight: Any = args.get("weight")  # Int in cost v0.1; a numeric String later on
    try:
        return float(weight)
    except (TypeError, ValueError):
        return None


def _list_size(node: Any, list_size_name: str | None) -> _ListSize | None:
    args = _directive_args(node, list_size_name)
    if args is None:
        return None
    assumed = args.get("assumedSize")
    slicing = args.get("slicingArguments")
    sized = args.get("sizedFields")
    return _ListSize(
        assumed=assumed if isinstance(assumed, int) else None,
        slicing=tuple(str(s) for s in slicing) if isinstance(slicing, list) and slicing else None,
        sized_fields=frozenset(str(s) for s in sized) if isinstance(sized, list) else frozenset(),
        require_one=args.get("requireOneSlicingArgument", True) is not False,
    )


def _number(value: float) -> float | int:
    """Whole costs print as integers (`120`, not `120.0`)."""
    return int(value) if float(value).is_integer() else value
