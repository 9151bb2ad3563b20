"""Subscription fan-out: N WebSocket subscribers on one gateway, one event stream.

Usage: .venv/bin/python bench/subscriptions.py [--subscribers 1000] [--events 20] [--record]

Processes (all on 127.0.0.1, loopback only): the gateway (uvicorn, one process, its own
Kafka consumer from latest) serving a one-subgraph supergraph whose
`orderStatusChanged` has `@eventSource` on a private topic; this driver, which serves
the subgraph (answering `_entities` from memory, so the gateway is what is measured),
publishes events to Kafka at POS_KAFKA_BOOTSTRAP and holds the N graphql-transport-ws
clients (connections opened at most 50 at a time). Every subscriber watches the same
order with the same operation, so each event is resolved once (one planner run, one
subgraph fetch) and the result shared by every subscriber (supergraph/subscriptions/live.py).
Before that sharing (2026-11-29, same machine): p50 723 ms, p99 919 ms, 72% of a core.

Latency is event-to-client: from just before the event is published to Kafka (the
entity carries that instant in `sentAt`) to the client decoding its `next` message.
The gateway's CPU (percent of one core, over the measured window) and resident memory
(idle, and with N subscribers) come from psutil. With --record, the result replaces the
section "## Subscriptions fan-out" in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import orjson
import psutil
import uvicorn
from graphql import FieldNode, InlineFragmentNode, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from eventbus import Envelope
from eventbus.transports.kafka import KafkaTransport
from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph

ROOT = Path(__file__).resolve().parents[1]
KAFKA = os.environ.get("POS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
EVENT = "bench.orders.StatusChanged.v1"
ORDER_ID = "order-1"
SECTION = "## Subscriptions fan-out"
SUBSCRIBE = f'subscription {{ orderStatusChanged(orderId: "{ORDER_ID}") {{ id status sentAt }} }}'


def subgraph_sdl(topic: str) -> str:
    return f"""extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective"])
  @link(url: "https://pos.example/event-source/v0.1", import: ["@eventSource"])
  @composeDirective(name: "@eventSource")

directive @eventSource(
  topic: String!
  events: [String!]!
  key: [String!]!
  filter: [String!] = []
  version: String!
) on FIELD_DEFINITION

type Order @key(fields: "id") {{
  id: ID!
  status: String!
  sentAt: Float!
  version: Int!
}}

type Query {{
  order(id: ID!): Order
}}

