"""The app's trusted-document manifest: the build writes it, every operation the app
sends goes by its id (no query text, over HTTP and the WebSocket), and with the manifest
enforced nothing else runs.

The manifest is `web/static/trusted-documents.json`, written by `npm run build` from
GraphQL Code Generator's persisted documents; `pos run` loads it in `allow` mode and
`pos gateway --app` in the profile's mode (enforce in production).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Request, WebSocket, expect

from supergraph.runtime.apq import APQError
from supergraph.runtime.plugins.trusted_documents import TrustedDocuments, parse_manifest
from tests.browser.conftest import BrowserPage
from tests.browser.pos_app import RunningPos, open_screen, running_pos, sign_in_ui
from tests.e2e.pos_process import free_port
from web import app_trusted_documents

ROOT = Path(__file__).parents[2]
SOURCES = ROOT / "web" / "src"
OPERATION = re.compile(r"^\s*(query|mutation|subscription)\s+(\w+)", re.MULTILINE)
# in the manifest a document is one line, its fragments first
PRINTED = re.compile(r"(?:^|[\s}])(query|mutation|subscription)\s+(\w+)")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pos(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningPos]:
    async with running_pos(tmp_path_factory.mktemp("pos-trusted")) as running:
        yield running


def app_operations() -> set[str]:
    """Every named operation in the app's source (codegen refuses anonymous ones)."""
    names: set[str] = set()
    for path in SOURCES.rglob("*.ts*"):
        if "gql" in path.parts or path.name.endswith(".test.ts"):
            continue
        for block in re.findall(r"graphql\(`(.*?)`\)", path.read_text(), re.DOTALL):
            names.update(name for _, name in OPERATION.findall(block))
    return names


def test_the_build_writes_every_operation_of_the_app_into_the_manifest() -> None:
    documents = parse_manifest(app_trusted_documents().read_bytes())
    named = {name for doc in documents.values() for _, name in PRINTED.findall(doc)}
    expected = app_operations()
    assert len(expected) > 40, expected
    assert named == expected
    for doc_id in documents:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc_id), doc_id
    # the normalised cache needs __typename: the trusted text has it
    till_sale = next(d for d in documents.values() if "mutation TillStartSale" in d)
    assert "__typename" in till_sale


def test_enforced_the_manifest_runs_the_apps_operations_by_id_and_nothing_else() -> None:
    trusted = TrustedDocuments.from_files([app_trusted_documents()], "enforce")
    doc_id, text = next(iter(trusted.by_id.items()))
    assert trusted.resolve(None, {"persistedQuery": {"version": 1, "sha256Hash": doc_id}}) == text
    assert trusted.resolve(None, None, doc_id) == text
    refused = trusted.resolve("{ staffMembers { nodes { username } } }", None)
    assert isinstance(refused, APQError) and refused.code == "PERSISTED_QUERY_NOT_IN_LIST"
    unknown = trusted.resolve(None, {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})
    assert isinstance(unknown, APQError) and unknown.code == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_pos_gateway_with_the_app_in_production_runs_only_the_apps_operations() -> None:
    """The real command: no subgraph needs to run, the trusted-document check comes first."""
    documents = parse_manifest(app_trusted_documents().read_bytes())
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--app", "--profile", "production",
        "--port", str(port), "--log-level", "warning",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    printed: list[str] = []
    try:
        assert process.stderr is not None
        async with asyncio.timeout(60):
            while not any(line.startswith("Gateway at") for line in printed):
                line = (await process.stderr.readline()).decode()
                assert line, "pos gateway exited:\n" + "".join(printed)
                printed.append(line)
        assert f"  trusted documents: {len(documents)} (enforce)\n" in printed, printed
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            async with asyncio.timeout(60):  # it prints its URL before it accepts
                while True:
                    assert process.returncode is None, "pos gateway exited"
                    try:
                        if (await client.get("/health")).is_success:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            adhoc = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
            assert adhoc["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
            # the app's sign-in, by id: past the list (the staff subgraph is not running)
            doc_id = next(i for i, d in documents.items() if "mutation SignIn(" in d)
            by_id = (
                await client.post(
                    "/graphql",
                    json={
                        "variables": {"input": {"username": "x", "password": "y"}},
                        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": doc_id}},
                    },
                )
            ).json()
            codes = {e.get("extensions", {}).get("code") for e in by_id.get("errors", [])}
            assert "PERSISTED_QUERY_NOT_IN_LIST" not in codes and codes, by_id
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()


async def test_the_app_sends_every_operation_by_its_id_over_http_and_websocket(
    pos: RunningPos, browser_page: BrowserPage
) -> None:
    documents = parse_manifest(app_trusted_documents().read_bytes())
    page = browser_page.page
    bodies: list[dict[str, object]] = []
    subscribed: list[dict[str, object]] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql"):
            bodies.append(json.loads(request.post_data or "{}"))

    def on_socket(socket: WebSocket) -> None:
        def sent(frame: str | bytes) -> None:
            message = json.loads(frame)
            if message.get("type") == "subscribe":
                subscribed.append(message["payload"])

        socket.on("framesent", sent)

    page.on("request", on_request)
    page.on("websocket", on_socket)
    await sign_in_ui(page, pos, "manager")
    await expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    await open_screen(page, "Products")
    await open_screen(page, "Reports")
    await expect(page.get_by_role("img").first).to_be_visible()
    await open_screen(page, "Stock")

    assert len(bodies) >= 5 and len(subscribed) >= 2, (bodies, subscribed)
    for body in [*bodies, *subscribed]:
        assert not body.get("query"), body
        extensions = body.get("extensions")
        assert isinstance(extensions, dict), body
        doc_id = extensions["persistedQuery"]["sha256Hash"]
        assert doc_id in documents, body
    names = {body["operationName"] for body in bodies}
    assert {"SignIn", "DashboardToday"} <= names, names
    assert {"DashboardSales", "DashboardOrders"} <= {s["operationName"] for s in subscribed}
