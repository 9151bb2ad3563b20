"""Every fixture graph composes to the same supergraph as Apollo's composition.

Picks up each folder under tests/supergraph/composition/fixtures/ and
tests/supergraph/fixtures/graphs/ (one `<subgraph>.graphql` per subgraph; a
`supergraph.graphql` there is a committed composition and is checked too).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apollo_reference import ours, url_of

from supergraph.composition import Subgraph, compose
from supergraph.composition.compare import supergraph_differences

HERE = Path(__file__).parent
COMMITTED = "supergraph.graphql"
FOLDERS = sorted(
    [p for p in (HERE / "fixtures").iterdir() if p.is_dir()]
    + [p for p in (HERE.parent / "fixtures" / "graphs").glob("*") if p.is_dir()]
)


def _sdls(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(folder.glob("*.graphql")) if p.name != COMMITTED}


def test_there_are_enough_fixture_graphs() -> None:
    assert len(FOLDERS) >= 15


@pytest.mark.parametrize("folder", FOLDERS, ids=[f"{f.parent.name}/{f.name}" for f in FOLDERS])
def test_supergraph_matches_apollo(folder: Path, apollo) -> None:
    sdls = _sdls(folder)
    reference = apollo(sdls)
    assert reference.supergraph_sdl is not None, reference.stderr
    result = ours(sdls)
    assert result.errors == []
    assert result.supergraph_sdl is not None
    assert supergraph_differences(result.supergraph_sdl, reference.supergraph_sdl) == []


@pytest.mark.parametrize("folder", FOLDERS[:3], ids=[f.name for f in FOLDERS[:3]])
def test_output_is_deterministic(folder: Path) -> None:
    sdls = _sdls(folder)
    assert ours(sdls).supergraph_sdl == ours(dict(sdls)).supergraph_sdl


COMMITTED_FOLDERS = [f for f in FOLDERS if (f / COMMITTED).exists()]


@pytest.mark.parametrize("folder", COMMITTED_FOLDERS, ids=[f.name for f in COMMITTED_FOLDERS])
def test_committed_supergraph_is_current(folder: Path) -> None:
    committed = (folder / COMMITTED).read_text()
    urls = dict(re.findall(r'@join__graph\(name: "([^"]+)", url: "([^"]*)"\)', committed))
    sdls = _sdls(folder)
    result = compose(
        [Subgraph(name, urls.get(name, url_of(name)), sdl) for name, sdl in sdls.items()]
    )
    assert result.supergraph_sdl is not None, [str(e) for e in result.errors]
    assert supergraph_differences(result.supergraph_sdl, committed) == []
