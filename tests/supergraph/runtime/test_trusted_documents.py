"""Trusted documents: operations run by id from a manifest, and only those in `enforce`."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import httpx
import orjson
import pytest
from gateway_harness import RunningGraph
from planning_graphs import run_planning_graph

from supergraph.runtime.plugins.trusted_documents import TrustedDocuments, parse_manifest

NAMES = "query Names { products { name } }"
NAMES_ID = hashlib.sha256(NAMES.encode()).hexdigest()
PRICES = "query Prices { products { name isExpensive } }"
JSON = {"content-type": "application/json"}
ANSWER = {"data": {"products": [{"name": "Lamp"}, {"name": "Sofa"}]}}


def _apollo_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-query-manifest.json"
    path.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "names-v1", "name": "Names", "type": "query", "body": NAMES}],
            }
        )
    )
    return path


def _document_map(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({NAMES_ID: NAMES}))
    return path


async def _by_id(g: RunningGraph, extra: dict[str, object]) -> httpx.Response:
    """A request with no query text, only what names a document."""
    return await g.client.post(g.gateway_url, content=orjson.dumps(extra), headers=JSON)


def _by_hash(doc_id: str) -> dict[str, object]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": doc_id}}}


async def test_enforce_runs_listed_documents_by_id_or_text_and_nothing_else(
    tmp_path: Path,
) -> None:
    trusted = TrustedDocuments.from_files(
        [_apollo_manifest(tmp_path), _document_map(tmp_path)], "enforce"
    )
    async with run_planning_graph("requires_batch", trusted_documents=trusted) as g:
        assert (await _by_id(g, _by_hash("names-v1"))).json() == ANSWER
        assert (await _by_id(g, {"documentId": f"sha256:{NAMES_ID}"})).json() == ANSWER
        get = await g.client.get(
            g.gateway_url,
            params={"documentId": NAMES_ID},
            headers={"apollo-require-preflight": "true"},
        )
        assert get.json() == ANSWER
        assert await g.query(NAMES) == ANSWER  # the exact text of a listed document
        asked = len(g.requests_to("prices"))

        refused = await g.post(PRICES)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        unknown = await _by_id(g, {"documentId": "nope"})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        swapped = await g.post(PRICES, extra={"documentId": NAMES_ID})
        assert swapped.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_MISMATCH"
        # automatic persisted queries cannot smuggle a new document in
        digest = hashlib.sha256(PRICES.encode()).hexdigest()
        registered = await g.post(PRICES, extra=_by_hash(digest))
        assert registered.json()["errors"][0]["extensions"]["code"] == (
            "PERSISTED_QUERY_NOT_IN_LIST"
        )
        assert len(g.requests_to("prices")) == asked  # nothing refused reached a subgraph


async def test_log_mode_runs_unlisted_documents_and_logs_each_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    trusted = TrustedDocuments.from_files([_document_map(tmp_path)], "log")
    async with run_planning_graph("requires_batch", trusted_documents=trusted) as g:
        with caplog.at_level(logging.WARNING, "supergraph.runtime.plugins.trusted_documents"):
            for _ in range(3):
                answer = await g.query(PRICES)
                assert answer["data"]["products"][1] == {"name": "Sofa", "isExpensive": True}
            assert await g.query(NAMES) == ANSWER
        unlisted = [r for r in caplog.records if "not in the trusted documents" in r.message]
        assert len(unlisted) == 1 and "Prices" in unlisted[0].message
        assert (await _by_id(g, {"documentId": NAMES_ID})).json() == ANSWER


async def test_allow_mode_keeps_automatic_persisted_queries(tmp_path: Path) -> None:
    trusted = TrustedDocuments.from_files([_document_map(tmp_path)], "allow")
    async with run_planning_graph("requires_batch", trusted_documents=trusted) as g:
        digest = hashlib.sha256(PRICES.encode()).hexdigest()
        first = await _by_id(g, _by_hash(digest))
        assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        assert "data" in (await g.post(PRICES, extra=_by_hash(digest))).json()
        assert "data" in (await _by_id(g, _by_hash(digest))).json()
        assert (await _by_id(g, _by_hash(NAMES_ID))).json() == ANSWER


async def test_a_document_id_without_trusted_documents_is_a_clear_error() -> None:
    async with run_planning_graph("requires_batch") as g:
        answer = await _by_id(g, {"documentId": NAMES_ID})
        assert answer.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        bad = await g.post(NAMES, extra={"documentId": 7})
        assert bad.status_code == 400


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (b"[]", "expected a JSON object"),
        (b"{", "not JSON"),
        (b'{"format": "apollo-persisted-query-manifest", "version": 2}', "version"),
        (b'{"format": "apollo-persisted-query-manifest", "version": 1}', "operations"),
        (b'{"a": ""}', "has no text"),
        (b'{"a": 1}', "has no text"),
    ],
)
def test_bad_manifests_say_what_is_wrong(manifest: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_manifest(manifest, "m.json")


def test_one_id_for_two_documents_across_manifests_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_bytes(orjson.dumps({NAMES_ID: PRICES}))
    with pytest.raises(ValueError, match="another document"):
        TrustedDocuments.from_files([_document_map(tmp_path), other])
