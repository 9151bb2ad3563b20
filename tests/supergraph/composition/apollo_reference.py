"""Compose with our implementation and with Apollo's (tools/apollo/compose.mjs)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from supergraph.composition import CompositionResult, Subgraph, compose

ROOT = Path(__file__).resolve().parents[3]
APOLLO = ROOT / "tools" / "apollo" / "compose.mjs"


@dataclass
class ApolloResult:
    supergraph_sdl: str | None
    error_codes: list[str]
    stderr: str
    hints: list[str] = field(default_factory=list)  # `CODE: message`, multi-line kept

    @property
    def hint_codes(self) -> set[str]:
        return {h.split(":", 1)[0] for h in self.hints}


def url_of(name: str) -> str:
    return f"http://{name}.invalid/graphql"


def apollo_compose(sdls: dict[str, str], tmp_path: Path) -> ApolloResult:
    """Run Apollo's composition on the same SDLs (node is required; its absence fails)."""
    args = []
    for name, sdl in sdls.items():
        path = tmp_path / f"{name}.graphql"
        path.write_text(sdl)
        args.append(f"{name}={path}@{url_of(name)}")
    proc = subprocess.run(
        ["node", str(APOLLO), "--hints", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    hints, rest = _split_hints(proc.stderr)
    if proc.returncode == 0:
        return ApolloResult(proc.stdout, [], rest, hints)
    codes = [line.split(":", 1)[0] for line in rest.splitlines() if line[:1].isupper()]
    return ApolloResult(None, codes, rest, hints)


def _split_hints(stderr: str) -> tuple[list[str], str]:
    """`HINT CODE: message` entries (a message may span lines) and the rest of stderr.

    compose.mjs prints every hint before any error, so a line starting with a code
    (upper case, then `:`) after the hints is an error."""
    hints: list[str] = []
    lines = stderr.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith("HINT "):
        entry = lines[i][5:]
        i += 1
        while (
            i < len(lines)
            and not lines[i].startswith("HINT ")
            and not re.match(r"[A-Z][A-Z_]+: ", lines[i])
        ):
            entry += lines[i]
            i += 1
        hints.append(entry.removesuffix("\n"))
    return hints, "".join(lines[i:])


def ours(sdls: dict[str, str]) -> CompositionResult:
    return compose([Subgraph(name, url_of(name), sdl) for name, sdl in sdls.items()])


FED2 = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key",'
    ' "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@tag",'
    ' "@interfaceObject"])\n'
)


def assert_fails_like_apollo(apollo_run, sdls: dict[str, str], code: str, *fragments: str) -> None:
    """Both compositions fail; ours with `code` and a message holding every fragment."""
    result = ours(sdls)
    assert result.supergraph_sdl is None, "composition should have failed"
    matching = [e for e in result.errors if e.code == code]
    assert matching, f"expected {code}, got {[str(e) for e in result.errors]}"
    message = matching[0].message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    reference = apollo_run(sdls)
    assert reference.supergraph_sdl is None, "Apollo composed what we reject"
    assert code in reference.error_codes, reference.stderr
