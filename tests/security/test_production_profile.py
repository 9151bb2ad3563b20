"""The production profile (what `pos gateway` runs) over the real POS subgraphs.

The subgraphs are `pos run`'s (the embedded host, served on a loopback port, trusting the
gateway's key); the gateway in front of them is `create_app` with its defaults, which are
the production profile's: no introspection, no GraphiQL, no field suggestions, masked
internal errors, CORS closed, WebSockets and event streams only from the same origin.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos.commands.run import SUPERGRAPH, build_embedded_app, staff_authenticator
from subgraphs import CONTEXTS
from subgraphs.hosting.host import subgraph_path
from subgraphs.staff import STAFF
from supergraph.runtime import create_app
from supergraph.runtime.fetching.subgraph_identity import IdentitySigner
from supergraph.runtime.server.cors import Cors
from tests.browser.served_app import serve
from tests.staff_tokens import bearer

TILL = "https://till.example"
"""The one other origin the gateway under test lets in (a web app served elsewhere)."""


@dataclass
class Production:
    url: str
    broken_url: str
    """A gateway whose catalog subgraph is down (its URL points at a closed port)."""
    admin: dict[str, str]


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Production]:
    signer = IdentitySigner.generate()
    host = build_embedded_app(
        tmp_path_factory.mktemp("pos") / "embedded", seed=False, subgraph_identity=signer
    )
    async with serve(host) as subgraphs:
        urls = {name: subgraphs.url(subgraph_path(name)) for name in CONTEXTS}
        broken = {**urls, "catalog": "http://127.0.0.1:9/graphql"}
        common: dict[str, Any] = {
            "subgraph_identity": signer,
            "authenticator": staff_authenticator(STAFF.identity),
        }
        gateway = create_app(
            SUPERGRAPH.read_text(), subgraph_urls=urls, cors=Cors(allow_origins=(TILL,)), **common
        )
        failing = create_app(SUPERGRAPH.read_text(), subgraph_urls=broken, **common)
        async with serve(gateway) as ours, serve(failing) as down:
            yield Production(
                ours.url("/graphql"), down.url("/graphql"), bearer(STAFF.identity, ["ADMIN"])
            )


async def _post(url: str, query: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, json={"query": query}, headers=headers or {})


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name } } }",
        '{ __type(name: "Customer") { fields { name } } }',
        "query { products(first: 1) { nodes { name } } meta: __schema { queryType { name } } }",
        "fragment F on Query { __schema { types { name } } } query { ...F }",
    ],
)
async def test_introspection_is_refused_even_for_an_admin(
    production: Production, query: str
) -> None:
    body = (await _post(production.url, query, production.admin)).json()
    assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert not body.get("data")


async def test_typename_is_still_answered(production: Production) -> None:
    assert (await _post(production.url, "{ __typename }")).json() == {
        "data": {"__typename": "Query"}
    }


async def test_no_graphiql_page(production: Production) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(production.url, headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower().replace("graphiql is off", "")


async def test_field_suggestions_are_cut(production: Production) -> None:
    body = (await _post(production.url, "{ produts(first: 1) { nodes { name } } }")).json()
    message = body["errors"][0]["message"]
    assert "produts" in message and "Did you mean" not in message
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_subgraph_down_is_masked_with_an_error_id_that_is_logged(
    production: Production, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="supergraph.runtime.execution.masking"):
        response = await _post(production.broken_url, "{ products(first: 1) { totalCount } }")
    text = response.text
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] in {"SUBREQUEST_HTTP_ERROR", "DOWNSTREAM_SERVICE_ERROR"}
    error_id = error["extensions"]["errorId"]
    for leak in ("127.0.0.1", "catalog", "serviceName", "Connect", "Traceback", ".py"):
        assert leak not in text, (leak, text)
    assert any(error_id in record.getMessage() for record in caplog.records)


async def test_client_errors_of_subgraphs_keep_their_message_and_code(
    production: Production,
) -> None:
    query = '{ order(id: "nope") { number } }'
    body = (await _post(production.url, query, production.admin)).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "nope" in error["message"]
    assert "serviceName" not in error["extensions"]


async def test_cors_answers_only_the_listed_origin(production: Production) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
    }
    async with httpx.AsyncClient(timeout=30) as client:
        listed = await client.options(production.url, headers={"origin": TILL, **preflight})
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == TILL
        assert "authorization" in listed.headers["access-control-allow-headers"].lower()
        other = await client.options(
            production.url, headers={"origin": "http://evil.example", **preflight}
        )
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


async def test_event_streams_from_another_site_are_refused(production: Production) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            production.url,
            json={"query": 'subscription { orderStatusChanged(orderId: "x") { status } }'},
            headers={"accept": "text/event-stream", "origin": "http://evil.example"},
        )
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_ORIGIN"


async def test_anonymous_callers_see_the_public_catalog_only(production: Production) -> None:
    public = (await _post(production.url, "{ products(first: 1) { totalCount } }")).json()
    assert "errors" not in public
    for query in (
        "{ customers(first: 1) { totalCount } }",
        "{ orders(first: 1) { totalCount } }",
        "{ products(first: 1) { nodes { onHand salesFigures { unitsSold } } } }",
        'mutation { changeProductPrice(input: {id: "p", unitPrice: {amount: "0.01", '
        'currency: "EUR"}}) { id } }',
    ):
        body = (await _post(production.url, query)).json()
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes == {"UNAUTHORIZED_FIELD_OR_TYPE"}, body


async def test_a_forged_or_expired_token_is_refused(production: Production, tmp_path: Path) -> None:
    from subgraphs.staff import StaffIdentity

    stranger = StaffIdentity(tmp_path / "other-keys")  # a key the gateway does not trust
    response = await _post(production.url, "{ __typename }", bearer(stranger))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
