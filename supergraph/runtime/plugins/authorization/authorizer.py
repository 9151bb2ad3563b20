"""The per-gateway entry point: requirements, caches and the policy evaluator, used once per
request before planning (`authorize`) and once after execution (`complete`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
)

from ..authentication import Identity
from .completion import (
    BUBBLE,
    Completer,
)
from .filter import (
    Filter,
    Filtered,
    PossibleTypes,
    filtered_text,
)
from .reporting import (
    AUTHORIZATION_MODES,
    AuthorizationMode,
    ErrorReporting,
    PolicyEvaluator,
)
from .requirements import (
    Mentioned,
    Outcome,
    Requirements,
)

log = logging.getLogger(__package__)  # one logger for the whole authorization package


class Authorizer:
    """Filters operations for one supergraph; caches analyses and filter results. `mode`
    says what the gateway does with a verdict (see the module docstring)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        requirements: Requirements,
        policy_evaluator: PolicyEvaluator | None = None,
        cache_size: int = 2000,
        mode: AuthorizationMode = "filter",
        reporting: ErrorReporting | None = None,
    ) -> None:
        if mode not in AUTHORIZATION_MODES:
            raise ValueError(f"authorization mode {mode!r}: expected one of {AUTHORIZATION_MODES}")
        self.schema = schema
        self.requirements = requirements
        self.policy_evaluator = policy_evaluator
        self.mode: AuthorizationMode = mode
        self.reporting = reporting or ErrorReporting()
        self.cache_size = cache_size
        self._mentions: OrderedDict[tuple[object, ...], Mentioned | None] = OrderedDict()
        self._filtered: OrderedDict[tuple[object, ...], Filtered] = OrderedDict()
        self._possible_types = PossibleTypes(schema)

    @classmethod
    def for_supergraph(
        cls,
        supergraph_sdl: str,
        api_schema: GraphQLSchema,
        policy_evaluator: PolicyEvaluator | None = None,
        mode: AuthorizationMode = "filter",
        reporting: ErrorReporting | None = None,
    ) -> Authorizer | None:
        """An authorizer when the supergraph links a security spec, else None."""
        if mode not in AUTHORIZATION_MODES:
            raise ValueError(f"authorization mode {mode!r}: expected one of {AUTHORIZATION_MODES}")
        requirements = Requirements.from_supergraph(supergraph_sdl)
        if requirements is None or not (requirements.types or requirements.fields):
            return None
        return cls(api_schema, requirements, policy_evaluator, mode=mode, reporting=reporting)

    def authorize(
        self,
        document: str | DocumentNode,
        operation_name: str | None,
        identity: Identity,
        headers: Mapping[str, str] | None = None,
    ) -> Filtered | None:
        """The operation filtered for `identity`, or None when nothing must be removed.
        `document` must already have passed validation."""
        doc_key: object = document if isinstance(document, str) else id(document)
        mentioned = self._cached(
            self._mentions,
            (doc_key, operation_name),
            lambda: self._mentioned(document, operation_name),
        )
        if mentioned is None:
            return None
        outcome = Outcome(
            identity.authenticated if mentioned.authenticated else False,
            identity.scopes & frozenset(mentioned.scopes),
            frozenset(
                p for p in sorted(mentioned.policies) if self._grants(p, identity, headers or {})
            ),
        )
        return self._cached(
            self._filtered,
            (doc_key, operation_name, outcome),
            lambda: self._filter(document, operation_name, outcome),
        )

    def complete(
        self,
        data: dict[str, Any] | None,
        filtered: Filtered,
        variables: Mapping[str, Any],
        initial_payload: bool = False,
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """`data` with null at every removed field (null propagation applied), and the
        `UNAUTHORIZED_FIELD_OR_TYPE` errors, in response order. `initial_payload`: the
        first payload of a response with active `@defer`s, without the deferred fields."""
        if data is None:
            return None, []
        completer = Completer(variables, self._possible_types, initial_payload)
        result = completer.object(data, filtered.level)
        return (None if result is BUBBLE else result), completer.errors  # type: ignore[return-value]

    # ---- internals ----

    def _cached(self, cache: OrderedDict, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        value = make()
        cache[key] = value
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return value

    def _grants(self, policy: str, identity: Identity, headers: Mapping[str, str]) -> bool:
        if self.policy_evaluator is None:
            return False
        try:
            return self.policy_evaluator(policy, identity, headers) is True
        except Exception:
            log.exception("policy evaluator failed for %r; denying", policy)
            return False

    def _operation(
        self, document: str | DocumentNode, operation_name: str | None
    ) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
        doc = parse(document) if isinstance(document, str) else document
        op = get_operation_ast(doc, operation_name)
        assert op is not None, "the document passed validation"
        fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return op, fragments

    def _mentioned(
        self, document: str | DocumentNode, operation_name: str | None
    ) -> Mentioned | None:
        op, fragments = self._operation(document, operation_name)
        mentioned = Mentioned()
        Filter(
            self.schema, self.requirements, mentioned, fragments, self._possible_types
        ).operation(op)
        return None if mentioned.empty else mentioned

    def _filter(
        self, document: str | DocumentNode, operation_name: str | None, outcome: Outcome
    ) -> Filtered | None:
        op, fragments = self._operation(document, operation_name)
        selection_set, level = Filter(
            self.schema, self.requirements, outcome, fragments, self._possible_types
        ).operation(op)
        if not level.touched:
            return None
        if not selection_set.selections:
            return Filtered(None, level)
        return Filtered(filtered_text(op, selection_set), level)
