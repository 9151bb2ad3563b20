"""The committed schemas are what the code and the composers produce (CI fails on drift)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pos.cli import app
from subgraphs import CONTEXTS
from supergraph.composition import compose_from_config
from supergraph.composition.compare import supergraph_differences

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "supergraph.toml"
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"
APOLLO = ROOT / "tools" / "apollo" / "compose.mjs"


def _config() -> dict[str, dict[str, str]]:
    subgraphs: dict[str, dict[str, str]] = tomllib.loads(CONFIG.read_text())["subgraphs"]
    return subgraphs


def test_the_config_lists_every_context_with_its_committed_schema() -> None:
    config = _config()
    assert sorted(config) == sorted(CONTEXTS)
    for name, entry in config.items():
        assert entry["schema"] == f"schema/{name}.graphql"


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_each_committed_subgraph_schema_is_what_its_code_serves(name: str) -> None:
    committed = (ROOT / "schema" / f"{name}.graphql").read_text()
    assert committed.rstrip("\n") == CONTEXTS[name].sdl().rstrip("\n"), (
        f"schema/{name}.graphql is stale: write {name}'s sdl() to it"
    )


def test_the_committed_supergraph_is_what_our_composer_produces() -> None:
    result = compose_from_config(CONFIG)
    assert not result.errors, result.errors
    assert result.supergraph_sdl == SUPERGRAPH.read_text(), (
        "schema/supergraph.graphql is stale: run `pos compose`"
    )
    # our own graph is the example users copy: it composes without a single warning
    assert [f"{h.code}: {h.message}" for h in result.hints] == []


def test_apollo_composes_the_same_supergraph() -> None:
    args = [f"{name}={ROOT / e['schema']}@{e['url']}" for name, e in _config().items()]
    apollo = subprocess.run(
        ["node", str(APOLLO), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert apollo.returncode == 0, apollo.stderr
    assert supergraph_differences(SUPERGRAPH.read_text(), apollo.stdout) == []


def test_pos_compose_check_passes_on_the_committed_file() -> None:
    result = CliRunner().invoke(
        app, ["compose", "--config", str(CONFIG), "--out", str(SUPERGRAPH), "--check"]
    )
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_pos_compose_writes_the_supergraph(tmp_path: Path) -> None:
    out = tmp_path / "out" / "supergraph.graphql"
    result = CliRunner().invoke(app, ["compose", "--config", str(CONFIG), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == SUPERGRAPH.read_text()


def test_pos_compose_reports_composition_errors_like_apollo(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])\n'
        'type Product @key(fields: "id") { id: ID! name: String! }\n'
        "type Query { a: Product }\n"
    )
    (tmp_path / "b.graphql").write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])\n'
        'type Product @key(fields: "id") { id: ID! name: String! }\n'
        "type Query { b: Product }\n"
    )
    (tmp_path / "supergraph.toml").write_text(
        '[subgraphs.a]\nurl = "http://a/graphql"\nschema = "a.graphql"\n'
        '[subgraphs.b]\nurl = "http://b/graphql"\nschema = "b.graphql"\n'
    )
    out = tmp_path / "supergraph.graphql"
    result = CliRunner().invoke(
        app, ["compose", "--config", str(tmp_path / "supergraph.toml"), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert 'INVALID_FIELD_SHARING: Non-shareable field "Product.name"' in result.output
    assert not out.exists()


def test_pos_compose_names_a_missing_schema_file(tmp_path: Path) -> None:
    config = tmp_path / "supergraph.toml"
    config.write_text('[subgraphs.a]\nurl = "http://a/graphql"\nschema = "missing.graphql"\n')
    result = CliRunner().invoke(app, ["compose", "--config", str(config), "--out", "x.graphql"])
    assert result.exit_code == 2
    assert "missing.graphql" in result.output
