"""`pos gateway --trusted-documents`: manifests loaded, mode by profile, bad input named."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from pos.cli import app
from pos.commands.gateway_settings import trusted_documents as load_trusted_documents

DOCUMENT = "{ products(first: 1) { nodes { name } } }"


def _manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_bytes(orjson.dumps({"abc": DOCUMENT}))
    return path


def test_production_enforces_and_development_allows_by_default(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    assert load_trusted_documents([path], None, "production").mode == "enforce"
    assert load_trusted_documents([path], None, "development").mode == "allow"
    assert load_trusted_documents([path], "log", "production").mode == "log"
    assert load_trusted_documents([], None, "production") is None


def test_bad_options_stop_the_gateway_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(typer.BadParameter, match="needs --trusted-documents"):
        load_trusted_documents([], "enforce", "production")
    with pytest.raises(typer.BadParameter, match="expected one of"):
        load_trusted_documents([_manifest(tmp_path)], "strict", "production")
    broken = tmp_path / "broken.json"
    broken.write_text('{"abc": 3}')
    result = CliRunner().invoke(app, ["gateway", "--trusted-documents", str(broken)])
    assert result.exit_code == 2
    assert "has no text" in result.output
