"""Policies decided from token claims: the `pos gateway --policy NAME=CLAIM:VALUE` option."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..authentication import Identity


@dataclass(frozen=True)
class ClaimRule:
    """A policy granted when the verified token's `claim` is `true` (no `value`), or equals
    `value`, or is a list containing it."""

    claim: str
    value: str | None = None

    def holds(self, claims: Mapping[str, Any]) -> bool:
        found = claims.get(self.claim)
        if self.value is None:
            return found is True
        if isinstance(found, list):
            return self.value in found
        return isinstance(found, str) and found == self.value


class ClaimPolicies:
    """A `PolicyEvaluator` from a table policy name -> `ClaimRule`: unknown policies and
    anonymous requests are denied."""

    def __init__(self, rules: Mapping[str, ClaimRule]) -> None:
        self.rules = dict(rules)

    def __call__(self, policy: str, identity: Identity, _headers: Mapping[str, str]) -> bool:
        rule = self.rules.get(policy)
        if rule is None or identity.claims is None:
            return False
        return rule.holds(identity.claims)

    @classmethod
    def parse(cls, options: Iterable[str]) -> ClaimPolicies:
        """From `NAME=CLAIM` (claim is true) or `NAME=CLAIM=VALUE` strings."""
        rules: dict[str, ClaimRule] = {}
        for option in options:
            parts = option.split("=", 2)
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                raise ValueError(f"policy {option!r}: expected NAME=CLAIM or NAME=CLAIM=VALUE")
            value = parts[2] if len(parts) == 3 else None
            rules[parts[0].strip()] = ClaimRule(parts[1].strip(), value)
        return cls(rules)
