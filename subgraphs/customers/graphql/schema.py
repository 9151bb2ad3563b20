"""The customers subgraph on Ariadne: SDL-first, type defs in `customers.graphql`.

Written with Ariadne (not Strawberry) on purpose: the gateway must not care which
library a subgraph uses. Queries read the `CustomerView` projection only; mutations run
commands through `subgraphs.hosting.commands.execute` and answer once the projection has
caught up (read-your-writes), else from the write model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from ariadne import MutationType, QueryType, ScalarType
from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.contrib.federation import FederatedObjectType, make_federated_schema
from ariadne.exceptions import HttpBadRequestError
from graphql import GraphQLResolveInfo, GraphQLSchema
from starlette.requests import Request
from starlette.types import ASGIApp

from eventbus import DomainError, EventStore
from eventbus.projection import Projection
from subgraphs.customers.application import (
    AddressInput,
    ChangeAddress,
    CustomerHandlers,
    RegisterCustomer,
    UpdateContactDetails,
    check_id,
)
from subgraphs.customers.domain import Customer
from subgraphs.customers.graphql.views import from_view, from_write_model
from subgraphs.customers.projections import CustomerView, evolve
from subgraphs.hosting import history
from subgraphs.hosting.access import AccessRules
from subgraphs.hosting.commands import Executed, committed_payload, execute
from subgraphs.hosting.errors import ARIADNE_LOGGER, format_error
from subgraphs.hosting.history import history_sdl
from subgraphs.hosting.identity import GatewayIdentityGuard, IdentityVerifier, identity_of
from subgraphs.hosting.pagination import paginate

SEARCH_MAX = 100
PHONE_LIKE = re.compile(r"^\+?[0-9 ()./-]+$")
"""A search that looks like a phone number also matches its digits (phones are stored
normalised: `+49 30 55` finds `+493055...`)."""


def type_defs() -> str:
    """`customers.graphql` and the shared history types (`subgraphs.hosting.history`)."""
    own = files("subgraphs.customers.graphql").joinpath("customers.graphql").read_text()
    return f"{own}\n{history_sdl()}\n"


def _instant(raw: Any) -> datetime:
    """A representation's `asOf` (JSON text: the gateway passes the instant through)."""
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise DomainError(f"asOf {raw!r} is not an ISO-8601 instant", field="asOf") from None


async def _as_of(store: EventStore, customer_id: str, instant: datetime) -> dict[str, Any] | None:
    """The customer as they were at `instant`, replayed from their stream."""
    doc = await history.as_of(store, evolve, customer_id, instant)
    if doc is None:
        return None
    return {**from_view(doc), "asOf": instant.astimezone(UTC)}


def _address_input(raw: dict[str, Any]) -> AddressInput:
    return AddressInput(
        line1=raw["line1"],
        line2=raw.get("line2") or "",
        city=raw["city"],
        postal_code=raw["postalCode"],
        country=raw["country"],
    )


def search_filter(search: str | None) -> dict[str, Any]:
    """Case-insensitive substring match on name, email or phone (regex-escaped input)."""
    text = (search or "").strip()
    if not text:
        return {}
    if len(text) > SEARCH_MAX:
        raise DomainError(f"search is longer than {SEARCH_MAX} characters", field="search")
    pattern = {"$regex": re.escape(text), "$options": "i"}
    digits = re.sub(r"\D", "", text)
    clauses: list[dict[str, Any]] = [{"name": pattern}, {"email": pattern}, {"phone": pattern}]
    if digits and digits != text and PHONE_LIKE.match(text):
        clauses.append({"phone": {"$regex": re.escape(digits)}})
    return {"$or": clauses}


