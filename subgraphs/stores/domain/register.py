"""The Register aggregate: a till of one store, named by a code unique in that store.

The code's uniqueness is the store's rule (`Store.assign_register`); the register's own
stream says whether it may be used.
"""

from __future__ import annotations

from typing import ClassVar

from eventbus import Aggregate, Conflict, DomainEvent
from subgraphs.stores.domain.events import RegisterAdded, RegisterDeactivated
from subgraphs.stores.domain.values import parse_name

DEACTIVATED = "deactivated"
STORE_CLOSED = "store closed"


class Register(Aggregate):
    context: ClassVar[str] = "stores"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.store_id = ""
        self.code = ""
        self.name = ""
        self.active = False

    @classmethod
    def add(cls, register_id: str, *, store_id: str, code: str, name: str) -> Register:
        """A new, active register; `code` arrives validated and assigned by its store."""
        register = cls(register_id)
        register._record(
            RegisterAdded(
                register_id=register_id,
                store_id=store_id,
                code=code,
                name=parse_name(name or code),
            )
        )
        return register

    def deactivate(self, reason: str = DEACTIVATED) -> None:
        if not self.active:
            raise Conflict(f"register {self.code} is already inactive", field="id")
        self._record(
            RegisterDeactivated(register_id=self.id, store_id=self.store_id, reason=reason)
        )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case RegisterAdded():
                self.store_id = event.store_id
                self.code = event.code
                self.name = event.name
                self.active = True
            case RegisterDeactivated():
                self.active = False
