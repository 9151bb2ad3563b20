"""What staff resolvers need at run time: the handlers, the projection, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.services import ContextServices
from subgraphs.staff.application import Clock, SecretHasher, StaffHandlers
from subgraphs.staff.projections import StaffList
from subgraphs.staff.security import StaffIdentity

C = TypeVar("C")
R = TypeVar("R")


@dataclass
class StaffRuntime:
    services: ContextServices
    handlers: StaffHandlers
    projection: StaffList
    identity: StaffIdentity
    clock: Clock

    @classmethod
    def build(
        cls,
        services: ContextServices,
        identity: StaffIdentity,
        hasher: SecretHasher,
        clock: Clock,
    ) -> StaffRuntime:
        handlers = StaffHandlers(services.store, hasher, identity.tokens, clock)
        return cls(services, handlers, StaffList(), identity, clock)

    async def run(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> Executed[R]:
        """Execute with retries, then wait until `staff.list` shows the change."""
        return await execute(
            handler, command, projection=self.projection, on_commit=self.services.wake_relay
        )

    async def run_unprojected(self, handler: Callable[[C], Awaitable[Handled[R]]], command: C) -> R:
        """Execute with retries (sign-in, sessions: nothing the staff list shows)."""
        try:
            executed = await execute(handler, command, on_commit=self.services.wake_relay)
        finally:
            self.services.wake_relay()  # a refused sign-in still recorded its failure
        return executed.value
