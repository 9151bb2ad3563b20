"""The staff context as a `ContextModule`, plus its token authority (`StaffIdentity`).

`STAFF` reads its configuration from the environment on first use (keys under
POS_STAFF_KEYS_DIR or `$POS_DATA_DIR/keys`, issuer POS_STAFF_ISSUER); a host that keeps
its data elsewhere (`pos run --data-dir`) calls `STAFF.configure(keys_dir=...)` before
building apps. Its stand-alone app also serves the public keys at
GET /.well-known/jwks.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from beanie import Document
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from eventbus.projection import Projection
from subgraphs.hosting.app import create_subgraph_app
from subgraphs.hosting.schema import graphql_app
from subgraphs.hosting.services import ContextServices
from subgraphs.staff.application import Clock, SecretHasher, utcnow
from subgraphs.staff.graphql import StaffRuntime, schema
from subgraphs.staff.projections import DOCUMENTS, StaffList
from subgraphs.staff.security import Argon2Hasher, StaffIdentity

JWKS_PATH = "/.well-known/jwks.json"


class StaffContext:
    name = "staff"

    def __init__(
        self,
        identity: StaffIdentity | None = None,
        *,
        hasher: SecretHasher | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._identity = identity
        self.hasher: SecretHasher = hasher or Argon2Hasher()
        self.clock = clock

    @property
    def identity(self) -> StaffIdentity:
        """The token authority (from the environment unless `configure`d)."""
        if self._identity is None:
            self._identity = StaffIdentity.from_env()
        return self._identity

    def configure(
        self,
        *,
        identity: StaffIdentity | None = None,
        keys_dir: Path | str | None = None,
        issuer: str | None = None,
    ) -> StaffIdentity:
        """Use `identity`, or one with keys in `keys_dir` (and `issuer`); returns it."""
        if identity is None:
            base = StaffIdentity.from_env()
            identity = StaffIdentity(
                keys_dir if keys_dir is not None else base.keys_dir,
                issuer=issuer or base.issuer,
                clock=self.clock,
            )
        self._identity = identity
        return identity

    def runtime(self, services: ContextServices) -> StaffRuntime:
        return StaffRuntime.build(services, self.identity, self.hasher, self.clock)

    def documents(self) -> Sequence[type[Document]]:
        return DOCUMENTS

    def projections(self, services: ContextServices) -> Sequence[Projection]:
        return [StaffList()]

    def reactors(self, services: ContextServices) -> Sequence[Projection]:
        return []

    def graphql_app(self, services: ContextServices) -> ASGIApp:
        return graphql_app(schema, self.runtime(services))

    def jwks_route(self, path: str = JWKS_PATH) -> Route:
        """GET `path`: the public JWKS (for a host that mounts the staff subgraph itself)."""

        async def jwks(_: Request) -> JSONResponse:
            return JSONResponse(
                self.identity.jwks(), headers={"cache-control": "public, max-age=60"}
            )

        return Route(path, jwks, methods=["GET"])

    def build_app(self, services: ContextServices) -> ASGIApp:
        app: Starlette = create_subgraph_app(
            self.name, self.graphql_app(services), services, context=self
        )
        app.router.routes.append(self.jwks_route())
        return app

    def sdl(self) -> str:
        """What the gateway reads from `_service { sdl }`."""
        result = schema.execute_sync("{ _service { sdl } }")
        assert result.data is not None, result.errors
        sdl: str = result.data["_service"]["sdl"]
        return sdl.rstrip("\n") + "\n"


STAFF = StaffContext()
