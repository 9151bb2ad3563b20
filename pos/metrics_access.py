"""Who may scrape a `/metrics` endpoint: loopback by default, `POS_METRICS_ALLOW` widens it.

The names of a shop's operations and its traffic are not for the internet, so every
service (gateway and subgraphs alike) answers `/metrics` to 127.0.0.0/8 and ::1 only,
unless `POS_METRICS_ALLOW` lists networks (``10.0.0.0/8,192.168.1.5``) or is ``*``.
"""

from __future__ import annotations

import ipaddress
import os

ALLOW_ENV = "POS_METRICS_ALLOW"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(value: str | None = None) -> tuple[Network, ...] | None:
    """The networks that may scrape (None: everyone), from `POS_METRICS_ALLOW`."""
    text = os.environ.get(ALLOW_ENV, "") if value is None else value
    if text.strip() == "*":
        return None
    entries = [e.strip() for e in text.split(",") if e.strip()] or ["127.0.0.0/8", "::1/128"]
    try:
        return tuple(ipaddress.ip_network(e, strict=False) for e in entries)
    except ValueError as exc:
        raise ValueError(f"{ALLOW_ENV}: {exc}") from None


def may_scrape(host: str | None, allow: tuple[Network, ...] | None) -> bool:
    """Whether a client at `host` may read the metrics."""
    if allow is None:
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in network for network in allow)
