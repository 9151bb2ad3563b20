"""Several trusted issuers: our staff identity (keys in memory) beside an outside OIDC
provider (a JWKS file, Keycloak-style `realm_access.roles`) whose roles map to our scopes.

Each token is verified with the keys of the issuer it names and no other; a provider's own
`scope` claim never grants ours; `alg: none`, unknown issuers and cross-issuer keys fail.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from supergraph.runtime.plugins.authentication import (
    AuthenticationError,
    JwksSource,
    JwtAuthenticator,
    TrustedIssuer,
)

STAFF = "urn:pos:staff"
OIDC = "https://sso.example.test/realms/shop"


def _public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key))
    return {**jwk, "kid": kid, "use": "sig", "alg": alg}


def _token(key: Any, kid: str, alg: str, **claims: Any) -> str:
    now = int(time.time())
    body = {"iat": now, "nbf": now, "exp": now + 300, **claims}
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


class Keys:
    def __init__(self, tmp: Path) -> None:
        self.staff = ed25519.Ed25519PrivateKey.generate()
        self.staff_jwks = {"keys": [_public_jwk(self.staff.public_key(), "staff-1", "EdDSA")]}
        self.oidc = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.oidc_path = tmp / "oidc-jwks.json"
        self.oidc_path.write_text(
            json.dumps({"keys": [_public_jwk(self.oidc.public_key(), "sso-1", "RS256")]})
        )

    def authenticator(self) -> JwtAuthenticator:
        return JwtAuthenticator(
            issuers=[
                TrustedIssuer(
                    JwksSource.in_memory("staff", lambda: self.staff_jwks),
                    issuer=STAFF,
                    audience="pos",
                ),
                TrustedIssuer(
                    JwksSource(str(self.oidc_path)),
                    issuer=OIDC,
                    audience="pos-web",
                    roles_claim="realm_access.roles",
                    role_scopes={
                        "CASHIER": ["sales:write", "orders:read"],
                        "MANAGER": ["sales:write", "orders:read", "prices:write"],
                    },
                ),
            ]
        )


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys(tmp_path_factory.mktemp("issuers"))


async def _claims(auth: JwtAuthenticator, token: str) -> dict[str, Any]:
    identity = await auth.authenticate({"authorization": f"Bearer {token}"})
    assert identity.claims is not None
    return dict(identity.claims)


async def test_staff_tokens_pass_with_their_own_scopes(keys: Keys) -> None:
    token = _token(
        keys.staff, "staff-1", "EdDSA", iss=STAFF, aud="pos", sub="s1", scope="orders:read"
    )
    identity = await keys.authenticator().authenticate({"authorization": f"Bearer {token}"})
    assert identity.scopes == {"orders:read"}
    assert identity.claims is not None and identity.claims["sub"] == "s1"


async def test_oidc_roles_become_our_scopes_and_its_own_scopes_are_dropped(keys: Keys) -> None:
    token = _token(
        keys.oidc,
        "sso-1",
        "RS256",
        iss=OIDC,
        aud="pos-web",
        sub="kc-42",
        scope="openid profile staff:manage",
        realm_access={"roles": ["manager", "offline_access"]},
    )
    claims = await _claims(keys.authenticator(), token)
    assert claims["roles"] == ["MANAGER"]
    assert set(claims["scope"].split()) == {"sales:write", "orders:read", "prices:write"}
    assert "staff:manage" not in claims["scope"]


async def test_an_oidc_user_without_a_mapped_role_has_no_scope(keys: Keys) -> None:
    token = _token(
        keys.oidc, "sso-1", "RS256", iss=OIDC, aud="pos-web", sub="kc-7", realm_access={}
    )
    claims = await _claims(keys.authenticator(), token)
    assert claims["scope"] == "" and claims["roles"] == []


@pytest.mark.parametrize(
    "case",
    ["unknown-issuer", "staff-key-for-oidc", "oidc-key-for-staff", "wrong-audience", "alg-none"],
)
async def test_tokens_not_from_their_own_issuer_are_refused(keys: Keys, case: str) -> None:
    if case == "unknown-issuer":
        token = _token(keys.staff, "staff-1", "EdDSA", iss="https://evil.test", aud="pos")
    elif case == "staff-key-for-oidc":
        # Signed by a key we trust, but for another issuer than the one it names.
        token = _token(keys.staff, "staff-1", "EdDSA", iss=OIDC, aud="pos-web")
    elif case == "oidc-key-for-staff":
        token = _token(keys.oidc, "sso-1", "RS256", iss=STAFF, aud="pos", scope="staff:manage")
    elif case == "wrong-audience":
        token = _token(keys.oidc, "sso-1", "RS256", iss=OIDC, aud="someone-else")
    else:
        header = jwt.utils.base64url_encode(json.dumps({"alg": "none"}).encode()).decode()
        body = jwt.utils.base64url_encode(
            json.dumps({"iss": STAFF, "aud": "pos", "scope": "staff:manage"}).encode()
        ).decode()
        token = f"{header}.{body}."
    with pytest.raises(AuthenticationError):
        await keys.authenticator().authenticate({"authorization": f"Bearer {token}"})


async def test_in_memory_keys_are_reread_when_a_new_kid_appears(keys: Keys) -> None:
    auth = keys.authenticator()
    first = _token(keys.staff, "staff-1", "EdDSA", iss=STAFF, aud="pos", sub="a")
    assert (await _claims(auth, first))["sub"] == "a"
    rotated = ed25519.Ed25519PrivateKey.generate()
    keys.staff_jwks = {
        "keys": [*keys.staff_jwks["keys"], _public_jwk(rotated.public_key(), "staff-2", "EdDSA")]
    }
    second = _token(rotated, "staff-2", "EdDSA", iss=STAFF, aud="pos", sub="b")
    assert (await _claims(auth, second))["sub"] == "b"
    # The old key stays trusted while it is still published.
    assert (await _claims(auth, first))["sub"] == "a"


def test_several_issuers_must_each_name_their_iss(keys: Keys) -> None:
    source = JwksSource(str(keys.oidc_path))
    with pytest.raises(ValueError, match="must name"):
        JwtAuthenticator(issuers=[TrustedIssuer(source), TrustedIssuer(source, issuer=OIDC)])
