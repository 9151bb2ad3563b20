"""Apollo Client (the library front ends use) against our gateway over HTTP, @defer included.

Our other tests speak multipart/mixed with our own parser; here Apollo Client's HttpLink
and its deferSpec=20220824 handler read what we send, so a shared misreading would show.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
from gateway_harness import RunningGraph

CLIENTS = Path(__file__).parents[3] / "tools" / "clients"

# __typename is spelled out because Apollo's cache adds it anyway: both sides then send the
# same document and the answers compare as they are.
DEFERRED = """{ topProducts { __typename upc name
  ... @defer(label: "stock") { inStock shippingEstimate } } }"""
WHOLE = "{ topProducts { __typename upc name inStock shippingEstimate } }"
NESTED = """query Nested($upc: ID!) { product(upc: $upc) { __typename upc name ...Reviews @defer } }
fragment Reviews on Product { reviews { __typename id body
  ... @defer(label: "who") { author { __typename id username } } } }"""
NESTED_WHOLE = """query Nested($upc: ID!) { product(upc: $upc) { __typename upc name
  reviews { __typename id body author { __typename id username } } } }"""


async def apollo(url: str, query: str, variables: dict[str, Any] | None = None) -> list[Any]:
    """Every line tools/clients/apollo_query.mjs printed, up to its `done`."""
    if not (CLIENTS / "node_modules" / "@apollo" / "client").is_dir():
        raise RuntimeError("tools/clients/node_modules is missing: run scripts/setup")
    args = [url, query] + ([orjson.dumps(variables).decode()] if variables is not None else [])
    proc = await asyncio.create_subprocess_exec(
        "node",
        "apollo_query.mjs",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(CLIENTS),
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=8)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(f"Apollo Client did not finish; printed {out!r}, {err!r}") from None
    events = [orjson.loads(line) for line in out.splitlines()]
    assert proc.returncode == 0 and events[-1] == {"event": "done"}, (events, err.decode())
    return events[:-1]


def with_data(events: list[Any]) -> list[Any]:
    assert all(e["event"] == "next" and e["error"] is None for e in events), events
    return [e for e in events if e["data"] is not None]


async def test_plain_query_gives_what_our_own_client_gets(shop: RunningGraph) -> None:
    query = """query Top($first: Int) { topProducts(first: $first) { __typename upc name
      price reviews { __typename id body author { __typename id username } } } }"""
    ours = await shop.query(query, {"first": 2})
    events = with_data(await apollo(shop.gateway_url, query, {"first": 2}))
    assert [(e["dataState"], e["loading"]) for e in events] == [("complete", False)]
    assert events[0]["data"] == ours["data"]
    assert len(ours["data"]["topProducts"]) == 2


async def test_deferred_fields_arrive_in_a_later_emission(shop: RunningGraph) -> None:
    events = with_data(await apollo(shop.gateway_url, DEFERRED))
    first, last = events[0], events[-1]
    assert (first["dataState"], first["loading"]) == ("streaming", True)
    assert first["data"] == {
        "topProducts": [
            {"__typename": "Product", "upc": "1", "name": "Table"},
            {"__typename": "Product", "upc": "2", "name": "Couch"},
            {"__typename": "Product", "upc": "3", "name": "Chair"},
        ]
    }
    assert (last["dataState"], last["loading"]) == ("complete", False)
    assert last["data"] == (await shop.query(WHOLE))["data"]
    assert {"inStock", "shippingEstimate"} <= set(last["data"]["topProducts"][0])


async def test_nested_deferred_fragments_assemble_into_the_whole_answer(
    shop: RunningGraph,
) -> None:
    events = with_data(await apollo(shop.gateway_url, NESTED, {"upc": "1"}))
    assert events[0]["data"] == {"product": {"__typename": "Product", "upc": "1", "name": "Table"}}
    assert [e["dataState"] for e in events][-1] == "complete"
    assert all(e["dataState"] == "streaming" for e in events[:-1])
    whole = (await shop.query(NESTED_WHOLE, {"upc": "1"}))["data"]
    assert events[-1]["data"] == whole
    assert [r["author"]["username"] for r in whole["product"]["reviews"]] == ["ada", "alan"]
