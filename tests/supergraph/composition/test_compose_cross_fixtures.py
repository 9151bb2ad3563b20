"""Differential check on unplanned inputs: subgraphs from different fixture graphs,
composed together, succeed or fail exactly when Apollo's composition does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from apollo_reference import ours

from supergraph.composition.compare import supergraph_differences

FILES = sorted((Path(__file__).parent / "fixtures").glob("*/*.graphql"))
_rng = random.Random(20261129)
COMBOS = [_rng.sample(FILES, _rng.choice([2, 3])) for _ in range(12)]


@pytest.mark.parametrize(
    "files", COMBOS, ids=["+".join(f"{p.parent.name}.{p.stem}" for p in c) for c in COMBOS]
)
def test_same_outcome_as_apollo(files: list[Path], apollo) -> None:
    sdls = {f"s{i}": p.read_text() for i, p in enumerate(files)}
    reference = apollo(sdls)
    result = ours(sdls)
    if reference.supergraph_sdl is None:
        assert result.supergraph_sdl is None, reference.stderr
        assert {e.code for e in result.errors} & set(reference.error_codes), (
            reference.stderr,
            [str(e) for e in result.errors],
        )
    else:
        assert result.supergraph_sdl is not None, [str(e) for e in result.errors]
        assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []
