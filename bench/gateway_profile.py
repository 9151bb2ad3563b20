"""Where the gateway's time goes: a py-spy profile of bench/gateway.py, split by stage.

Usage: .venv/bin/python bench/gateway_profile.py [--seconds 20] [--gateway python|native]
       .venv/bin/python bench/gateway_profile.py --read var/bench/heavy-python.txt

Runs bench/gateway.py with the heavy query, 50 clients, our gateway alone on core 0 under
`py-spy record` (250 samples/s, raw collapsed stacks into var/bench/), the subgraphs and
the load on core 1, then attributes every sample to one stage. A sample belongs to the
innermost frame of its stack that a rule below names, so a JSON parse inside the subgraph
client counts as JSON parse, not as subgraph client. The event loop's own frame (uvloop's
`run`, in C: socket reads and writes, HTTP parsing by httptools, callbacks) has no Python
frame below it and counts as "event loop (I/O, uvloop)". Percentages are of the samples
in which the gateway was running (py-spy leaves idle samples out).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (stage, predicate on one frame "function (file:line)"), tried from the leaf upwards
Rule = tuple[str, str, str | None]  # stage, file fragment, function name or "file:line"
RULES: tuple[Rule, ...] = (
    ("JSON parse (subgraph answers, client body)", "fetching/fetcher.py:282", None),
    ("JSON parse (subgraph answers, client body)", "server/endpoint.py:227", None),
    ("serialization (client JSON)", "server/endpoint.py:211", None),
    ("serialization (client JSON)", "server/endpoint.py:80", None),
    ("serialization (response size check)", "runtime/gateway.py:347", None),
    ("serialization (subgraph requests)", "fetching/fetcher.py:173", None),
    ("serialization (subgraph requests)", "fetching/fetcher.py:185", None),
    ("shaping + null propagation", "execution/shaping.py", ""),
    ("shaping + null propagation", "execution/native_shaping.py", ""),
    ("merge (deep_merge)", "execution/executor.py", "deep_merge"),
    ("merge (deep_merge)", "execution/executor.py", "_merge_lists"),
    ("merge (deep_merge)", "execution/executor.py", "Executor._send_batch"),
    ("representations (collect, dedupe)", "execution/executor.py", "collect_at_path"),
    ("representations (collect, dedupe)", "execution/executor.py", "Executor._entity_fetch"),
    ("representations (collect, dedupe)", "execution/executor.py", "Executor._representation"),
    ("representations (collect, dedupe)", "execution/executor.py", "Executor._input_for"),
    ("representations (collect, dedupe)", "execution/executor.py", "Executor._copy"),
    ("planning cache lookup + variables", "runtime/gateway.py", "Gateway.prepare"),
    ("planning cache lookup + variables", "planning/plan_cache.py", ""),
    ("planning cache lookup + variables", "graphql/execution/values.py", ""),
    ("planning cache lookup + variables", "runtime/apq.py", ""),
    ("subgraph client (HTTP/1.1 pool, traffic)", "runtime/fetching/", ""),
    ("subgraph client (HTTP/1.1 pool, traffic)", "execution/executor.py", "Executor._post"),
    ("subgraph client (HTTP/1.1 pool, traffic)", "execution/executor.py", "Executor._send"),
    ("metrics + tracing", "prometheus_client/", ""),
    ("metrics + tracing", "runtime/tracing.py", ""),
    ("metrics + tracing", "opentelemetry/", ""),
    ("metrics + tracing", "plugins/metrics.py", ""),
    ("asyncio (tasks, futures, timeouts, streams)", "asyncio/", ""),
    ("asyncio (tasks, futures, timeouts, streams)", "contextlib.py", ""),
    ("executor plan walk", "execution/executor.py", ""),
    ("gateway pipeline (plugins, errors, body)", "runtime/gateway.py", ""),
    ("gateway pipeline (plugins, errors, body)", "runtime/plugins/", ""),
    ("HTTP server (uvicorn, Starlette, endpoint)", "uvicorn/", ""),
    ("HTTP server (uvicorn, Starlette, endpoint)", "starlette/", ""),
    ("HTTP server (uvicorn, Starlette, endpoint)", "runtime/server/", ""),
)
EVENT_LOOP = "event loop (I/O, uvloop)"


def stage_of(frames: list[str]) -> str:
    """The stage of one sample: the first rule that names a frame, leaf first."""
    if frames and frames[-1].startswith("Runner.run (asyncio/runners.py"):
        return EVENT_LOOP
    for frame in reversed(frames):
        name, _, where = frame.partition(" (")
        where = where.rstrip(")")
        for stage, fragment, function in RULES:
            if function is None:
                if where.endswith(fragment):
                    return stage
            elif fragment in where and (not function or name == function):
                return stage
    return "other (imports, start-up, GC)"


def split(profile: Path) -> tuple[Counter[str], int]:
    stages: Counter[str] = Counter()
    total = 0
    for line in profile.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        stages[stage_of(stack.split(";"))] += n
    return stages, total


def report(profile: Path) -> str:
    stages, total = split(profile)
    rows = [f"| {stage} | {n / total * 100:.1f}% |" for stage, n in stages.most_common()]
    return (
        "| stage | share of busy samples |\n|---|---|\n"
        + "\n".join(rows)
        + (f"\n\n{total} samples ({profile.name})")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--gateway", choices=("python", "native", "ours"), default="python")
    parser.add_argument("--read", type=Path, help="only split an existing raw profile")
    args = parser.parse_args()
    profile = args.read
    if profile is None:
        profile = ROOT / "var" / "bench" / f"gateway-heavy-{args.gateway}.txt"
        profile.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "gateway.py"),
                "--query",
                "heavy",
                "--concurrency",
                "50",
                "--pin",
                "--gateways",
                args.gateway,
                "--seconds",
                str(args.seconds),
                "--profile",
                str(profile),
            ],
            check=True,
        )
    print(report(profile))


if __name__ == "__main__":
    main()
