"""GraphiQL served by our gateway, in headless Chromium, with no internet."""

from __future__ import annotations

from gateway_harness import run_graph
from playwright.async_api import expect

from tests.browser.conftest import BrowserPage
from tests.browser.graphiql_page import RESPONSE, open_graphiql, run, set_query

QUERY = """query TopProducts {
  topProducts(first: 2) {
    name
    reviews {
      body
      author { username }
    }
  }
}"""


async def test_graphiql_runs_a_federated_query(browser_page: BrowserPage) -> None:
    page = browser_page.page
    async with run_graph("shop") as graph:
        await open_graphiql(page, graph.gateway_url)
        await set_query(page, QUERY, "TopProducts")
        await run(page)

        response = page.locator(RESPONSE)
        # Data from three subgraphs: products (name), reviews (body), accounts (username).
        await expect(response).to_contain_text('"name": "Table"')
        await expect(response).to_contain_text('"body": "Love it!"')
        await expect(response).to_contain_text('"username": "ada"')
        await expect(response).to_contain_text('"name": "Couch"')
        await expect(response).not_to_contain_text('"errors"')
        await browser_page.screenshot("graphiql-gateway-query")
        await browser_page.close()

        # The page talks to the gateway it was served by, over HTTP POST.
        assert browser_page.posted.count(graph.gateway_url) >= 2  # introspection, the query
    assert browser_page.blocked == []
    assert browser_page.left_loopback() == []