def build_schema(
    store: EventStore,
    projection: Projection | None = None,
    on_commit: Callable[[], None] | None = None,
) -> GraphQLSchema:
    handlers = CustomerHandlers(store)
    query = QueryType()
    mutation = MutationType()
    customer = FederatedObjectType("Customer")
    datetime_scalar = ScalarType("DateTime")

    @datetime_scalar.serializer
    def _serialize(value: datetime) -> str:
        return value.isoformat()

    @datetime_scalar.value_parser
    def _parse(value: str) -> datetime:
        return datetime.fromisoformat(value)

    async def answer(done: Executed[Customer]) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            if done.caught_up:
                doc = await CustomerView.get(done.value.id)
                if doc is not None:
                    return from_view(doc)
            return await from_write_model(done.value, store)

        return await committed_payload(done, read)  # a store down now: OUTCOME_UNKNOWN

    async def run(handler: Any, command: Any) -> dict[str, Any]:
        return await answer(
            await execute(handler, command, projection=projection, on_commit=on_commit)
        )

    @query.field("customer")
    async def resolve_customer(
        _: Any, info: GraphQLResolveInfo, id: str, asOf: datetime | None = None
    ) -> Any:
        customer_id = check_id(id)
        if asOf is not None:
            return await _as_of(store, customer_id, asOf)
        doc = await CustomerView.get(customer_id)
        return from_view(doc) if doc is not None else None

    @customer.field("history")
    async def resolve_history(
        obj: dict[str, Any],
        info: GraphQLResolveInfo,
        first: int | None = None,
        after: str | None = None,
    ) -> dict[str, Any]:
        page = await history.history_page(
            store, evolve, obj["id"], first=first, after=after, until=obj.get("asOf")
        )
        return history.history_dict(page)

    @query.field("customers")
    async def resolve_customers(
        _: Any,
        info: GraphQLResolveInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
    ) -> dict[str, Any]:
        page = await paginate(
            CustomerView,
            search_filter(search),
            order_by="sort_name",
            first=first,
            after=after,
            last=last,
            before=before,
        )
        nodes = [from_view(doc) for doc in page.items]
        return {
            "edges": [{"cursor": c, "node": n} for c, n in zip(page.cursors, nodes, strict=True)],
            "nodes": nodes,
            "pageInfo": {
                "hasNextPage": page.has_next_page,
                "hasPreviousPage": page.has_previous_page,
                "startCursor": page.start_cursor,
                "endCursor": page.end_cursor,
            },
            "totalCount": page.total_count,
        }

    @customer.reference_resolver
    async def resolve_reference(_: Any, info: GraphQLResolveInfo, ref: dict[str, Any]) -> Any:
        try:
            customer_id = check_id(str(ref.get("id")))
        except DomainError:
            return None
        if ref.get("asOf") is not None:
            return await _as_of(store, customer_id, _instant(ref["asOf"]))
        doc = await CustomerView.get(customer_id)
        return from_view(doc) if doc is not None else None

    @mutation.field("registerCustomer")
    async def resolve_register(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
        command = RegisterCustomer(
            customer_id=input.get("id"),
            name=input["name"],
            email=input["email"],
            phone=input["phone"],
            address=_address_input(input["address"]),
        )
        return await run(handlers.register, command)

    @mutation.field("updateCustomerContact")
    async def resolve_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
        command = UpdateContactDetails(
            customer_id=input["id"],
            name=input.get("name"),
            email=input.get("email"),
            phone=input.get("phone"),
        )
        return await run(handlers.update_contact_details, command)

    @mutation.field("changeCustomerAddress")
    async def resolve_change(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> Any:
        command = ChangeAddress(customer_id=input["id"], address=_address_input(input["address"]))
        return await run(handlers.change_address, command)

    return make_federated_schema(type_defs(), query, mutation, customer, datetime_scalar)


class _JsonOnly(GraphQLHTTPHandler):
    """POST bodies must be JSON: `multipart/form-data` (file uploads, which this subgraph
    has none of) is one of the content types a browser may send cross-site without a
    CORS preflight, so it is refused like every other such type."""

    async def extract_data_from_request(self, request: Request) -> Any:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method == "POST" and content_type != "application/json":
            raise HttpBadRequestError("Posted content must be of type application/json.")
        return await super().extract_data_from_request(request)


def _context(request: Any, _data: Any) -> dict[str, Any]:
    return {"request": request, "identity": identity_of(request)}


def build_app(
    store: EventStore,
    projection: Projection | None = None,
    on_commit: Callable[[], None] | None = None,
    *,
    identity: IdentityVerifier | None = None,
) -> ASGIApp:
    """The bare Ariadne ASGI app; errors go through the shared mapping (no traces).

    Only calls the gateway signed get in (`identity`, default: the JWKS the environment
    names); the SDL's own `@authenticated`/`@requiresScopes` are enforced on each one."""
    rules = AccessRules.from_sdl(sdl())
    app = GraphQL(
        build_schema(store, projection, on_commit),
        context_value=_context,
        error_formatter=format_error,
        logger=ARIADNE_LOGGER,
        debug=False,
        validation_rules=[] if rules.empty else [rules.rule()],
        http_handler=_JsonOnly(),
    )
    return GatewayIdentityGuard(app, identity or IdentityVerifier.from_env())


def sdl() -> str:
    """What `_service { sdl }` answers: the type defs without non-federation directives."""
    from ariadne.contrib.federation.utils import purge_schema_directives

    return purge_schema_directives(type_defs())
