"""Operation limits (Apollo Router's `limits`) over the `shop` graph: measures counted by hand
as Router counts them, refused operations answered with Router's codes before any subgraph is
called, and allowed ones answered in full."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from fixture_graphs import supergraph_sdl
from gateway_harness import RunningGraph
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from typer.testing import CliRunner

from pos.cli import app as pos_app
from supergraph.runtime import Gateway
from supergraph.runtime.plugins.limits import (
    LimitedSubscriptions,
    Measure,
    OperationLimits,
    measure,
)
from supergraph.subscriptions import OperationErrors, OperationRequest

StartGraph = Callable[..., AbstractAsyncContextManager[RunningGraph]]

DEEP = "{ topProducts(first: 1) { reviews { author { username } } } }"  # depth 4
DEEP_BY_FRAGMENT = """query Deep { topProducts(first: 1) { ...Reviews } }
fragment Reviews on Product { reviews { ... on Review { author { username } } } }"""
DEEP_DATA = {
    "topProducts": [
        {"reviews": [{"author": {"username": "ada"}}, {"author": {"username": "alan"}}]}
    ]
}


def _measure(document: str) -> Measure:
    doc = parse(document)
    operation = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    return measure(operation, fragments)


def _calls(graph: RunningGraph) -> int:
    return sum(len(graph.requests_to(name)) for name in graph.subgraphs)


def _refusal(code: str, message: str, name: str, value: int, limit: int) -> dict[str, Any]:
    return {
        "message": f"Maximum {message} limit exceeded in this operation ({name}: {value}, "
        f"max_{name}: {limit}); simplify the operation or split it into several.",
        "extensions": {"code": code},
    }


DEPTH = ("MAX_DEPTH_LIMIT", "depth", "depth")
HEIGHT = ("MAX_HEIGHT_LIMIT", "height (field count)", "height")
ROOT_FIELDS = ("MAX_ROOT_FIELDS_LIMIT", "root fields", "root_fields")
ALIASES = ("MAX_ALIASES_LIMIT", "aliases", "aliases")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (DEEP, Measure(depth=4, height=4, root_fields=1, aliases=0)),
        # fragments add no depth; their fields count in the height of the set that spreads them
        (DEEP_BY_FRAGMENT, Measure(depth=4, height=4, root_fields=1, aliases=0)),
        # a field selected both directly and through a fragment counts in each place
        ("{ me { id ...U } } fragment U on User { id name }", Measure(2, 4, 1, 0)),
        # every distinct response key counts: an alias of a field already selected too
        ("{ me { id username handle: username } }", Measure(2, 4, 1, 1)),
        # the same key twice counts once, but both sub-selections count
        ("{ me { id } me { name } }", Measure(2, 3, 1, 0)),
        # root fields: each alias of a root field counts
        ("{ a: me { id } b: me { id } users { id } }", Measure(2, 6, 3, 2)),
        # ... but fields inside a fragment on the root type do not (Router's code does so)
        ("{ me { id } ... on Query { users { id } } }", Measure(2, 4, 1, 0)),
        # a fragment counts once per spread
        (
            "{ me { ...Ids } users { ...Ids } } fragment Ids on User { key: id }",
            Measure(2, 4, 2, 2),
        ),
        ("{ __typename }", Measure(1, 1, 1, 0)),
    ],
)
def test_measures_follow_routers_counting(document: str, expected: Measure) -> None:
    assert _measure(document) == expected


def test_limits_are_checked_once_per_document_and_cached_with_the_plan() -> None:
    gateway = Gateway(supergraph_sdl("shop"), limits=OperationLimits(max_depth=3))
    first = gateway.prepare(DEEP, None)
    assert first.errors == (_refusal(*DEPTH, 4, 3),)
    assert first.planned is None
    assert gateway.prepare(DEEP, None) is first
    assert (gateway.plan_cache.misses, gateway.plan_cache.hits) == (1, 1)


def test_limits_are_on_by_default_and_off_when_none_is_set() -> None:
    # the safe defaults (README "Safe defaults"): Router's and graphql-armor's values
    assert Gateway(supergraph_sdl("shop")).limits == OperationLimits(15, 200, 20, 30)
    assert Gateway(supergraph_sdl("shop"), limits=OperationLimits.off()).limits is None
    assert Gateway(supergraph_sdl("shop"), limits=None).limits is None
    with pytest.raises(ValueError, match="max_aliases"):
        OperationLimits(max_aliases=-1)


@pytest.mark.parametrize("document", [DEEP, DEEP_BY_FRAGMENT])
async def test_too_deep_is_refused_before_any_subgraph_call(
    start_graph: StartGraph, document: str
) -> None:
    async with start_graph("shop", limits=OperationLimits(max_depth=3)) as graph:
        response = await graph.post(document)
        assert response.status_code == 200
        assert response.json() == {"errors": [_refusal(*DEPTH, 4, 3)]}
        strict = await graph.post(document, headers={"accept": "application/graphql-response+json"})
        assert strict.status_code == 400
        assert strict.json() == {"errors": [_refusal(*DEPTH, 4, 3)]}
        assert _calls(graph) == 0
        shallow = await graph.query("{ me { id username } }")
        assert shallow == {"data": {"me": {"id": "u1", "username": "ada"}}}


async def test_at_the_limit_the_operation_runs(start_graph: StartGraph) -> None:
    limits = OperationLimits(max_depth=4, max_height=4, max_root_fields=1, max_aliases=0)
    async with start_graph("shop", limits=limits) as graph:
        assert await graph.query(DEEP) == {"data": DEEP_DATA}
        assert await graph.query(DEEP_BY_FRAGMENT) == {"data": DEEP_DATA}


async def test_every_exceeded_limit_is_reported_in_routers_order(start_graph: StartGraph) -> None:
    limits = OperationLimits(max_depth=1, max_height=3, max_root_fields=1, max_aliases=1)
    query = "{ a: me { id } b: me { id name } users { key: id } }"  # depth 2, height 7
    async with start_graph("shop", limits=limits) as graph:
        response = await graph.post(query)
        assert response.json() == {
            "errors": [
                _refusal(*DEPTH, 2, 1),
                _refusal(*HEIGHT, 7, 3),
                _refusal(*ROOT_FIELDS, 3, 1),
                _refusal(*ALIASES, 3, 1),
            ]
        }
        assert _calls(graph) == 0


async def test_aliases_and_root_fields_through_fragments(start_graph: StartGraph) -> None:
    limits = OperationLimits(max_root_fields=1, max_aliases=1)
    twice = "{ me { ...Ids } users { ...Ids } } fragment Ids on User { key: id }"
    async with start_graph("shop", limits=limits) as graph:
        assert (await graph.post(twice)).json() == {
            "errors": [_refusal(*ROOT_FIELDS, 2, 1), _refusal(*ALIASES, 2, 1)]
        }
        assert _calls(graph) == 0
        # fields in a fragment on the root type are not root fields to Router, nor to us
        inline = "{ me { handle: username } ... on Query { users { id } } }"
        assert await graph.query(inline) == {
            "data": {
                "me": {"handle": "ada"},
                "users": [{"id": "u1"}, {"id": "u2"}, {"id": "u3"}],
            }
        }


async def test_mutations_over_a_limit_do_not_run(start_graph: StartGraph) -> None:
    mutation = """mutation { addReview(upc: "1", body: "Nice") {
      id author { reviews { product { upc } } } } }"""
    async with start_graph("shop", limits=OperationLimits(max_depth=3)) as graph:
        assert (await graph.post(mutation)).json() == {"errors": [_refusal(*DEPTH, 5, 3)]}
        assert _calls(graph) == 0
        reviews = await graph.query('{ product(upc: "1") { reviews { id } } }')
        assert reviews == {"data": {"product": {"reviews": [{"id": "r1"}, {"id": "r2"}]}}}


async def test_a_deferred_operation_over_a_limit_is_refused_whole(start_graph: StartGraph) -> None:
    deferred = "{ topProducts { upc ... @defer { reviews { author { username } } } } }"
    async with start_graph("shop", limits=OperationLimits(max_depth=3)) as graph:
        response = await graph.post(
            deferred, headers={"accept": "multipart/mixed;deferSpec=20220824, application/json"}
        )
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"errors": [_refusal(*DEPTH, 4, 3)]}
        assert _calls(graph) == 0


async def test_limits_are_off_by_default(shop: RunningGraph) -> None:
    assert await shop.query(DEEP) == {"data": DEEP_DATA}


def test_gateway_command_sets_the_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph_sdl("shop"))
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]
    done = CliRunner().invoke(pos_app, [*base, "--max-depth", "6", "--max-aliases", "2"])
    assert done.exit_code == 0, done.output
    shown = "operation limits: max_depth 6, max_height 200, max_root_fields 20, max_aliases 2"
    assert shown in done.output
    assert served[-1].state.gateway.limits == OperationLimits(max_depth=6, max_aliases=2)
    done = CliRunner().invoke(pos_app, [*base, "--max-height", "50", "--max-root-fields", "4"])
    assert done.exit_code == 0, done.output
    assert served[-1].state.gateway.limits == OperationLimits(max_height=50, max_root_fields=4)
    assert CliRunner().invoke(pos_app, base).exit_code == 0
    assert served[-1].state.gateway.limits == OperationLimits()  # the safe defaults
    zero = ["--max-depth", "0", "--max-height", "0", "--max-root-fields", "0", "--max-aliases"]
    assert CliRunner().invoke(pos_app, [*base, *zero, "0"]).exit_code == 0
    assert served[-1].state.gateway.limits is None  # 0 turns a limit off
    assert CliRunner().invoke(pos_app, [*base, "--max-depth", "-1"]).exit_code == 2


# ---- warn-only mode (Router's `limits.warn_only`) -------------------------------------------

WARN_ONLY = "supergraph.runtime.plugins.limits"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == WARN_ONLY and r.levelno == logging.WARNING
    ]


async def test_warn_only_runs_the_operation_and_logs_each_exceeded_limit(
    start_graph: StartGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=WARN_ONLY)
    limits = OperationLimits(max_depth=3, max_aliases=0, warn_only=True)
    named = "query Deep { topProducts(first: 1) { reviews { who: author { username } } } }"
    async with start_graph("shop", limits=limits) as graph:
        strict = await graph.post(named, headers={"accept": "application/graphql-response+json"})
        assert strict.status_code == 200
        assert strict.json() == {
            "data": {
                "topProducts": [
                    {"reviews": [{"who": {"username": "ada"}}, {"who": {"username": "alan"}}]}
                ]
            }
        }
        assert graph.requests_to("reviews") != []
        assert _warnings(caplog) == [
            "operation limit exceeded, warn only so the operation runs: "
            "max_depth 3, depth 4, operation Deep",
            "operation limit exceeded, warn only so the operation runs: "
            "max_aliases 0, aliases 1, operation Deep",
        ]
        caplog.clear()
        # within the limits: nothing logged
        assert await graph.query("{ me { id } }") == {"data": {"me": {"id": "u1"}}}
        assert _warnings(caplog) == []


async def test_warn_only_lets_a_deferred_operation_stream(
    start_graph: StartGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=WARN_ONLY)
    deferred = "{ topProducts(first: 1) { upc ... @defer { reviews { author { username } } } } }"
    limits = OperationLimits(max_depth=3, warn_only=True)
    async with start_graph("shop", limits=limits) as graph:
        response = await graph.post(
            deferred, headers={"accept": "multipart/mixed;deferSpec=20220824, application/json"}
        )
        assert response.headers["content-type"].startswith("multipart/mixed")
        assert '"hasNext":true' in response.text and '"username":"ada"' in response.text
        assert "MAX_DEPTH_LIMIT" not in response.text
        # logged once, where the operation is measured for its plan
        assert _warnings(caplog) == [
            "operation limit exceeded, warn only so the operation runs: "
            "max_depth 3, depth 4, operation (anonymous)"
        ]


async def test_warn_only_lets_a_subscription_open(caplog: pytest.LogCaptureFixture) -> None:
    """Subscriptions never pass `_prepare`: `LimitedSubscriptions` checks them on open."""
    caplog.set_level(logging.WARNING, logger=WARN_ONLY)
    opened: list[OperationRequest] = []

    class Source:
        async def open(self, request: OperationRequest) -> Any:
            opened.append(request)
            return None

    request = OperationRequest(query="subscription Live { reviewAdded { id } }")  # depth 2
    with pytest.raises(OperationErrors) as refused:
        await LimitedSubscriptions(Source(), OperationLimits(max_depth=1)).open(request)
    assert refused.value.errors == [_refusal(*DEPTH, 2, 1)]
    assert opened == [] and _warnings(caplog) == []
    warn_only = OperationLimits(max_depth=1, warn_only=True)
    await LimitedSubscriptions(Source(), warn_only).open(request)
    assert opened == [request]
    assert _warnings(caplog) == [
        "operation limit exceeded, warn only so the operation runs: "
        "max_depth 1, depth 2, operation Live"
    ]


def test_gateway_command_limits_warn_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    sdl = tmp_path / "supergraph.graphql"
    sdl.write_text(supergraph_sdl("shop"))
    base = ["gateway", "--supergraph", str(sdl), "--no-subscriptions"]
    done = CliRunner().invoke(pos_app, [*base, "--max-depth", "6", "--limits-warn-only"])
    assert done.exit_code == 0, done.output
    assert "max_depth 6, max_height 200, max_root_fields 20, max_aliases 30 (warn only)" in (
        done.output
    )
    assert served[-1].state.gateway.limits == OperationLimits(max_depth=6, warn_only=True)
    # the default limits are there to warn about; with every limit off there is nothing
    alone = CliRunner().invoke(pos_app, [*base, "--limits-warn-only"])
    assert alone.exit_code == 0, alone.output
    assert served[-1].state.gateway.limits == OperationLimits(warn_only=True)
    off = ["--max-depth", "0", "--max-height", "0", "--max-root-fields", "0", "--max-aliases", "0"]
    refused = CliRunner().invoke(pos_app, [*base, *off, "--limits-warn-only"])
    assert refused.exit_code == 2
    assert "--limits-warn-only" in refused.output
