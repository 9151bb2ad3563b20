"""The resume cursor of a subscription: a low watermark and the deliveries above it.

A subscription over many streams (every sale of a store) can be pushed a lower event
position after a higher one: the streams' events travel on different Kafka partitions,
and on PostgreSQL a transaction that took its position first may commit last. "The
highest position I saw" is then not a safe place to resume from: an event below it that
was still on its way when the client disconnected would never be replayed.

So each push carries, beside its event's `position`, a `cursor`: a watermark `W` (every
event of the subscription at or below it has been pushed) and the positions above `W`
that were pushed too. Resuming replays the stored events after `W` that are not in that
list. The watermark trails the pushes by a reorder horizon (5 s by default): once a push
is that old, any event with a lower position is assumed to have arrived (or to never
come), the same bound event-store daemons use for a gap in the sequence (Marten's stale
sequence threshold). Within one stream positions only rise, so there the cursor is exact
whatever the horizon.

Written form: ``"W"`` or ``"W.d1.d2..."`` with each `d` the distance of a pushed
position above `W`, ascending. A plain number (the `position` of a push, or a cursor of
a subscription that had nothing recent above its watermark) is the same as ``"W"``: older
clients that resume from a position keep working.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REORDER_HORIZON_S = 5.0
"""How long after a push a lower position may still arrive (see the module docstring)."""
MAX_ABOVE = 512
"""Most positions a cursor lists above its watermark; past it the watermark moves up."""
MAX_CURSOR_CHARS = 8192


class CursorError(ValueError):
    """A resume cursor that is not one this gateway writes."""


@dataclass(frozen=True)
class ResumeCursor:
    """Where a subscription resumes: after `watermark`, skipping the positions in `above`."""

    watermark: int
    above: frozenset[int] = frozenset()

    def covers(self, position: int) -> bool:
        """Whether the client already has the event at `position`."""
        return position <= self.watermark or position in self.above

    def __str__(self) -> str:
        if not self.above:
            return str(self.watermark)
        deltas = (str(p - self.watermark) for p in sorted(self.above))
        return ".".join((str(self.watermark), *deltas))

    @classmethod
    def parse(cls, raw: object) -> ResumeCursor:
        """A cursor from a client: an int position, or the written form (see module)."""
        if isinstance(raw, bool):
            raise CursorError("a cursor is not a boolean")
        if isinstance(raw, int):
            if raw < 0:
                raise CursorError("a position is not negative")
            return cls(raw)
        if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_CURSOR_CHARS:
            raise CursorError("a cursor is a position or the cursor of a push")
        parts = raw.strip().split(".")
        if len(parts) > MAX_ABOVE + 1 or not all(p.isdigit() and len(p) <= 18 for p in parts):
            raise CursorError("a cursor is a position or the cursor of a push")
        watermark = int(parts[0])
        deltas = [int(p) for p in parts[1:]]
        if any(d <= 0 for d in deltas):
            raise CursorError("the positions of a cursor lie above its watermark")
        return cls(watermark, frozenset(watermark + d for d in deltas))


@dataclass
class DeliveryLog:
    """What one subscription has pushed, kept just long enough to write its cursor.

    Start it with `resumed` (the client's cursor) or `fresh` (what the feed received of
    the topic within the horizon before the subscription opened, so that an event below
    those still on its way counts as missed, not as before). `clock`: monotonic seconds.
    """

    horizon: float = REORDER_HORIZON_S
    max_above: int = MAX_ABOVE
    clock: Callable[[], float] = time.monotonic
    watermark: int | None = None
    recent: deque[tuple[float, int]] = field(default_factory=deque)

    @classmethod
    def resumed(cls, cursor: ResumeCursor, **options: Any) -> DeliveryLog:
        log = cls(**options)
        log.watermark = cursor.watermark
        now = log.clock()
        # what the client had above its watermark stays listed for one more horizon
        log.recent.extend((now, p) for p in sorted(cursor.above))
        return log

    @classmethod
    def fresh(cls, arrivals: Arrivals | None = None, **options: Any) -> DeliveryLog:
        log = cls(**options)
        if arrivals is not None:
            log.watermark = arrivals.watermark
            log.recent.extend(arrivals.recent)
            if log.watermark is None and log.recent:
                log.watermark = min(p for _, p in log.recent) - 1
        return log

    def pushed(self, position: int) -> ResumeCursor:
        """Record the push of `position`; the cursor the client resumes from after it."""
        now = self.clock()
        if self.watermark is None:
            self.watermark = position - 1  # nothing known of the topic before this push
        recent = self.recent
        while recent and (recent[0][0] <= now - self.horizon or len(recent) >= self.max_above):
            _, old = recent.popleft()
            self.watermark = max(self.watermark, old)
        if position > self.watermark:
            recent.append((now, position))
        watermark = self.watermark
        return ResumeCursor(watermark, frozenset(p for _, p in recent if p > watermark))


@dataclass
class Arrivals:
    """What a feed received of one topic: the positions of the last `horizon` seconds, in
    arrival order, and the watermark below them (the highest position older than that).

    The feed records every event of the topic, matching a subscription or not: a fresh
    subscription starts from here (`DeliveryLog.fresh`), so the events it was opened
    after count as the client's, and a lower one still on its way does not.
    """

    horizon: float = REORDER_HORIZON_S
    limit: int = 4 * MAX_ABOVE
    clock: Callable[[], float] = time.monotonic
    watermark: int | None = None
    recent: deque[tuple[float, int]] = field(default_factory=deque)

    def arrived(self, position: int) -> None:
        now = self.clock()
        self._age(now)
        self.recent.append((now, position))

    def snapshot(self) -> Arrivals:
        """A copy as of now (for a subscription that opens now)."""
        self._age(self.clock())
        return Arrivals(self.horizon, self.limit, self.clock, self.watermark, deque(self.recent))

    def _age(self, now: float) -> None:
        recent = self.recent
        while recent and (recent[0][0] <= now - self.horizon or len(recent) >= self.limit):
            _, old = recent.popleft()
            self.watermark = old if self.watermark is None else max(self.watermark, old)
