"""An email address as its own stream: the guard that keeps customer emails unique.

Registering (or changing to) an email appends to the stream named after the address,
in the same unit of work as the customer's own event. Two commands claiming the same
address at once both expect the stream's current version and the store lets only one
append; the loser's retry sees the claim and reports a conflict. The stream id is
derived from the case-folded address, so `Ada@X.org` and `ada@x.org` share one guard.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import NAMESPACE_URL, uuid5

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.customers.domain.events import EmailClaimed, EmailReleased

_NAMESPACE = uuid5(NAMESPACE_URL, "pos:customers:emails")


def email_claim_id(email: str) -> str:
    """The guard stream of an address: the same address (any case) maps to one stream."""
    return str(uuid5(_NAMESPACE, email.strip().casefold()))


class EmailClaim(Aggregate):
    context: ClassVar[str] = "customers"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.owner_id: str | None = None

    @classmethod
    def blank(cls, email: str) -> EmailClaim:
        return cls(email_claim_id(email))

    def claim(self, email: str, customer_id: str) -> None:
        """Take the address for `customer_id`; a conflict if another customer holds it."""
        if self.owner_id is not None and self.owner_id != customer_id:
            raise Conflict(
                f"email {email!r} is already registered to another customer; "
                "use a different email, or find that customer with customers(search: ...)",
                field="email",
            )
        if self.owner_id is None:
            self._record(EmailClaimed(email=email, customer_id=customer_id))

    def release(self, email: str, customer_id: str) -> None:
        """Give the address up; only its owner can, and only while holding it."""
        if self.owner_id == customer_id:
            self._record(EmailReleased(email=email, customer_id=customer_id))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, EmailClaimed):
            self.owner_id = event.customer_id
        elif isinstance(event, EmailReleased):
            self.owner_id = None
