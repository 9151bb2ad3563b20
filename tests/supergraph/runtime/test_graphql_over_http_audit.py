"""The `graphql-http` package's GraphQL-over-HTTP server audit, run against our gateway.

An outside conformance suite (tools/apollo/http_audit.mjs wraps its `auditServer`): every
MUST and SHOULD of the GraphQL over HTTP spec it checks must come back "ok"."""

from __future__ import annotations

import asyncio

import orjson
from gateway_harness import RunningGraph
from reference_gateway import TOOLS


async def test_every_audit_passes(shop: RunningGraph) -> None:
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(TOOLS / "http_audit.mjs"),
        shop.gateway_url,
        # the audit's GETs and form posts are "simple" requests: CSRF prevention (csrf.py)
        # wants the proof a script set a header, as Apollo Router does
        "apollo-require-preflight=true",
        stdout=asyncio.subprocess.PIPE,
        cwd=str(TOOLS),
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0
    results = [orjson.loads(line) for line in out.splitlines() if line.strip()]
    assert len(results) >= 50, "the audit ran its suite"
    not_ok = [r for r in results if r["status"] != "ok"]
    assert not_ok == []
