"""Compose from a TOML file listing subgraphs, and the `pos compose` entry point.

```toml
[subgraphs.catalog]
url = "http://127.0.0.1:4001/graphql"   # what the gateway will call
schema = "../schema/catalog.graphql"     # relative to this file ...

[subgraphs.ordering]
url = "http://127.0.0.1:4004/graphql"
introspect = true                        # ... or ask the running subgraph: { _service { sdl } }
```
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx

from .compose import CompositionResult, compose
from .subgraph import Subgraph

_SERVICE_QUERY = "{ _service { sdl } }"


class ConfigError(Exception):
    """The config file or a subgraph it names cannot be read; the message says which."""


def fetch_sdl(url: str, timeout: float = 10.0) -> str:
    """A running subgraph's SDL through federation's `_service { sdl }`."""
    try:
        response = httpx.post(url, json={"query": _SERVICE_QUERY}, timeout=timeout)
        response.raise_for_status()
        body: Any = response.json()
    except (httpx.HTTPError, ValueError) as e:
        raise ConfigError(f"cannot introspect {url}: {e}") from e
    sdl = ((body.get("data") or {}).get("_service") or {}).get("sdl")
    if not isinstance(sdl, str):
        raise ConfigError(f"{url} did not answer {_SERVICE_QUERY} with an SDL: {body}")
    return sdl


def load_config(path: str | Path) -> list[Subgraph]:
    """The subgraphs a config file lists, in file order, with their SDLs loaded."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from e
    entries = data.get("subgraphs")
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{path}: expected one or more [subgraphs.<name>] tables")
    out: list[Subgraph] = []
    for name, entry in entries.items():
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str):
            raise ConfigError(f"{path}: subgraph {name!r} needs a url")
        schema = entry.get("schema")
        if isinstance(schema, str):
            schema_path = (path.parent / schema).resolve()
            try:
                sdl = schema_path.read_text()
            except OSError as e:
                raise ConfigError(f"subgraph {name!r}: cannot read {schema_path}: {e}") from e
        elif entry.get("introspect"):
            target = entry["introspect"] if isinstance(entry["introspect"], str) else url
            sdl = fetch_sdl(target)
        else:
            raise ConfigError(
                f'{path}: subgraph {name!r} needs `schema = "file.graphql"` or `introspect = true`'
            )
        out.append(Subgraph(name, url, sdl))
    return out


def compose_from_config(path: str | Path) -> CompositionResult:
    """Compose the subgraphs a TOML config lists; raises ConfigError if it can't load them."""
    return compose(load_config(path))


def print_hints(result: CompositionResult) -> None:
    """Apollo's composition hints on stderr, `HINT CODE: message`; they never fail a run."""
    for hint in result.hints:
        print(f"HINT {hint}", file=sys.stderr)


def main(config_path: str | Path, out_path: str | Path) -> int:
    """CLI body: 0 and the supergraph written, 1 on composition errors, 2 on config errors;
    hints are printed either way."""
    try:
        result = compose_from_config(config_path)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_hints(result)
    if result.supergraph_sdl is None:
        for error in result.errors:
            print(str(error), file=sys.stderr)
        print(f"composition failed with {len(result.errors)} error(s)", file=sys.stderr)
        return 1
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.supergraph_sdl)
    return 0
