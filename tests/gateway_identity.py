"""The gateway identity every test's subgraph call carries (`subgraphs.hosting.identity`).

Subgraphs accept only calls the gateway signed. Tests that call a subgraph app directly
use `TEST_SIGNER` (a key made for this test process) through `identity_client` /
`GatewayIdentityAuth`, and build their services with `gateway_identity=TEST_VERIFIER`;
gateways built in tests get `subgraph_identity=TEST_SIGNER`.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

import httpx

from subgraphs.hosting.identity import IdentityVerifier
from subgraphs.staff.domain.roles import Role, scopes_for
from supergraph.runtime.fetching.subgraph_identity import (
    HEADER,
    IdentitySigner,
    generate_private_jwk,
)

TEST_KEY = generate_private_jwk()
"""The private JWK of `TEST_SIGNER`, for a gateway started as its own process."""
TEST_SIGNER = IdentitySigner(TEST_KEY)
TEST_VERIFIER = IdentityVerifier.from_jwks(TEST_SIGNER.public_jwks(), "tests")

ALL_SCOPES = " ".join(scopes_for([Role.ADMIN]))
"""Every scope of the permission matrix (an admin holds them all)."""
TEST_CLAIMS: dict[str, Any] = {
    "sub": "test-admin",
    "name": "Test Admin",
    "username": "test.admin",
    "roles": ["ADMIN"],
    "scope": ALL_SCOPES,
    "sid": "test-session",
    "iss": "urn:pos:tests",
}
"""A member holding every scope: what test clients act as unless they say otherwise."""


class GatewayIdentityAuth(httpx.Auth):
    """Adds a fresh gateway identity token (for `claims`; None: anonymous) to each request."""

    def __init__(
        self, claims: Mapping[str, Any] | None = TEST_CLAIMS, signer: IdentitySigner = TEST_SIGNER
    ) -> None:
        self.claims = claims
        self.signer = signer

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if HEADER not in request.headers:  # a test may send its own (or a bad) one
            request.headers[HEADER] = self.signer.token(self.claims)
        yield request


def identity_headers(claims: Mapping[str, Any] | None = TEST_CLAIMS) -> dict[str, str]:
    return {HEADER: TEST_SIGNER.token(claims)}


def identity_client(
    app: Any,
    base_url: str = "http://subgraph",
    claims: Mapping[str, Any] | None = TEST_CLAIMS,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An httpx client of an in-process ASGI subgraph app, carrying the test identity."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=base_url,
        auth=GatewayIdentityAuth(claims),
        **kwargs,
    )
