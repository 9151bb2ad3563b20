"""GraphQL-over-HTTP: media types, status codes, GET, health, GraphiQL."""

from __future__ import annotations

import re

GQL = "application/graphql-response+json"


async def test_post_json_default_media_type(shop) -> None:
    response = await shop.post("{ me { name } }")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}


async def test_graphql_response_json_uses_400_for_request_errors(shop) -> None:
    ok = await shop.post("{ me { name } }", headers={"accept": GQL})
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith(GQL)
    bad = await shop.post("{ me { nope } }", headers={"accept": GQL})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    unparsable = await shop.post("{", headers={"accept": GQL})
    assert unparsable.status_code == 400


async def test_partial_data_is_200_even_for_graphql_response_json(shop) -> None:
    shop.subgraphs["inventory"].fail_with_status = 503
    response = await shop.post('{ product(upc: "1") { inStock } }', headers={"accept": GQL})
    assert response.status_code == 200
    assert response.json()["data"] == {"product": None}


# a GET must prove it was not sent by a cross-site page (csrf.py), as Apollo clients do
PREFLIGHTED = {"apollo-require-preflight": "true"}


async def test_get_query(shop) -> None:
    response = await shop.client.get(
        shop.gateway_url,
        params={"query": "query($u: ID!) { product(upc: $u) { name } }", "variables": '{"u": "3"}'},
        headers=PREFLIGHTED,
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"product": {"name": "Chair"}}}


async def test_get_mutation_is_405(shop) -> None:
    response = await shop.client.get(
        shop.gateway_url,
        params={"query": 'mutation { renameUser(id: "u1", username: "x") { id } }'},
        headers=PREFLIGHTED,
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert shop.requests_to("accounts") == []


async def test_malformed_requests_are_400_not_500(shop) -> None:
    url = shop.gateway_url
    bad_json = await shop.client.post(
        url, content=b"{", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    no_query = await shop.client.post(url, json={"variables": {}})
    assert no_query.status_code == 400
    wrong_type = await shop.client.post(url, json={"query": 1})
    assert wrong_type.status_code == 400
    simple = await shop.client.post(url, content=b"x", headers={"content-type": "text/plain"})
    assert simple.status_code == 400  # a form-like post needs a preflight proof (csrf.py)
    assert simple.json()["errors"][0]["extensions"]["code"] == "CSRF_ERROR"
    media = await shop.client.post(
        url, content=b"x", headers={"content-type": "text/plain", **PREFLIGHTED}
    )
    assert media.status_code == 415
    accept = await shop.client.post(
        url, json={"query": "{ me { id } }"}, headers={"accept": "text/csv"}
    )
    assert accept.status_code == 406


async def test_application_graphql_body(shop) -> None:
    response = await shop.client.post(
        shop.gateway_url,
        content=b"{ me { username } }",
        headers={"content-type": "application/graphql"},
    )
    assert response.json() == {"data": {"me": {"username": "ada"}}}


async def test_health(shop) -> None:
    response = await shop.client.get(shop.gateway_url.replace("/graphql", "/health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_graphiql_on_get_with_html_accept(shop) -> None:
    response = await shop.client.get(shop.gateway_url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "pos-graphiql-config" in response.text
    assert '"endpoint": "/graphql"' in response.text
    base = shop.gateway_url.removesuffix("/graphql")
    asset = re.search(r'(?:src|href)="(/graphiql/assets/[^"]+)"', response.text)
    assert asset is not None
    served = await shop.client.get(base + asset.group(1))
    assert served.status_code == 200


async def test_no_stack_traces_leak(shop) -> None:
    shop.subgraphs["products"].fail_with_status = 500
    response = await shop.post("{ topProducts { name } }")
    assert "Traceback" not in response.text
    assert response.status_code == 200
