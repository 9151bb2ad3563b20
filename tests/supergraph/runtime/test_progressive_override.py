"""Progressive override: `@override(label:)` moves a field per request, by percentage or
by a custom label the operator turns on."""

from __future__ import annotations

import random
from collections.abc import Mapping

from planning_graphs import PLANNING, run_planning_graph

from supergraph.composition import compose
from supergraph.composition.subgraph import Subgraph
from supergraph.runtime import load_supergraph
from supergraph.runtime.planning.override_labels import OverrideLabels

CASE = PLANNING / "progressive_override"
PRICE = "{ products { name price } }"


def _answered_by_pricing(result: dict) -> bool:
    return bool(result["data"]["products"][0]["price"] == 29)


async def test_percent_labels_move_about_that_share_of_requests() -> None:
    async with run_planning_graph("progressive_override", override_random=random.Random(7)) as g:
        moved = [_answered_by_pricing(await g.query(PRICE)) for _ in range(200)]
    assert 60 <= sum(moved) <= 140  # percent(50) of 200, drawn per request


class _Alternating(random.Random):
    """Draws 0.0, 0.99, 0.0, ...: percent(50) on, off, on, ..."""

    def __init__(self) -> None:
        super().__init__(0)
        self.n = 0

    def random(self) -> float:
        self.n += 1
        return 0.0 if self.n % 2 else 0.99


async def test_a_request_draws_once_and_is_planned_for_what_it_drew() -> None:
    async with run_planning_graph("progressive_override", override_random=_Alternating()) as g:
        prices = [(await g.query(PRICE))["data"]["products"][0]["price"] for _ in range(6)]
        assert prices == [29, 30, 29, 30, 29, 30]
        asked = [r["query"] for r in g.requests_to("pricing")]
        # pricing is asked by key for price alone, once per request that drew it
        assert len(asked) == 3 and all("price" in q and "currency" not in q for q in asked)


async def test_custom_labels_are_on_when_the_operator_says_so() -> None:
    query = "{ products { currency } }"
    async with run_planning_graph("progressive_override") as g:
        assert (await g.query(query))["data"]["products"] == [{"currency": "EUR"}]
        assert g.requests_to("pricing") == []
    async with run_planning_graph("progressive_override", override_labels=["new-currency"]) as g:
        assert (await g.query(query))["data"]["products"] == [{"currency": "USD"}]

    def canary(headers: Mapping[str, str]) -> list[str]:
        return ["new-currency"] if headers.get("x-canary") == "1" else []

    async with run_planning_graph("progressive_override", override_labels=canary) as g:
        assert (await g.query(query))["data"]["products"] == [{"currency": "EUR"}]
        canaried = await g.query(query, headers={"x-canary": "1"})
        assert canaried["data"]["products"] == [{"currency": "USD"}]


def test_percent_zero_and_hundred_are_never_and_always() -> None:
    labels = OverrideLabels(frozenset({"percent(0)", "percent(100)", "custom"}))
    drawn = [labels.active({}) for _ in range(200)]
    assert all(d == {"percent(100)"} for d in drawn)


def test_custom_labels_not_in_the_supergraph_are_ignored() -> None:
    labels = OverrideLabels(frozenset({"custom"}), ["custom", "other"])
    assert labels.active({}) == {"custom"}
    assert OverrideLabels(frozenset(), ["custom"]).active({}) == frozenset()


def test_our_composition_writes_the_labels_as_apollo_does() -> None:
    subgraphs = [
        Subgraph(name, f"http://{name}.invalid/graphql", (CASE / f"{name}.graphql").read_text())
        for name in ("prices", "pricing")
    ]
    composed = compose(subgraphs).supergraph_sdl
    assert composed is not None
    ours = load_supergraph(composed)
    apollo = load_supergraph((CASE / "supergraph.graphql").read_text())
    assert ours.override_labels == apollo.override_labels == {"percent(50)", "new-currency"}
    for label in (frozenset(), frozenset({"percent(50)", "new-currency"})):
        for field in ("price", "currency"):
            assert ours.resolvers("Product", field, label) == apollo.resolvers(
                "Product", field, label
            )
    assert apollo.resolvers("Product", "price") == ("PRICES",)
    assert apollo.resolvers("Product", "price", frozenset({"percent(50)"})) == ("PRICING",)
