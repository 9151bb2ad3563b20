"""Automatic persisted queries (Apollo protocol v1)."""

from __future__ import annotations

import hashlib

import orjson

QUERY = "{ me { username } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
PQ = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}


async def test_unknown_hash_then_register_then_hash_only(shop) -> None:
    url = shop.gateway_url
    miss = await shop.client.post(url, json={"extensions": PQ})
    assert miss.status_code == 200
    assert miss.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    register = await shop.client.post(url, json={"query": QUERY, "extensions": PQ})
    assert register.json() == {"data": {"me": {"username": "ada"}}}
    hit = await shop.client.post(url, json={"extensions": PQ})
    assert hit.json() == {"data": {"me": {"username": "ada"}}}
    get_hit = await shop.client.get(
        url,
        params={"extensions": orjson.dumps(PQ).decode()},
        headers={"apollo-require-preflight": "true"},  # a GET needs it (csrf.py)
    )
    assert get_hit.json() == {"data": {"me": {"username": "ada"}}}


async def test_hash_mismatch_is_rejected(shop) -> None:
    bad = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    response = await shop.client.post(shop.gateway_url, json={"query": QUERY, "extensions": bad})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "provided sha does not match query"
