"""The shape every bounded context exposes, so any host can start any context the same way.

`pos serve <context>`, the embedded single-process mode and the tests all go through
this protocol (looked up by name in `subgraphs.CONTEXTS`), never through a context's
internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from beanie import Document
from starlette.types import ASGIApp

from eventbus.projection import Projection

if TYPE_CHECKING:
    from subgraphs.hosting.services import ContextServices


class ContextModule(Protocol):
    """A bounded context as a host sees it."""

    name: str
    """The context name: its topic is ``pos.<name>``, its read database ``pos_<name>``."""

    def documents(self) -> Sequence[type[Document]]:
        """The Beanie documents of the context's read models (bound at start-up)."""
        ...

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        """Read-model projections; GraphQL queries read only what these write."""
        ...

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        """Saga participants: consumers that turn other contexts' events into commands.

        They run under the same `ProjectionRunner` (retries, dead letters, offsets
        committed after the effect), so they must be idempotent like projections.
        """
        ...

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        """The bare GraphQL ASGI app (no lifespan), for a host that mounts it itself."""
        ...

    def build_app(self, services: ContextServices) -> ASGIApp:
        """The stand-alone subgraph app: `/graphql`, `/health`, `/ready`, and a lifespan
        that starts the services and the context's runners."""
        ...

    def sdl(self) -> str:
        """The subgraph's Federation v2 SDL, as committed under schema/<name>.graphql."""
        ...
