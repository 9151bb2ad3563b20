"""The breaker's states, the retry budget's arithmetic and the `--subgraph-traffic`
settings, on a fake clock where time matters."""

from __future__ import annotations

import pytest

from supergraph.runtime.fetching.circuit_breaker import CircuitBreaker
from supergraph.runtime.fetching.retry_budget import RetryBudget
from supergraph.runtime.fetching.traffic import SubgraphTraffic, TrafficPolicy, parse_setting


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_n_failures_in_a_row_and_probes_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, open_seconds=10, clock=clock)
    for ok in (False, False, True, False, False):  # a success resets the count
        assert breaker.allow()
        breaker.record(ok)
    assert breaker.state == "closed"
    breaker.record(False)
    assert breaker.state == "open" and not breaker.allow()
    assert breaker.retry_after() == 10
    clock.now += 10
    assert breaker.state == "half_open"
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # nobody else while it is out
    breaker.record(False)  # the probe failed: open for another 10 s
    assert breaker.state == "open" and not breaker.allow()
    clock.now += 10
    assert breaker.allow()
    breaker.record(True)
    assert breaker.state == "closed" and breaker.allow()


def test_a_cancelled_probe_lets_the_next_request_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, open_seconds=1, clock=clock)
    breaker.record(False)
    clock.now += 1
    assert breaker.allow()
    breaker.release_probe()
    assert breaker.allow()


def test_the_retry_budget_is_a_share_of_recent_requests() -> None:
    clock = Clock()
    budget = RetryBudget(ttl=10, min_per_second=0, percent=0.2, clock=clock)
    for _ in range(50):
        budget.deposit()
    assert sum(budget.withdraw() for _ in range(30)) == 10
    clock.now += 11  # the window moved on: those requests no longer count
    for _ in range(5):
        budget.deposit()
    assert sum(budget.withdraw() for _ in range(5)) == 1
    floor = RetryBudget(ttl=10, min_per_second=1, percent=0, clock=clock)
    assert sum(floor.withdraw() for _ in range(30)) == 10


def test_settings_for_every_subgraph_then_one() -> None:
    policy = TrafficPolicy.from_settings(
        ["reviews:retries=0", "request_timeout=5", "reviews:dedup=off", "breaker-failures=0"]
    )
    assert policy.of("products") == SubgraphTraffic(request_timeout=5, breaker_failures=0)
    assert policy.of("reviews") == SubgraphTraffic(
        request_timeout=5, breaker_failures=0, retries=0, dedup=False
    )
    assert parse_setting("max_connections=8") == (None, "max_connections", 8)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("timeout=3", "key one of connect_timeout"),
        ("reviews:retries=two", "retries takes a int"),
        ("dedup=maybe", "dedup takes a bool"),
        ("retries", "expected \\[subgraph:\\]key=value"),
    ],
)
def test_bad_settings_say_what_is_wrong(setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_setting(setting)


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError, match="request_timeout must be 0 or more"):
        SubgraphTraffic(request_timeout=-1)


@pytest.mark.parametrize(
    ("setting", "message"),
    [("nobody:retries=1", "no subgraph named nobody"), ("retries=-1", "retries must be 0")],
)
def test_pos_gateway_refuses_a_bad_traffic_setting(setting: str, message: str) -> None:
    from typer.testing import CliRunner

    from pos.cli import app

    result = CliRunner().invoke(app, ["gateway", "--subgraph-traffic", setting])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
