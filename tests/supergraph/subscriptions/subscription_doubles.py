"""Test doubles: Apollo composition of sdl/, a read-model resolver, a scripted source."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    InlineFragmentNode,
    build_ast_schema,
    get_operation_ast,
    parse,
    print_ast,
)

from supergraph.subscriptions.freshness import find_root_field

ROOT = Path(__file__).resolve().parents[3]
APOLLO = ROOT / "tools" / "apollo" / "compose.mjs"
SDL = Path(__file__).resolve().parent / "sdl"


def apollo_compose(paths: dict[str, Path], urls: dict[str, str] | None = None) -> str:
    """Apollo's composition of the given subgraph SDL files (node is required)."""
    urls = urls or {}
    args = [
        f"{name}={path}@{urls.get(name, f'http://{name}.invalid/graphql')}"
        for name, path in paths.items()
    ]
    proc = subprocess.run(
        ["node", str(APOLLO), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def api_schema(supergraph: str) -> GraphQLSchema:
    """A client-facing schema good enough for validation in these tests."""
    return build_ast_schema(parse(supergraph), assume_valid_sdl=True)


@dataclass
class Call:
    entity: str
    representation: dict[str, Any]
    document: str
    variables: dict[str, Any]
    operation_name: str | None
    alias: str
    min_version: int | None


@dataclass
class ReadModelResolver:
    """The runtime's stand-in: answers from a dict of entities, like an `_entities` fetch.

    `rows[(typename, key)]` is the entity as the read model holds it now; the result
    holds the fields the root field selects (flat selections only, aliases honoured).
    """

    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    async def resolve(
        self,
        entity_typename: str,
        representation: dict[str, Any],
        document: DocumentNode,
        variables: dict[str, Any],
        operation_name: str | None,
        field_alias: str,
        min_version: int | None,
    ) -> dict[str, Any]:
        self.calls.append(
            Call(
                entity_typename,
                representation,
                print_ast(document),
                variables,
                operation_name,
                field_alias,
                min_version,
            )
        )
        key = "|".join(str(v) for k, v in sorted(representation.items()) if k != "__typename")
        row = self.rows.get((entity_typename, key))
        if row is None:
            return {"data": None}
        operation = get_operation_ast(document, operation_name)
        assert operation is not None
        root = find_root_field(document, operation)
        assert root.selection_set is not None
        out: dict[str, Any] = {}
        pending = list(root.selection_set.selections)
        while pending:
            selection = pending.pop(0)
            if isinstance(selection, InlineFragmentNode):
                pending[:0] = selection.selection_set.selections
                continue
            assert isinstance(selection, FieldNode)
            name = selection.name.value
            alias = selection.alias.value if selection.alias else name
            out[alias] = entity_typename if name == "__typename" else row.get(name)
        return {"data": {field_alias: out}}


@dataclass
class ScriptedSource:
    """A `SubscriptionSource` whose behaviour the query text picks, for protocol tests.

    ``count:N`` streams N results then ends; ``forever`` streams nothing until closed;
    ``bad`` cannot start; ``fail-after:N`` raises OperationErrors after N results;
    ``crash`` raises an unexpected error. `closed` counts streams that were closed.
    """

    requests: list[Any] = field(default_factory=list)
    closed: int = 0
    started: int = 0

    async def open(self, request: Any) -> Any:
        from supergraph.subscriptions import OperationErrors

        self.requests.append(request)
        kind, _, arg = request.query.partition(":")
        if kind == "bad":
            raise OperationErrors(
                [
                    {
                        "message": "Cannot query field 'nope'",
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            )
        return self._stream(kind, int(arg or 0))

    async def _stream(self, kind: str, n: int) -> Any:
        import asyncio

        from supergraph.subscriptions import OperationErrors

        self.started += 1
        try:
            if kind == "crash":
                raise RuntimeError("secret internal detail")
            for i in range(n):
                yield {"data": {"n": i}}
                await asyncio.sleep(0)
            if kind == "fail-after":
                raise OperationErrors(
                    [{"message": "the feed ended", "extensions": {"code": "SUBSCRIPTION_OVERFLOW"}}]
                )
            if kind == "forever":
                await asyncio.Event().wait()
        finally:
            self.closed += 1


@contextlib.asynccontextmanager
async def serve(app: Any, *, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Run an ASGI app on a real socket (uvicorn, random port); yields its http:// base URL.

    Leaving the block stops the server the way a deploy does (WebSockets get 1012)."""
    import asyncio

    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan=lifespan,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
