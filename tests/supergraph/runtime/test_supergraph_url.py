"""A supergraph polled from a URL with its ETag (supergraph/runtime/server/supergraph_url.py)."""

from __future__ import annotations

import asyncio
import hashlib
import signal
import socket
import sys
from pathlib import Path

import httpx
from federated_subgraph import Server
from planning_graphs import PLANNING, PLANNING_BUILDERS
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from supergraph.runtime.server.supergraph_url import Fetched, poll

ROOT = Path(__file__).parents[3]


class Registry:
    """A file server for one supergraph: ETags, 304s, and an outage on demand."""

    def __init__(self, sdl: str) -> None:
        self.sdl = sdl
        self.down = False
        self.requests: list[str | None] = []
        self.app = Starlette(routes=[Route("/supergraph.graphql", self.serve)])

    async def serve(self, request: Request) -> Response:
        self.requests.append(request.headers.get("if-none-match"))
        if self.down:
            return PlainTextResponse("down", status_code=503)
        etag = '"' + hashlib.sha256(self.sdl.encode()).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304)
        return PlainTextResponse(self.sdl, headers={"etag": etag})


async def test_poll_reloads_what_changed_and_keeps_serving_through_failures() -> None:
    registry = Registry("v1")
    server = Server(registry.app)
    await server.start()
    url = server.url.replace("/graphql", "/supergraph.graphql")
    reloaded: list[str] = []

    def reload(sdl: str) -> None:
        if sdl == "broken":
            raise ValueError("does not load")
        reloaded.append(sdl)

    etag = '"' + hashlib.sha256(b"v1").hexdigest()[:16] + '"'
    task = asyncio.create_task(poll(url, Fetched("v1", etag), reload, interval=0.05))

    async def polled(times: int) -> None:
        """Wait (bounded) until the registry has been asked `times` more times."""
        target = len(registry.requests) + times
        async with asyncio.timeout(10):
            while len(registry.requests) < target:
                await asyncio.sleep(0.02)

    try:
        await polled(3)
        assert reloaded == [] and set(registry.requests) == {etag}  # 304s only
        registry.sdl = "v2"
        await polled(2)
        assert reloaded == ["v2"]
        registry.down = True
        await polled(2)
        registry.sdl, registry.down = "broken", False
        await polled(2)
        registry.sdl = "v3"
        await polled(2)
        assert reloaded == ["v2", "v3"]  # the outage and the broken text changed nothing
        assert not task.done()
    finally:
        task.cancel()
        await server.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_pos_gateway_serves_a_supergraph_from_a_url_and_follows_it() -> None:
    first, second = PLANNING_BUILDERS["requires_batch"](), PLANNING_BUILDERS["requires_batch"]()
    for record in second["prices"].records["Product"]:
        record["name"] = "New " + record["name"]
    servers = {
        (run, name): Server(s.app)
        for run, graph in (("first", first), ("second", second))
        for name, s in graph.items()
    }
    template = (PLANNING / "requires_batch" / "supergraph.graphql").read_text()
    await asyncio.gather(*(s.start() for s in servers.values()))

    def supergraph(run: str) -> str:
        text = template
        for name in ("prices", "stock"):
            text = text.replace(f"http://{name}.invalid/graphql", servers[(run, name)].url)
        return text

    registry = Registry(supergraph("first"))
    registry_server = Server(registry.app)
    await registry_server.start()
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--port", str(port),
        "--supergraph-url", registry_server.url.replace("/graphql", "/supergraph.graphql"),
        "--supergraph-poll", "0.2", "--no-subscriptions", "--no-staff-tokens",
        "--log-level", "warning",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    names = {"query": "{ products { name } }"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            async with asyncio.timeout(60):
                while True:
                    assert process.returncode is None, "pos gateway exited"
                    try:
                        if (await client.get("/health")).is_success:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            answer = (await client.post("/graphql", json=names)).json()
            assert answer["data"]["products"][0]["name"] == "Lamp"
            registry.sdl = supergraph("second")
            async with asyncio.timeout(10):
                while True:
                    answer = (await client.post("/graphql", json=names)).json()
                    if answer["data"]["products"][0]["name"] == "New Lamp":
                        break
                    await asyncio.sleep(0.1)
            assert any(r is not None for r in registry.requests)  # polled with its ETag
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
        await registry_server.stop()
        await asyncio.gather(*(s.stop() for s in servers.values()))
