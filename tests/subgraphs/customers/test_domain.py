"""The Customer aggregate and its value objects, without any service."""

from __future__ import annotations

import pytest

from eventbus import Conflict, DomainError
from subgraphs.customers.domain import (
    Address,
    Customer,
    CustomerAddressChanged,
    CustomerContactUpdated,
    CustomerRegistered,
    EmailClaim,
    EmailClaimed,
    EmailReleased,
    email_claim_id,
)

HOME = Address.create(line1="Main St 1", city="Berlin", postal_code="10115", country="de")


def registered() -> Customer:
    customer = Customer.register(
        "c1", name=" Ada Lovelace ", email="Ada@Example.COM", phone="+44 20 7946 0018", address=HOME
    )
    customer.collect()
    return customer


def test_register_normalises_contact_details() -> None:
    customer = Customer.register(
        "c1",
        name=" Ada Lovelace ",
        email="Ada@Example.COM",
        phone="+44 (20) 7946-0018",
        address=HOME,
    )
    (event,) = customer.pending
    assert isinstance(event, CustomerRegistered)
    assert (event.name, event.email, event.phone) == (
        "Ada Lovelace",
        "ada@example.com",
        "+442079460018",
    )
    assert event.address.country == "DE"
    assert customer.version == 1


@pytest.mark.parametrize(
    "email", ["", "plain", "a@b", "a@@b.com", "a b@c.com", "x@-bad.com", f"{'a' * 65}@x.com"]
)
def test_malformed_email_is_rejected_with_the_field(email: str) -> None:
    with pytest.raises(DomainError) as caught:
        Customer.register("c1", name="A", email=email, phone="+4930123456", address=HOME)
    assert caught.value.field == "email"


@pytest.mark.parametrize("phone", ["", "12345", "+49 30 abc", "1" * 16, "++4930123456"])
def test_malformed_phone_is_rejected(phone: str) -> None:
    with pytest.raises(DomainError) as caught:
        Customer.register("c1", name="A", email="a@b.co", phone=phone, address=HOME)
    assert caught.value.field == "phone"
    assert "not a valid phone number" in caught.value.message


def test_oversized_and_empty_strings_are_rejected() -> None:
    with pytest.raises(DomainError, match="maximum is 120"):
        Customer.register("c1", name="x" * 121, email="a@b.co", phone="+4930123456", address=HOME)
    with pytest.raises(DomainError, match="must not be empty"):
        Customer.register("c1", name="  ", email="a@b.co", phone="+4930123456", address=HOME)
    with pytest.raises(DomainError, match=r"address\.line1"):
        Address.create(line1="x" * 201, city="B", postal_code="1", country="DE")
    with pytest.raises(DomainError, match="two-letter"):
        Address.create(line1="x", city="B", postal_code="1", country="Germany")


def test_update_contact_keeps_what_is_not_given_and_skips_no_ops() -> None:
    customer = registered()
    customer.update_contact(email="ada@analytical.org")
    (event,) = customer.collect()
    assert isinstance(event, CustomerContactUpdated)
    assert (event.name, event.email, event.phone) == (
        "Ada Lovelace",
        "ada@analytical.org",
        "+442079460018",
    )
    customer.update_contact(name="Ada Lovelace")
    assert customer.collect() == []
    with pytest.raises(DomainError, match="at least one"):
        customer.update_contact()


def test_change_address_and_replay_rebuild_the_same_state() -> None:
    customer = registered()
    new_home = Address.create(line1="Ring 2", city="Paris", postal_code="75001", country="FR")
    customer.change_address(new_home)
    events = [
        CustomerRegistered(
            name="Ada Lovelace",
            email="ada@example.com",
            phone="+442079460018",
            address=customer.pending[0].address,  # type: ignore[attr-defined]
        ),
        *customer.pending,
    ]
    assert isinstance(customer.pending[0], CustomerAddressChanged)
    replayed = Customer.replay("c1", events)
    assert replayed.address == new_home
    assert replayed.version == 2


def test_commands_on_an_unregistered_customer_conflict() -> None:
    with pytest.raises(Conflict):
        Customer("nobody").change_address(HOME)


def test_an_email_guard_has_one_owner_at_a_time() -> None:
    assert email_claim_id(" Ada@Example.COM") == email_claim_id("ada@example.com")
    guard = EmailClaim.blank("ada@example.com")
    guard.claim("ada@example.com", "c1")
    guard.claim("ada@example.com", "c1")  # the owner again: nothing new
    assert [type(e) for e in guard.pending] == [EmailClaimed]
    held = EmailClaim.replay(guard.id, list(guard.pending))
    with pytest.raises(Conflict, match="already registered to another customer") as caught:
        held.claim("ada@example.com", "c2")
    assert caught.value.field == "email"
    held.release("ada@example.com", "c2")  # not the owner: nothing happens
    assert not held.pending
    held.release("ada@example.com", "c1")
    assert [type(e) for e in held.pending] == [EmailReleased]
    held.claim("ada@example.com", "c2")
    assert held.owner_id == "c2"
