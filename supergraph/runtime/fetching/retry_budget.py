"""How many retries a subgraph may get: a share of its recent traffic (Finagle's and
Apollo Router's retry budget).

Retries help against a blip (a dropped connection, one 503) and hurt against an outage:
every client request would become 1 + retries requests on a subgraph that is already
struggling. The budget allows, over the last `ttl` seconds, `min_per_second * ttl` retries
plus `percent` of the requests sent, and no more, so under a lasting failure the extra
load is bounded by `percent`.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RetryBudget:
    """Sliding window of one-second buckets counting requests and retries."""

    __slots__ = ("_buckets", "_clock", "min_per_second", "percent", "ttl")

    def __init__(
        self,
        ttl: float = 10.0,
        min_per_second: float = 10.0,
        percent: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 1 or min_per_second < 0 or not 0 <= percent <= 1000:
            raise ValueError("a retry budget needs ttl >= 1 s, min_per_second >= 0, percent >= 0")
        self.ttl = ttl
        self.min_per_second = min_per_second
        self.percent = percent
        self._clock = clock
        self._buckets: dict[int, list[int]] = {}  # second -> [requests, retries]

    def _bucket(self) -> list[int]:
        now = int(self._clock())
        bucket = self._buckets.get(now)
        if bucket is None:
            oldest = now - int(self.ttl)
            for second in [s for s in self._buckets if s <= oldest]:
                del self._buckets[second]
            bucket = self._buckets[now] = [0, 0]
        return bucket

    def deposit(self) -> None:
        """One request sent (first attempts only)."""
        self._bucket()[0] += 1

    def withdraw(self) -> bool:
        """Take one retry if the budget has it; False: do not retry."""
        current = self._bucket()
        requests = sum(b[0] for b in self._buckets.values())
        retries = sum(b[1] for b in self._buckets.values())
        if retries >= self.min_per_second * self.ttl + self.percent * requests:
            return False
        current[1] += 1
        return True
