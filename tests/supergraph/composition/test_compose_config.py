"""`main(config, out)`: a TOML file lists subgraphs by schema file or by introspection."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from apollo_reference import FED2

from supergraph.composition import compose_from_config, main

PRODUCTS = FED2 + 'type Query { p: Product } type Product @key(fields: "id") { id: ID! }'
STOCK = FED2 + 'type Product @key(fields: "id") { id: ID! onHand: Int }'


class _Subgraph(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert "_service" in body["query"]
        payload = json.dumps({"data": {"_service": {"sdl": STOCK}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def stock_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Subgraph)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/graphql"
    server.shutdown()


def test_schema_file_and_introspection(tmp_path: Path, stock_url: str) -> None:
    (tmp_path / "products.graphql").write_text(PRODUCTS)
    config = tmp_path / "supergraph.toml"
    config.write_text(
        '[subgraphs.products]\nurl = "http://products:4001/graphql"\n'
        'schema = "products.graphql"\n\n'
        f'[subgraphs.stock]\nurl = "{stock_url}"\nintrospect = true\n'
    )
    out = tmp_path / "schema" / "supergraph.graphql"
    assert main(config, out) == 0
    sdl = out.read_text()
    assert 'PRODUCTS @join__graph(name: "products", url: "http://products:4001/graphql")' in sdl
    assert "onHand: Int @join__field(graph: STOCK)" in sdl
    assert compose_from_config(config).supergraph_sdl == sdl


def test_composition_errors_exit_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.graphql").write_text(FED2 + "type Query { x: Missing }")
    config = tmp_path / "c.toml"
    config.write_text('[subgraphs.a]\nurl = "http://a"\nschema = "a.graphql"\n')
    out = tmp_path / "out.graphql"
    assert main(config, out) == 1
    assert "INVALID_GRAPHQL: [a]" in capsys.readouterr().err
    assert not out.exists()


def test_unreadable_config_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[subgraphs.a]\nurl = "http://a"\nschema = "nowhere.graphql"\n')
    assert main(config, tmp_path / "out.graphql") == 2
    assert "nowhere.graphql" in capsys.readouterr().err
