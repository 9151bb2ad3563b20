"""Who caused the events being written: a context variable the store stamps on envelopes.

`acting_as(actor)` sets it for a block (a subgraph request, a reactor's apply, the seed);
`EventSourcedRepository.save` and the SQL unit of work give every envelope that has no
explicit `actor` the current one. An actor is a small JSON object:

- a member of staff, from the identity the gateway verified:
  ``{"staffId": sub, "name": ..., "roles": [...], "session": sid, "register": ...}``
  (keys without a value are left out);
- the system: ``{"system": "<what>"}`` (a saga reactor without a causing actor, the seed).

Reactors and projection runners run each event's `apply` acting as that event's actor
(else ``{"system": <projection name>}``), so a saga's follow-up events name the member
whose command started it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

Actor = dict[str, Any]

_current: ContextVar[Actor | None] = ContextVar("pos_actor", default=None)


def current_actor() -> Actor | None:
    """The actor of the events written now (None: nobody said)."""
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Mapping[str, Any] | None) -> Iterator[None]:
    """Stamp `actor` on the events written inside the block (None clears it)."""
    token = _current.set(dict(actor) if actor is not None else None)
    try:
        yield
    finally:
        _current.reset(token)


def system_actor(name: str) -> Actor:
    return {"system": name}


def staff_actor(claims: Mapping[str, Any] | None) -> Actor | None:
    """The actor for a verified identity's claims (None for an anonymous caller)."""
    if not claims or not claims.get("sub"):
        return None
    actor: Actor = {"staffId": str(claims["sub"])}
    for key, claim in (("name", "name"), ("roles", "roles"), ("session", "sid")):
        value = claims.get(claim)
        if value not in (None, "", []):
            actor[key] = list(value) if key == "roles" and isinstance(value, list) else value
    register = claims.get("register")
    if register not in (None, ""):
        actor["register"] = register
    return actor
