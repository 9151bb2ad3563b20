"""`pos gateway --config FILE`: a TOML file for every option, the command line winning."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pos.cli import app
from pos.commands.gateway import gateway
from pos.commands.gateway_config_file import with_config
from pos.gateway_config import ConfigError, GatewayConfig, json_schema, load

ROOT = Path(__file__).parents[2]
FULL = """
supergraph = "schema/supergraph.graphql"
port = 4100
profile = "development"
forward_headers = ["x-request-id"]

[subgraphs.catalog]
url = "${CATALOG_URL:-http://catalog.internal:4001/graphql}"
traffic = { retries = 0, dedup = false }

[traffic]
request_timeout = 10

[auth]
jwt_roles_claim = "groups"
jwt_roles = { pos-cashier = ["sales:write", "catalog:read"] }

[limits]
max_depth = 7
warn_only = true

[cors]
origins = ["https://till.example"]

[rate_limits]
rate = 5

[trusted_documents]
files = ["documents.json"]
mode = "log"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    return path


def test_every_setting_maps_to_a_gateway_option(tmp_path: Path) -> None:
    flags = load(_write(tmp_path, FULL), env={}).flags()
    assert set(flags) <= set(inspect.signature(gateway).parameters)
    assert flags["subgraph_url"] == ["catalog=http://catalog.internal:4001/graphql"]
    assert flags["subgraph_traffic"] == [
        "request_timeout=10.0",
        "catalog:retries=0",
        "catalog:dedup=false",
    ]
    assert flags["jwt_role"] == ["pos-cashier=sales:write,catalog:read"]
    assert flags["max_depth"] == 7 and flags["limits_warn_only"] is True
    assert flags["cors_origin"] == ["https://till.example"] and flags["rate_limit"] == 5
    # paths in the file are the file's neighbours
    assert flags["trusted_documents"] == [tmp_path / "documents.json"]
    assert flags["supergraph"] == tmp_path / "schema/supergraph.graphql"


def test_environment_variables_are_expanded_and_a_missing_one_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, FULL)
    flags = load(path, env={"CATALOG_URL": "http://10.0.0.5:4001/graphql"}).flags()
    assert flags["subgraph_url"] == ["catalog=http://10.0.0.5:4001/graphql"]
    strict = _write(tmp_path, '[auth]\njwks = "${IDP_JWKS}"\n')
    with pytest.raises(ConfigError, match=r"auth\.jwks: environment variable IDP_JWKS"):
        load(strict, env={})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("prot = 4000\n", "prot: Extra inputs are not permitted"),
        ("port = 99999\n", "port: Input should be less than or equal to 65535"),
        ('[limits]\nmax_depth = "deep"\n', "limits.max_depth"),
        ('[trusted_documents]\nmode = "strict"\n', "trusted_documents.mode"),
        ("port = \n", "is not TOML"),
    ],
)
def test_bad_files_say_where_and_what(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load(_write(tmp_path, text), env={})


def test_the_command_line_wins_over_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, FULL)
    command = typer.main.get_command(app).commands["gateway"]  # type: ignore[attr-defined]
    ctx = command.make_context("gateway", ["--config", str(path), "--port", "4200"])
    params = with_config(ctx, path, validate_only=False)
    assert params is not None
    assert params["port"] == 4200  # given on the command line
    assert params["max_depth"] == 7 and params["profile"] == "development"  # from the file
    assert params["host"] == "127.0.0.1"  # in neither: the option's default
    assert params["config"] is None


def test_validate_config_checks_the_file_and_its_supergraph(tmp_path: Path) -> None:
    supergraph = (ROOT / "schema" / "supergraph.graphql").resolve()
    good = _write(tmp_path, f'supergraph = "{supergraph}"\n[limits]\nmax_depth = 9\n')
    result = CliRunner().invoke(app, ["gateway", "--config", str(good), "--validate-config"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    missing = _write(tmp_path, 'supergraph = "nope.graphql"\n')
    result = CliRunner().invoke(app, ["gateway", "--config", str(missing), "--validate-config"])
    assert result.exit_code == 2 and "nope.graphql" in result.output
    broken = _write(tmp_path, "prot = 1\n")
    result = CliRunner().invoke(app, ["gateway", "--config", str(broken)])
    assert result.exit_code == 2 and "prot" in result.output


def test_the_published_json_schema_is_the_one_the_code_checks() -> None:
    published = json.loads((ROOT / "docs" / "gateway-config.schema.json").read_text())
    assert published == json_schema()
    assert set(published["properties"]) == set(GatewayConfig.model_fields)
