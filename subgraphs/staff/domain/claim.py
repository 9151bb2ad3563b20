"""A username as its own stream: the guard that keeps usernames unique (as customers'
email claim does). Hiring appends to the stream named after the case-folded username in
the same unit of work as the member; two hires of one name both expect version 0 and
the store lets one win; the loser's retry sees the claim and reports a conflict. Sign-in
looks a username up here too, in the write model, so a just-hired member can sign in
before any read model caught up.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.staff.domain.events import UsernameClaimed

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:staff:usernames")


def username_claim_id(username: str) -> str:
    """The guard stream of a username: the same name (any case) maps to one stream."""
    return str(uuid5(_NAMESPACE, username.strip().casefold()))


class UsernameClaim(Aggregate):
    context: ClassVar[str] = "staff"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.owner_id: str | None = None

    @classmethod
    def blank(cls, username: str) -> UsernameClaim:
        return cls(username_claim_id(username))

    def claim(self, username: str, staff_id: str) -> None:
        if self.owner_id is not None and self.owner_id != staff_id:
            raise Conflict(
                f"username {username!r} is already taken; choose another", field="username"
            )
        if self.owner_id is None:
            self._record(UsernameClaimed(username=username, staff_id=staff_id))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, UsernameClaimed):
            self.owner_id = event.staff_id
