"""Linked specs in a supergraph: what the API schema keeps and what the gateway refuses."""

from __future__ import annotations

from pathlib import Path

from supergraph.composition import Subgraph, compose
from supergraph.runtime import load_supergraph

FIXTURES = Path(__file__).parents[1] / "composition" / "fixtures"


def _composed(folder: str) -> str:
    subgraphs = [
        Subgraph(p.stem, f"http://{p.stem}.invalid/graphql", p.read_text())
        for p in sorted((FIXTURES / folder).glob("*.graphql"))
        if p.name != "supergraph.graphql"
    ]
    result = compose(subgraphs)
    assert result.supergraph_sdl is not None, result.errors
    return result.supergraph_sdl


def test_demand_control_directives_stay_out_of_the_api_schema() -> None:
    sdl = _composed("demand_control")
    assert "@listSize" in sdl
    api = load_supergraph(sdl).api_sdl
    assert "listSize" not in api
    assert "@cost" not in api


def test_security_directives_stay_out_of_the_api_schema() -> None:
    sdl = _composed("access_control")
    assert "@requiresScopes" in sdl
    api = load_supergraph(sdl).api_sdl
    for name in ("authenticated", "requiresScopes", "policy"):
        assert name not in api
