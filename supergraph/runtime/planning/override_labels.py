"""Progressive override: which `@override(label:)` labels are active for one request.

A subgraph that takes a field over from another can do it gradually: `@override(from:
"a", label: "percent(25)")` moves a quarter of the requests, drawn at random per request,
as Apollo Router does; any other label is custom and active when the operator says so
(a fixed set, or a function of the request's headers, e.g. a canary header or a tenant).
Labels are resolved once per request, before planning, and the plan is cached per set of
active labels, so every fetch of one request sees the same choice. Subscriptions' event
plans use no label: labelled fields are read from the subgraph they are overridden from.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping

_PERCENT = re.compile(r"^percent\((\d{1,3}(?:\.\d+)?)\)$")

CustomLabels = Iterable[str] | Callable[[Mapping[str, str]], Iterable[str]]
"""Custom labels always on, or a function of the request headers naming those on."""


class OverrideLabels:
    def __init__(
        self,
        labels: frozenset[str],
        custom: CustomLabels | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.labels = labels
        self._percent: dict[str, float] = {}
        for label in labels:
            match = _PERCENT.match(label)
            if match is not None:
                self._percent[label] = float(match.group(1))
        self._custom_fn: Callable[[Mapping[str, str]], Iterable[str]] | None = None
        self._custom: frozenset[str] = frozenset()
        if callable(custom):
            self._custom_fn = custom
        elif custom is not None:
            self._custom = frozenset(custom) & labels
        self._rng = rng or random.Random()

    def active(self, headers: Mapping[str, str]) -> frozenset[str]:
        """The labels on for a request with these headers (only the supergraph's own)."""
        if not self.labels:
            return frozenset()
        on = {label for label, p in self._percent.items() if self._rng.random() * 100 < p}
        on |= self._custom
        if self._custom_fn is not None:
            on |= set(self._custom_fn(headers)) & self.labels
        return frozenset(on)
