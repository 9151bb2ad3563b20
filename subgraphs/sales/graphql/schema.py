"""The sales subgraph: shifts, sales, receipts, returns and promotions at the shop floor.

Reading sales, shifts, receipts and returns needs `orders:read` ("orders and sales" in
docs/access.md's matrix: every role has it); promotions are for any signed-in member.
Every mutation needs `sales:write` except creating a promotion (`prices:write`) and a
return without a receipt (`refunds:write`). Approvals past a rule (a discount past the
store's threshold, voiding a paid sale, a return past the window) are the caller's own
scopes: the supervisor signs in at the till (`signInWithPin`) and the till sends that
one command with the supervisor's token (see README). The SDL carries the directives for
the gateway and each resolver checks the same again (`caller`).

Every refusal carries `extensions.code` and `extensions.reason` (`ReasonOnEveryError`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import strawberry
from strawberry import federation
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from eventbus.time_travel import check_instant
from subgraphs.hosting import history
from subgraphs.hosting.connection import Connection, connection_from_page
from subgraphs.hosting.money import Money
from subgraphs.hosting.pagination import paginate
from subgraphs.hosting.schema import SubgraphSchema, runtime_of
from subgraphs.sales.domain import promotion_id
from subgraphs.sales.domain.events import ReturnProcessed
from subgraphs.sales.domain.promotions import parse_code
from subgraphs.sales.graphql.caller import READ, require_caller, require_scope
from subgraphs.sales.graphql.live import Subscription
from subgraphs.sales.graphql.mutations import Mutation
from subgraphs.sales.graphql.runtime import SalesRuntime
from subgraphs.sales.graphql.sale_types import Receipt, Sale, SaleStatus, sale_as_of
from subgraphs.sales.graphql.types import Promotion, SaleReturn, Shift, ShiftState
from subgraphs.sales.graphql.views import (
    receipt_number_of,
    shift_as_of,
    shift_from_view,
    text_arg,
)
from subgraphs.sales.projections import (
    PromotionView,
    ReturnView,
    SaleView,
    ShiftView,
    promotion_of,
)

PARKED_MAX = 100


def _runtime(info: Info) -> SalesRuntime:
    return runtime_of(info, SalesRuntime)


def _where(**given: str | None) -> dict[str, Any]:
    return {k: text_arg(v, k) for k, v in given.items() if v is not None}


@strawberry.type
class Query:
    @federation.field(requires_scopes=[[READ]])
    async def sale(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Sale | None:
        require_scope(info, READ)
        if as_of is not None:
            return await sale_as_of(info, text_arg(id, "id"), check_instant(as_of))
        view = await SaleView.get(text_arg(id, "id"))
        return Sale.from_view(view) if view else None

    @federation.field(requires_scopes=[[READ]], description="A completed sale by its receipt.")
    async def sale_by_receipt(self, info: Info, number: str) -> Sale | None:
        require_scope(info, READ)
        view = await SaleView.find_one({"receipt_number": receipt_number_of(number)})
        return Sale.from_view(view) if view else None

    @federation.field(
        requires_scopes=[[READ]],
        description="Sales, newest first, at a register, a store or on a shift (any "
        "combination); `status` filters.",
    )
    async def sales(
        self,
        info: Info,
        register_id: strawberry.ID | None = None,
        store_id: strawberry.ID | None = None,
        shift_id: strawberry.ID | None = None,
        status: SaleStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Sale]:
        require_scope(info, READ)
        filters = _where(register_id=register_id, store_id=store_id, shift_id=shift_id)
        if status is not None:
            filters["status"] = status.value
        page = await paginate(
            SaleView,
            filters,
            order_by="started_key",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=True,
        )
        return connection_from_page(page.map(Sale.from_view))

    @federation.field(
        requires_scopes=[[READ]],
        description="Sales parked at a register (oldest first), to resume one.",
    )
    async def parked_sales(self, info: Info, register_id: strawberry.ID) -> list[Sale]:
        require_scope(info, READ)
        views = (
            await SaleView.find(
                {"register_id": text_arg(register_id, "registerId"), "status": "PARKED"}
            )
            .sort("started_key")
            .limit(PARKED_MAX)
            .to_list()
        )
        return [Sale.from_view(view) for view in views]

    @federation.field(
        requires_scopes=[[READ]], description="The register's open shift; null: none open."
    )
    async def open_shift(self, info: Info, register_id: strawberry.ID) -> Shift | None:
        require_scope(info, READ)
        view = await ShiftView.find_one(
            {"register_id": text_arg(register_id, "registerId"), "status": "OPEN"}
        )
        return shift_from_view(view) if view else None

    @federation.field(requires_scopes=[[READ]])
    async def shift(
        self, info: Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Shift | None:
        require_scope(info, READ)
        if as_of is not None:
            store = history.store_of(info)
            return await shift_as_of(store, text_arg(id, "id"), check_instant(as_of))
        view = await ShiftView.get(text_arg(id, "id"))
        return shift_from_view(view) if view else None

    @federation.field(
        requires_scopes=[[READ]],
        description="Shifts, newest first, of a register or a store; `status` filters.",
    )
    async def shifts(
        self,
        info: Info,
        register_id: strawberry.ID | None = None,
        store_id: strawberry.ID | None = None,
        status: ShiftState | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Shift]:
        require_scope(info, READ)
        filters = _where(register_id=register_id, store_id=store_id)
        if status is not None:
            filters["status"] = status.value
        page = await paginate(
            ShiftView,
            filters,
            order_by="opened_key",
            first=first,
            after=after,
            last=last,
            before=before,
            descending=True,
        )
        return connection_from_page(page.map(shift_from_view))

    @federation.field(
        requires_scopes=[[READ]],
        description="A receipt by its number: text for 80 mm printers and HTML; a "
        "reprint (`copy`, the default) is marked COPY.",
    )
    async def receipt(self, info: Info, number: str, copy: bool = True) -> Receipt | None:
        require_scope(info, READ)
        view = await SaleView.find_one({"receipt_number": receipt_number_of(number)})
        if view is None:
            return None
        return await Sale.from_view(view).receipt(info, copy=copy)

    @federation.field(requires_scopes=[[READ]], description="A processed return.")
    async def sale_return(self, info: Info, id: strawberry.ID) -> SaleReturn | None:
        require_scope(info, READ)
        view = await ReturnView.get(text_arg(id, "id"))
        return SaleReturn.of(ReturnProcessed.model_validate(view.data)) if view else None

    @federation.field(
        requires_scopes=[[READ]], description="The returns of one sale, oldest first."
    )
    async def returns_of_sale(self, info: Info, sale_id: strawberry.ID) -> list[SaleReturn]:
        require_scope(info, READ)
        views = await ReturnView.find({"sale_id": text_arg(sale_id, "saleId")}).sort("at").to_list()
        return [SaleReturn.of(ReturnProcessed.model_validate(v.data)) for v in views]

    @federation.field(authenticated=True, description="A promotion by its code.")
    async def promotion(self, info: Info, code: str) -> Promotion | None:
        require_caller(info)
        view = await PromotionView.get(promotion_id(parse_code(code)))
        return Promotion.from_aggregate(promotion_of(view)) if view else None

    @federation.field(authenticated=True, description="Every promotion, by code.")
    async def promotions(self, info: Info) -> list[Promotion]:
        require_caller(info)
        views = await PromotionView.find_all().sort("code").to_list()
        return [Promotion.from_aggregate(promotion_of(view)) for view in views]


class ReasonOnEveryError(SchemaExtension):
    """`extensions.reason` on every error a till can branch on: the domain's own reason,
    else the code (UNAUTHENTICATED, FORBIDDEN from the access check, a bad page size)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            extensions = error.extensions if error.extensions is not None else {}
            code = extensions.get("code")
            if isinstance(code, str) and "reason" not in extensions:
                extensions["reason"] = code
                error.extensions = extensions


schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Money, Sale],
    extensions=[ReasonOnEveryError],
)
