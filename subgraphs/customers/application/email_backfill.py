"""Give customers registered before the email guard existed their guard streams.

Without this, a customer from that time holds no claim on their email and a newcomer
could register with it. Running it is safe at any time and any number of times: it only
claims addresses nobody holds, oldest registration first, and reports the addresses two
old customers already share (those need a person to decide; nothing is changed for them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventbus import ConcurrencyError, EventStore
from eventbus.events import split_type
from eventbus.repository import EventSourcedRepository
from subgraphs.customers.domain import EmailClaim, email_claim_id

_CONTACT_EVENTS = {"pos.customers.CustomerRegistered", "pos.customers.CustomerContactUpdated"}
_PAGE = 1000


@dataclass
class BackfillReport:
    claimed: list[str] = field(default_factory=list)
    """Emails that got their guard now."""
    shared: dict[str, list[str]] = field(default_factory=dict)
    """Email -> the customer ids that hold it although it is not theirs by the guard."""


async def current_emails(store: EventStore) -> dict[str, str]:
    """Customer id -> current email, in registration order, from the whole event log."""
    emails: dict[str, str] = {}
    position = 0
    while page := await store.read_all(position, _PAGE):
        for envelope in page:
            if split_type(envelope.type)[0] in _CONTACT_EVENTS:
                emails[envelope.subject] = str(envelope.data["email"])
        position = page[-1].position or position
    return emails


async def claim_existing_emails(store: EventStore) -> BackfillReport:
    claims = EventSourcedRepository(store, EmailClaim)
    report = BackfillReport()
    for customer_id, email in (await current_emails(store)).items():
        claim = await claims.get(email_claim_id(email)) or EmailClaim.blank(email)
        if claim.owner_id is None:
            claim.claim(email, customer_id)
            try:
                await claims.save(claim)
            except ConcurrencyError:
                claim = await claims.load(email_claim_id(email))  # a registration won
            else:
                report.claimed.append(email)
        if claim.owner_id != customer_id:
            report.shared.setdefault(email, []).append(customer_id)
    return report
