"""The real `pos gateway --config FILE` serving a graph as the file says."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import httpx
from federated_subgraph import Server
from planning_graphs import PLANNING, PLANNING_BUILDERS

ROOT = Path(__file__).parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_pos_gateway_serves_with_the_settings_of_its_config_file(tmp_path: Path) -> None:
    subgraphs = PLANNING_BUILDERS["requires_batch"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    port = _free_port()
    urls = "\n".join(f'[subgraphs.{n}]\nurl = "{s.url}"' for n, s in servers.items())
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'supergraph = "{PLANNING / "requires_batch" / "supergraph.graphql"}"\n'
        f'port = {port}\nlog_level = "warning"\nsubscriptions = false\n'
        'plugins = ["supergraph.runtime.plugins.request_id:RequestId"]\n'
        f"{urls}\n[limits]\nmax_root_fields = 1\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--config", str(config),
        "--no-staff-tokens",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            async with asyncio.timeout(60):
                while True:
                    assert process.returncode is None, "pos gateway exited"
                    try:
                        if (await client.get("/health")).is_success:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            query = {"query": "{ products { name isExpensive } }"}
            answer = (await client.post("/graphql", json=query)).json()
            assert answer["data"]["products"][1] == {"name": "Sofa", "isExpensive": True}
            assert "requestId" in answer["extensions"]  # the plugin the file names
            # the file's limit: one root field per operation
            two = {"query": "{ products { name } again: products { name } }"}
            refused = (await client.post("/graphql", json=two)).json()
            assert refused["errors"][0]["extensions"]["code"] == "MAX_ROOT_FIELDS_LIMIT"
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
        await asyncio.gather(*(s.stop() for s in servers.values()))


async def _serving(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while True:
            assert process.returncode is None, "pos gateway exited"
            try:
                if (await client.get("/health")).is_success:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def test_sighup_reloads_the_supergraph_without_dropping_a_request(tmp_path: Path) -> None:
    first = PLANNING_BUILDERS["requires_batch"]()
    second = PLANNING_BUILDERS["requires_batch"]()
    for record in second["prices"].records["Product"]:
        record["name"] = "New " + record["name"]
    first["prices"].delay = 1.0  # a request in flight while the supergraph changes
    servers = {
        (run, name): Server(s.app)
        for run, graph in (("first", first), ("second", second))
        for name, s in graph.items()
    }
    await asyncio.gather(*(s.start() for s in servers.values()))
    template = (PLANNING / "requires_batch" / "supergraph.graphql").read_text()

    def supergraph(run: str) -> str:
        text = template
        for name in ("prices", "stock"):
            text = text.replace(f"http://{name}.invalid/graphql", servers[(run, name)].url)
        return text

    path = tmp_path / "supergraph.graphql"
    path.write_text(supergraph("first"))
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--supergraph", str(path),
        "--port", str(port), "--no-subscriptions", "--no-staff-tokens", "--log-level", "warning",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    names = {"query": "{ products { name } }"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            await _serving(client, process)
            in_flight = asyncio.create_task(client.post("/graphql", json=names))
            await asyncio.sleep(0.3)
            path.write_text(supergraph("second"))
            process.send_signal(signal.SIGHUP)
            await asyncio.sleep(0.5)
            after = (await client.post("/graphql", json=names)).json()
            assert after["data"]["products"][0]["name"] == "New Lamp"
            before = (await in_flight).json()  # started on the old supergraph, finished there
            assert before["data"]["products"][0]["name"] == "Lamp"
            # a file that does not load leaves the running supergraph in place
            path.write_text("type Query {")
            process.send_signal(signal.SIGHUP)
            await asyncio.sleep(0.5)
            still = (await client.post("/graphql", json=names)).json()
            assert still["data"]["products"][0]["name"] == "New Lamp"
            assert process.returncode is None
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
        await asyncio.gather(*(s.stop() for s in servers.values()))


async def _stderr_until(process: asyncio.subprocess.Process, needle: str) -> str:
    """Read the gateway's log until a line containing `needle` (bounded)."""
    assert process.stderr is not None
    async with asyncio.timeout(20):
        while True:
            line = (await process.stderr.readline()).decode()
            assert line, f"pos gateway closed its log before saying {needle!r}"
            if needle in line:
                return line


async def test_sighup_reloads_the_config_files_limits_and_names_what_needs_a_restart(
    tmp_path: Path,
) -> None:
    subgraphs = PLANNING_BUILDERS["requires_batch"]()
    servers = {name: Server(s.app) for name, s in subgraphs.items()}
    await asyncio.gather(*(s.start() for s in servers.values()))
    port = _free_port()
    urls = "\n".join(f'[subgraphs.{n}]\nurl = "{s.url}"' for n, s in servers.items())
    head = (
        f'supergraph = "{PLANNING / "requires_batch" / "supergraph.graphql"}"\n'
        f'port = {port}\nlog_level = "warning"\nsubscriptions = false\n{urls}\n'
    )
    config = tmp_path / "gateway.toml"
    config.write_text(head + "[limits]\nmax_root_fields = 1\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "gateway", "--config", str(config),
        "--no-staff-tokens",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    two = {"query": "{ products { name } again: products { name } }"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            await _serving(client, process)
            refused = (await client.post("/graphql", json=two)).json()
            assert refused["errors"][0]["extensions"]["code"] == "MAX_ROOT_FIELDS_LIMIT"
            # the limit raised in the file: in effect after SIGHUP, no restart
            config.write_text(
                head + '[limits]\nmax_root_fields = 2\n[cors]\norigins = ["https://till.example"]\n'
            )
            process.send_signal(signal.SIGHUP)
            line = await _stderr_until(process, "need a restart")
            assert "cors_origin" in line and "max_root_fields" not in line
            answered = (await client.post("/graphql", json=two)).json()
            assert "errors" not in answered
            assert answered["data"]["again"] == answered["data"]["products"]
            # a file that no longer loads: logged, the running settings kept
            config.write_text(head + "[limits]\nmax_root_fields = -5\n")
            process.send_signal(signal.SIGHUP)
            await _stderr_until(process, "reload failed")
            still = (await client.post("/graphql", json=two)).json()
            assert "errors" not in still
            assert process.returncode is None
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            await process.wait()
        await asyncio.gather(*(s.stop() for s in servers.values()))
