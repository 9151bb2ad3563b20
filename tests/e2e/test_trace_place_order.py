"""One trace covers a `placeOrder`: gateway, subgraph, command, append, relay, bus, projector.

Embedded (as `pos run`: in-process bus) and on the real services (each subgraph its own
HTTP server, the trace context crossing real HTTP, the events crossing the real Kafka
broker from the PostgreSQL outbox). Spans are captured in process (`tests.tracing_capture`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from uuid import uuid4

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from tests.e2e.scenario import ADD_PRODUCT, CREATE_CATEGORY, REGISTER, STATUS, data, eventually
from tests.e2e.stacks import Stack, embedded_stack, services_stack
from tests.tracing_capture import capturing, parent_chain

pytestmark = pytest.mark.services

PLACE = """mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id status } }"""


@pytest.fixture(scope="module", params=["embedded", "services"])
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, h6_pg_url: str
) -> AsyncIterator[Stack]:
    if request.param == "embedded":
        async with embedded_stack(tmp_path_factory.mktemp("traced")) as running:
            yield running
    else:
        async with services_stack(h6_pg_url) as running:
            yield running


async def _product_and_customer(stack: Stack) -> tuple[str, str]:
    tag = uuid4().hex[:8].upper()
    client = stack.gateway
    category = await data(client, CREATE_CATEGORY, {"input": {"name": f"Traced {tag}"}})
    product = await data(
        client,
        ADD_PRODUCT,
        {
            "input": {
                "sku": f"TR-{tag}",
                "name": "Traced tea",
                "categoryId": category["createCategory"]["id"],
                "unitPrice": {"amount": "3.00", "currency": "EUR"},
            }
        },
    )
    customer = await data(
        client,
        REGISTER,
        {
            "input": {
                "name": "Tracy Span",
                "email": f"tracy.{tag.lower()}@shop.example",
                "phone": "+44 20 7946 0019",
                "address": {
                    "line1": "2 Trace Road",
                    "city": "London",
                    "postalCode": "N1 9GU",
                    "country": "GB",
                },
            }
        },
    )
    return product["addProduct"]["id"], customer["registerCustomer"]["id"]


def _trace_of(spans: Sequence[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    assert root.context is not None
    return [
        s for s in spans if s.context is not None and s.context.trace_id == root.context.trace_id
    ]


async def test_one_trace_covers_place_order_from_the_gateway_to_the_projection(
    stack: Stack,
) -> None:
    product_id, customer_id = await _product_and_customer(stack)
    order_id = str(uuid4())
    placing = {"id": order_id, "customerId": customer_id,
               "lines": [{"productId": product_id, "quantity": 1}]}  # fmt: skip
    unique = f"{PLACE} # {uuid4().hex}"  # a new document: planned, not from the plan cache
    with capturing() as exporter:
        placed = await data(stack.gateway, unique, {"input": placing})
        assert placed["placeOrder"]["id"] == order_id
        await eventually(
            lambda: data(stack.gateway, STATUS, {"id": order_id}),
            lambda d: d["order"]["status"] != "PENDING",
        )
        spans = list(exporter.get_finished_spans())
    operation = next(s for s in spans if s.name == "graphql PlaceOrder")
    [root] = [s for s in spans if s.context and operation.parent
              and s.context.span_id == operation.parent.span_id]  # fmt: skip
    assert root.kind is SpanKind.SERVER and root.name == "POST /graphql" and root.parent is None
    traced = _trace_of(spans, root)
    names = {s.name for s in traced}
    assert {"graphql parse", "graphql validate", "graphql plan", "fetch ordering"} <= names

    ordering_server = next(
        s for s in traced
        if s.kind is SpanKind.SERVER and (s.attributes or {}).get("pos.subgraph") == "ordering"
    )  # fmt: skip
    assert parent_chain(ordering_server, traced)[1:] == [
        "fetch ordering", "graphql PlaceOrder", "POST /graphql"
    ]  # fmt: skip
    command = next(s for s in traced if s.name == "command PlaceOrder")
    assert parent_chain(command, traced)[1] == ordering_server.name

    def projected_by(group: str) -> list[list[str]]:
        return [
            parent_chain(s, traced)
            for s in traced
            if s.kind is SpanKind.CONSUMER
            and (s.attributes or {}).get("messaging.consumer.group.name") == group
        ]

    orders = projected_by("ordering.orders")
    assert orders, f"no ordering.orders span in the trace: {sorted(names)}"
    # the order's own projection applied OrderPlaced in this trace, under the command
    placed_chain = next(c for c in orders if c[3] == "command PlaceOrder")
    # (the services run's topics carry a private prefix)
    assert placed_chain[0].startswith("process ") and placed_chain[0].endswith("pos.ordering")
    assert placed_chain[1].startswith("publish ") and placed_chain[1].endswith("pos.ordering")
    assert placed_chain[2] == "eventbus append"
    assert placed_chain[-3:] == ["fetch ordering", "graphql PlaceOrder", "POST /graphql"]
    # the saga went on in the same trace: inventory reserved, ordering confirmed
    assert any(c[0].endswith("pos.inventory") for c in _consumers(traced))
    assert len([c for c in orders if len(c) > len(placed_chain)]) >= 1, "the confirmation"


def _consumers(spans: Sequence[ReadableSpan]) -> list[list[str]]:
    return [parent_chain(s, list(spans)) for s in spans if s.kind is SpanKind.CONSUMER]
