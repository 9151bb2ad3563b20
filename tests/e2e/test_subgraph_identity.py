"""`pos run`: the mounted subgraphs answer only the gateway (its in-memory key)."""

from __future__ import annotations

from pathlib import Path

from subgraphs.hosting.host import subgraph_path
from supergraph.runtime.fetching.subgraph_identity import HEADER, JWKS_PATH
from tests.e2e.stacks import embedded_stack
from tests.gateway_identity import TEST_CLAIMS, TEST_SIGNER

CREATE = 'mutation { createCategory(input: {name: "Sneaked in"}) { id } }'


async def test_embedded_subgraphs_refuse_calls_that_bypass_the_gateway(tmp_path: Path) -> None:
    async with embedded_stack(tmp_path) as stack:
        client = stack.gateway
        before = await stack.count_events()
        for name in ("catalog", "customers", "ordering"):
            for headers in ({}, {HEADER: TEST_SIGNER.token(TEST_CLAIMS)}):
                for query in (CREATE, "{ _service { sdl } }"):
                    response = await client.post(
                        subgraph_path(name), json={"query": query}, headers=headers
                    )
                    assert response.status_code == 401, (name, response.text)
                    code = response.json()["errors"][0]["extensions"]["code"]
                    assert code == "UNAUTHENTICATED"
        assert await stack.count_events() == before
        assert (await client.get("/subgraphs/catalog/health")).status_code == 200
        # through the gateway, anonymous callers may not write either
        anonymous = await client.post(
            "/graphql", json={"query": CREATE}, headers={"authorization": ""}
        )
        assert anonymous.json()["errors"][0]["extensions"]["code"] in {
            "UNAUTHORIZED_FIELD_OR_TYPE",
            "UNAUTHENTICATED",
        }, anonymous.text
        assert await stack.count_events() == before
        # the gateway's own path works for a signed-in member: it signs every subgraph call
        through = await client.post(
            "/graphql",
            json={"query": 'mutation { createCategory(input: {name: "Via gateway"}) { id } }'},
        )
        assert through.status_code == 200, through.text
        assert through.json()["data"]["createCategory"]["id"]
        category = through.json()["data"]["createCategory"]["id"]
        [event] = await stack.store.read_stream(category)
        assert event.actor is not None  # the member the gateway verified, named on the event
        assert (event.actor["name"], event.actor["roles"]) == ("Test Admin", ["ADMIN"])
        jwks = (await client.get(JWKS_PATH)).json()
        assert [k["kty"] for k in jwks["keys"]] == ["OKP"] and "d" not in jwks["keys"][0]