type Subscription {{
  orderStatusChanged(orderId: ID!): Order!
    @eventSource(
      topic: "{topic}"
      events: ["{EVENT}"]
      key: ["id=subject"]
      filter: ["orderId=subject"]
      version: "version"
    )
}}
"""


class Orders:
    """The subgraph: `_entities` answers from the current in-memory order."""

    def __init__(self) -> None:
        self.order: dict[str, Any] = {
            "__typename": "Order",
            "id": ORDER_ID,
            "status": "PENDING",
            "sentAt": 0.0,
            "version": 0,
        }
        self.fetches = 0

    async def graphql(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        representations = (body.get("variables") or {}).get("representations") or []
        self.fetches += 1
        fields = _entity_fields(body["query"])
        entity = {key: self.order[name] for key, name in fields}
        data = {"_entities": [entity for _ in representations]}
        return Response(orjson.dumps({"data": data}), media_type="application/json")


def _entity_fields(query: str) -> list[tuple[str, str]]:
    """(response key, field name) of the `_entities` selection, aliases honoured."""
    pairs: list[tuple[str, str]] = []
    pending = [parse(query).definitions[0].selection_set]  # type: ignore[attr-defined]
    while pending:
        for node in pending.pop().selections:
            if (isinstance(node, FieldNode) and node.name.value == "_entities") or isinstance(
                node, InlineFragmentNode
            ):
                pending.append(node.selection_set)
            elif isinstance(node, FieldNode):
                pairs.append(((node.alias or node.name).value, node.name.value))
    return pairs


def serve_gateway(sdl_path: str, port: int) -> None:
    """Child process: the gateway with its event feed on Kafka."""
    from supergraph.runtime import create_app

    async def main() -> None:
        transport = KafkaTransport(KAFKA, client_id=f"bench-gw-{os.getpid()}")
        await transport.start()
        # thousands of subscribers from one address: no per-client caps
        app = create_app(Path(sdl_path).read_text(), event_transport=transport, rate_limits=None)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws="websockets-sansio",
            ws_max_queue=64,
            backlog=4096,
        )
        try:
            await uvicorn.Server(config).serve()
        finally:
            await transport.stop()

    asyncio.run(main())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Client:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.received: list[tuple[float, dict[str, Any]]] = []

    async def read(self) -> None:
        async for raw in self.connection:
            now = time.time()
            message = orjson.loads(raw)
            if message.get("type") == "next":
                self.received.append((now, message["payload"]))
            elif message.get("type") == "ping":
                await self.connection.send('{"type":"pong"}')


async def open_client(url: str, gate: asyncio.Semaphore) -> tuple[Client, asyncio.Task[None]]:
    async with gate:
        connection = await connect(
            url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            open_timeout=60,
            ping_interval=None,
        )
        await connection.send('{"type":"connection_init"}')
        ack = orjson.loads(await asyncio.wait_for(connection.recv(), 30))
        assert ack["type"] == "connection_ack", ack
        await connection.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}).decode()
        )
    client = Client(connection)
    return client, asyncio.create_task(client.read())


async def run(subscribers: int, events: int, interval: float) -> dict[str, Any]:
    topic = f"bench.live.{uuid4().hex[:8]}"
    orders = Orders()
    sub_app = Starlette(routes=[Route("/graphql", orders.graphql, methods=["POST"])])
    sub_config = uvicorn.Config(sub_app, host="127.0.0.1", port=0, log_level="warning")
    sub_server = uvicorn.Server(sub_config)
    sub_task = asyncio.create_task(sub_server.serve())
    while not sub_server.started:
        await asyncio.sleep(0.02)
    sub_port = sub_server.servers[0].sockets[0].getsockname()[1]
    composed = compose(
        [Subgraph("orders", f"http://127.0.0.1:{sub_port}/graphql", subgraph_sdl(topic))]
    )
    assert composed.ok and composed.supergraph_sdl, composed.errors

    kafka = KafkaTransport(KAFKA, client_id="bench-driver")
    await kafka.start()
    await kafka.ensure_topics([topic])

    version = 0

    async def publish() -> None:
        nonlocal version
        version += 1
        orders.order = {**orders.order, "version": version, "sentAt": time.time()}
        orders.order["status"] = f"S{version}"
        envelope = Envelope(
            type=EVENT, source="bench", subject=ORDER_ID, data={}, stream_version=version
        )
        await kafka.publish(topic, [envelope])

    with tempfile.NamedTemporaryFile("w", suffix=".graphql", delete=False) as f:
        f.write(composed.supergraph_sdl)
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-gateway", f.name, "--port", str(port)], cwd=ROOT
    )
    clients: list[tuple[Client, asyncio.Task[None]]] = []
    try:
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("the gateway did not start")
                await asyncio.sleep(0.2)
        gateway = psutil.Process(child.pid)
        idle_rss = gateway.memory_info().rss
        gate = asyncio.Semaphore(50)
        url = f"ws://127.0.0.1:{port}/graphql"
        started = time.monotonic()
        clients = list(await asyncio.gather(*(open_client(url, gate) for _ in range(subscribers))))
        connect_s = time.monotonic() - started
        # Warm up until every subscriber has had an event (all registered with the feed).
        deadline = time.monotonic() + 60
        while not all(c.received for c, _ in clients):
            if time.monotonic() > deadline:
                missing = sum(1 for c, _ in clients if not c.received)
                raise RuntimeError(f"{missing} subscribers never got an event")
            await publish()
            await asyncio.sleep(1.0)
        await asyncio.sleep(1.0)
        for c, _ in clients:
            c.received.clear()
        busy_rss = gateway.memory_info().rss
        gateway.cpu_percent(None)
        window = time.monotonic()
        for _ in range(events):
            await publish()
            await asyncio.sleep(interval)
        deadline = time.monotonic() + 60
        while any(len(c.received) < events for c, _ in clients):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - window
        cpu = gateway.cpu_percent(None)
        latencies = sorted(
            (now - payload["data"]["orderStatusChanged"]["sentAt"]) * 1000
            for c, _ in clients
            for now, payload in c.received
            if payload.get("data")
        )
        errors = sum(1 for c, _ in clients for _, p in c.received if p.get("errors"))
        if errors:  # say why, so a broken setup is not mistaken for a slow gateway
            first = next(p for c, _ in clients for _, p in c.received if p.get("errors"))
            print("first error:", first["errors"], file=sys.stderr)
        delivered = len(latencies)
        in_order = all(
            [p["data"]["orderStatusChanged"]["sentAt"] for _, p in c.received if p.get("data")]
            == sorted(
                p["data"]["orderStatusChanged"]["sentAt"] for _, p in c.received if p.get("data")
            )
            for c, _ in clients
        )
        return {
            "subscribers": subscribers,
            "events": events,
            "interval": interval,
            "expected": subscribers * events,
            "delivered": delivered,
            "errors": errors,
            "in_order": in_order,
            "connect_s": connect_s,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
            "max": latencies[-1] if latencies else float("nan"),
            "cpu": cpu,
            "window_s": elapsed,
            "idle_mb": idle_rss / 2**20,
            "busy_mb": busy_rss / 2**20,
            "fetches": orders.fetches,
        }
    finally:
        for c, task in clients:
            task.cancel()
            await c.connection.close()
        child.terminate()
        child.wait(30)
        os.unlink(f.name)
        await kafka.stop()
        sub_server.should_exit = True
        await sub_task


def report(r: dict[str, Any]) -> str:
    today = dt.date.today().isoformat()
    return (
        f"`bench/subscriptions.py` on {today}: {r['subscribers']} graphql-transport-ws "
        f"subscribers on one gateway process (loopback), all on `orderStatusChanged` of one "
        f"order; {r['events']} events published to Kafka {r['interval']:g} s apart; each "
        f"event is resolved once through the planner (one `_entities` fetch) and the result "
        f"shared by all identical subscribers, against an in-memory subgraph (before that "
        f"sharing, same bench: p50 723 ms, p99 919 ms, 72% of a core); 2-core machine "
        f"shared with other work, so absolute numbers are noisy.\n\n"
        "| subscribers | delivered | errors | in order | p50 ms | p99 ms | max ms "
        "| gateway CPU % (1 core = 100) | RSS idle MB | RSS with subscribers MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {r['subscribers']} | {r['delivered']}/{r['expected']} | {r['errors']} "
        f"| {'yes' if r['in_order'] else 'NO'} | {r['p50']:.1f} | {r['p99']:.1f} "
        f"| {r['max']:.1f} | {r['cpu']:.0f} | {r['idle_mb']:.0f} | {r['busy_mb']:.0f} |\n\n"
        f"Connecting and subscribing {r['subscribers']} clients (50 at a time) took "
        f"{r['connect_s']:.1f} s.\n"
    )


def record(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text()
    block = f"{SECTION}\n\n{text}"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + block
    path.write_text(updated.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--serve-gateway", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_gateway:
        serve_gateway(args.serve_gateway, args.port)
        return
    if not 1 <= args.subscribers <= 5000:
        parser.error("--subscribers must be between 1 and 5000 (loopback, one machine)")
    result = asyncio.run(run(args.subscribers, args.events, args.interval))
    text = report(result)
    print(text)
    if args.record:
        record(text)


if __name__ == "__main__":
    main()
