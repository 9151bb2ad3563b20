"""What an operator sees: a real `pos gateway` sends its spans to an OTLP/HTTP collector,
and its JSON log lines carry the same trace id.

The collector is a tiny receiver in the test (POST /v1/traces, protobuf decoded with
opentelemetry-proto), so the exporter's configuration is proven end to end.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.e2e.pos_process import free_port

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "5b8efff798038103d269b633813fc60c"
CLIENT_PARENT = f"00-{TRACE_ID}-eee19b7ec3c1b174-01"


class Collector:
    """Receives OTLP/HTTP protobuf exports; keeps (service name, span name, trace id)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []
        self.content_types: set[str] = set()

    async def traces(self, request: Request) -> Response:
        self.content_types.add(request.headers.get("content-type", ""))
        export = ExportTraceServiceRequest()
        export.ParseFromString(await request.body())
        for resource_spans in export.resource_spans:
            service = next(
                (a.value.string_value for a in resource_spans.resource.attributes
                 if a.key == "service.name"), "",
            )  # fmt: skip
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    self.spans.append((service, span.name, span.trace_id.hex()))
        return Response(b"", media_type="application/x-protobuf")


async def _serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the test collector did not start"
        await asyncio.sleep(0.02)
    return server, task, server.servers[0].sockets[0].getsockname()[1]


async def test_pos_gateway_exports_spans_over_otlp_and_logs_json_with_the_trace_id() -> None:
    collector = Collector()
    server, task, collector_port = await _serve(
        Starlette(routes=[Route("/v1/traces", collector.traces, methods=["POST"])])
    )
    port = free_port()
    env = {**os.environ, "OTEL_BSP_SCHEDULE_DELAY": "100", "POS_ACCESS_LOG": "on"}
    env.pop("OTEL_SERVICE_NAME", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pos.cli", "--log-format", "json", "gateway",
        "--port", str(port), "--no-subscriptions",
        "--otlp-endpoint", f"http://127.0.0.1:{collector_port}",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
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
            answer = await client.post(
                "/graphql",
                json={"query": "query Ping { __typename }"},
                headers={"traceparent": CLIENT_PARENT},
            )
            assert answer.json() == {"data": {"__typename": "Query"}}
        async with asyncio.timeout(20):
            while not any(t == TRACE_ID and n == "graphql Ping" for _, n, t in collector.spans):
                await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            _, stderr = await process.communicate()
        server.should_exit = True
        await task
    mine = {(service, name) for service, name, trace in collector.spans if trace == TRACE_ID}
    assert {("pos-gateway", "POST /graphql"), ("pos-gateway", "graphql Ping")} <= mine
    assert collector.content_types == {"application/x-protobuf"}
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    access = [
        line for line in lines if line["logger"] == "uvicorn.access" and line["path"] == "/graphql"
    ]
    assert access, stderr.decode()[-2000:]
    assert access[-1]["trace_id"] == TRACE_ID and access[-1]["status"] == 200
    assert access[-1]["method"] == "POST" and access[-1]["level"] == "INFO"
    assert {"time", "level", "logger", "message"} <= set(lines[0])
