"""GraphiQL in Chromium follows one real order live, on the app `pos run` builds.

The embedded POS (every subgraph, the in-process bus, the gateway) is served on a loopback
port; the test shops through the gateway's HTTP API, opens GraphiQL, subscribes to the
order's status over graphql-transport-ws, then pays and ships the order and watches the
result pane move to PAID and then SHIPPED, with the customer's name joined in from the
customers subgraph.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from playwright.async_api import expect
from starlette.applications import Starlette

from pos.commands.run import build_embedded_app
from subgraphs.staff import STAFF
from supergraph.subscriptions import EventFeed, SupergraphSubscriptions
from tests.browser.conftest import BrowserPage
from tests.browser.graphiql_page import EXECUTE, RESPONSE, open_graphiql, run, set_query
from tests.browser.served_app import serve
from tests.e2e.scenario import STATUS, data, eventually, shop_and_order
from tests.staff_tokens import bearer

STOP = re.compile(r"^Stop query")
PAY = """mutation($input: PayOrderInput!) { payOrder(input: $input) { status } }"""
SHIP = """mutation($id: ID!) { shipOrder(id: $id) { status } }"""


def live_feed(app: Starlette) -> EventFeed:
    """The gateway's event feed (the live subscriptions `create_app` keeps in its state)."""
    live = app.state.subscriptions
    assert isinstance(live, SupergraphSubscriptions), live
    return live.feed


async def until_subscribed(feed: EventFeed, count: int = 1) -> None:
    """The run button turns into "Stop query" as soon as it is pressed, before the
    WebSocket is even open; an event published before the gateway registers the
    subscription is not replayed (the feed reads from the latest offset), so the test
    acts only once the gateway holds the browser's subscription."""
    async with asyncio.timeout(10):
        while feed.subscriber_count < count:
            await asyncio.sleep(0.02)


def live_order(order_id: str) -> str:
    return f"""subscription OrderStatus {{
orderStatusChanged(orderId: "{order_id}") {{
status
total {{ amount currency }}
customer {{ name }}
lines {{ quantity product {{ name }} }}
}}
}}"""


async def test_graphiql_follows_an_order_from_paid_to_shipped(
    browser_page: BrowserPage, tmp_path: Path
) -> None:
    page = browser_page.page
    app = build_embedded_app(data_dir=tmp_path / "pos", seed=False)
    async with (
        serve(app) as served,
        httpx.AsyncClient(
            base_url=served.base_url, timeout=20, headers=bearer(STAFF.identity)
        ) as client,
    ):
        order_id, expected = await shop_and_order(client)
        # the manager follows the order, signed in (token in GraphiQL's Headers tab)
        await open_graphiql(page, served.url("/graphql"), bearer(STAFF.identity, ["MANAGER"]))
        await set_query(page, live_order(order_id), "OrderStatus")
        await run(page)
        response = page.locator(RESPONSE)
        await expect(page.locator(EXECUTE)).to_have_attribute("aria-label", STOP)
        await until_subscribed(live_feed(app))

        # The saga confirms the order on its own; payment needs CONFIRMED.
        status = await eventually(
            lambda: data(client, STATUS, {"id": order_id}),
            lambda d: d["order"]["status"] != "PENDING",
        )
        assert status["order"]["status"] == "CONFIRMED", status
        total = expected["order"]["total"]["amount"]

        paid = await data(
            client, PAY, {"input": {"id": order_id, "method": "CARD", "amount": total}}
        )
        assert paid == {"payOrder": {"status": "PAID"}}
        await expect(response).to_contain_text('"status": "PAID"')
        await expect(response).to_contain_text('"name": "Edith Clarke"')

        shipped = await data(client, SHIP, {"id": order_id})
        assert shipped == {"shipOrder": {"status": "SHIPPED"}}
        await expect(response).to_contain_text('"status": "SHIPPED"')
        await expect(page.locator(EXECUTE)).to_have_attribute("aria-label", STOP)

        pane = await response.inner_text()
        text = re.sub(r"\s+", " ", pane.replace("\u00a0", " "))
        assert '"name": "Edith Clarke"' in text  # customers subgraph, joined by the gateway
        assert f'"amount": "{total}"' in text
        assert '"name": "Sencha 100 g"' in text
        assert '"errors"' not in text
        await browser_page.screenshot("graphiql-order-status-live")
        await browser_page.close()

    assert f"ws://127.0.0.1:{served.port}/graphql" in browser_page.requested
    assert browser_page.blocked == []
    assert browser_page.left_loopback() == []
