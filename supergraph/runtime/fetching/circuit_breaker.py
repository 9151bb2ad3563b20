"""A circuit breaker per subgraph: stop waiting on a subgraph that keeps failing.

Closed: requests flow; `failures` failures in a row (transport errors, timeouts, HTTP 5xx)
open it. Open: every request is refused at once (SUBREQUEST_CIRCUIT_OPEN) for
`open_seconds`, so a hung subgraph costs clients nothing instead of a full timeout each.
Half-open: then one probe request goes through; its success closes the breaker, its
failure opens it for another `open_seconds`. Requests arriving while the probe is out are
refused like in the open state (one probe, not a stampede onto a recovering subgraph).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """The breaker of one subgraph. `allow()` before a request; `record(ok)` after it."""

    __slots__ = ("_clock", "_failures", "_opened_at", "_probing", "failures", "open_seconds")

    def __init__(
        self,
        failures: int = 5,
        open_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or open_seconds <= 0:
            raise ValueError("a circuit breaker needs failures >= 1 and open_seconds > 0")
        self.failures = failures
        self.open_seconds = open_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if not self._probing and self._clock() - self._opened_at < self.open_seconds:
            return "open"
        return "half_open"

    def retry_after(self) -> float:
        """Seconds until the next probe may go (0 when closed)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.open_seconds - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """Whether a request may go now (in half-open state: the one probe)."""
        if self._opened_at is None:
            return True
        if self._probing or self._clock() - self._opened_at < self.open_seconds:
            return False
        self._probing = True
        return True

    def record(self, ok: bool) -> None:
        if ok:
            self._failures = 0
            self._opened_at = None
            self._probing = False
            return
        if self._probing or self._opened_at is not None:
            self._opened_at = self._clock()  # the probe failed: open again
            self._probing = False
            return
        self._failures += 1
        if self._failures >= self.failures:
            self._opened_at = self._clock()

    def release_probe(self) -> None:
        """The probe ended without an outcome (cancelled): let the next request probe."""
        self._probing = False
