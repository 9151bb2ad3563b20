"""Access tokens and the key ring: claims, EdDSA with a `kid`, the key file, rotation."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from subgraphs.staff.domain import Role
from subgraphs.staff.security import ACCESS_TOKEN_LIFETIME, KEY_FILE, StaffIdentity
from subgraphs.staff.security.keyring import KEY_RETIREMENT_MARGIN, KeyRing
from tests.subgraphs.staff.support import FakeClock


def issue(identity: StaffIdentity, *, register: str | None = None) -> str:
    return identity.tokens.issue(
        staff_id="8d0b5a8e-0000-4000-8000-000000000001",
        username="ada",
        name="Ada Lovelace",
        roles=[Role.CASHIER, Role.SUPERVISOR],
        session_id="s-1",
        method="pin" if register else "pwd",
        register_id=register,
    ).token


def test_access_tokens_carry_the_documented_claims(tmp_path: Path) -> None:
    clock = FakeClock()
    identity = StaffIdentity(tmp_path, clock=clock)
    token = issue(identity)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == identity.jwks()["keys"][0]["kid"]
    claims = identity.verify(token)
    now = int(clock.now.timestamp())
    assert claims["iss"] == "urn:pos:staff" and claims["aud"] == "pos"
    assert claims["sub"] == "8d0b5a8e-0000-4000-8000-000000000001"
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (now, now, now + 15 * 60)
    assert claims["roles"] == ["CASHIER", "SUPERVISOR"]
    assert "discounts:approve" in claims["scope"].split()
    assert "staff:read" not in claims["scope"].split()
    assert (claims["name"], claims["username"], claims["sid"]) == ("Ada Lovelace", "ada", "s-1")
    assert claims["amr"] == ["pwd"] and "register" not in claims and claims["jti"]
    pin = identity.verify(issue(identity, register="till-1"))
    assert pin["amr"] == ["pin"] and pin["register"] == "till-1"


def test_the_issuer_is_configurable_and_checked(tmp_path: Path) -> None:
    ours = StaffIdentity.from_env(
        {"POS_STAFF_KEYS_DIR": str(tmp_path), "POS_STAFF_ISSUER": "urn:x"}
    )
    assert ours.issuer == "urn:x" and ours.keys_dir == tmp_path
    token = issue(ours)
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == "urn:x"
    other = StaffIdentity(tmp_path)  # same keys, default issuer
    with pytest.raises(jwt.InvalidIssuerError):
        other.verify(token)


def test_expired_tokens_are_refused(tmp_path: Path) -> None:
    clock = FakeClock()
    identity = StaffIdentity(tmp_path, clock=clock)
    clock.advance(-ACCESS_TOKEN_LIFETIME - timedelta(seconds=5))
    token = issue(identity)  # issued 15 min 5 s ago
    with pytest.raises(jwt.ExpiredSignatureError):
        identity.verify(token)


def test_the_key_file_is_generated_once_private_and_public_jwks_has_no_secret(
    tmp_path: Path,
) -> None:
    identity = StaffIdentity(tmp_path / "keys")
    jwks = identity.jwks()
    path = tmp_path / "keys" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "DEVELOPMENT DEFAULT" in json.loads(path.read_text())["note"]
    (key,) = jwks["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert "d" not in key
    assert StaffIdentity(tmp_path / "keys").jwks() == jwks  # a second process: same keys
    published = json.loads((tmp_path / "keys" / "staff-jwks.json").read_text())
    assert published == jwks


def test_after_rotation_old_tokens_verify_until_the_old_key_retires(tmp_path: Path) -> None:
    clock = FakeClock()
    identity = StaffIdentity(tmp_path, clock=clock)
    old_kid = identity.jwks()["keys"][0]["kid"]
    old_token = issue(identity)
    new_kid = identity.rotate_keys()
    new_token = issue(identity)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid != old_kid
    assert [k["kid"] for k in identity.jwks()["keys"]] == [new_kid, old_kid]
    # another process (a gateway reading the file) sees the rotation too
    assert [k["kid"] for k in KeyRing(tmp_path, clock=clock).jwks()["keys"]] == [new_kid, old_kid]
    assert identity.verify(old_token)["sub"] and identity.verify(new_token)["sub"]
    clock.advance(ACCESS_TOKEN_LIFETIME + KEY_RETIREMENT_MARGIN - timedelta(seconds=1))
    assert old_kid in [k["kid"] for k in identity.jwks()["keys"]]
    clock.advance(timedelta(seconds=1))
    assert [k["kid"] for k in identity.jwks()["keys"]] == [new_kid]
    with pytest.raises(jwt.InvalidTokenError, match="no key"):
        identity.verify(old_token)
    identity.rotate_keys()  # the retired key is dropped from the file as well
    kids = [k["kid"] for k in json.loads((tmp_path / KEY_FILE).read_text())["keys"]]
    assert old_kid not in kids and new_kid in kids


def test_a_running_signer_picks_up_a_rotation_made_by_another_process(tmp_path: Path) -> None:
    serving = StaffIdentity(tmp_path)
    issue(serving)
    kid = StaffIdentity(tmp_path).rotate_keys()  # `pos staff rotate-keys`
    assert jwt.get_unverified_header(issue(serving))["kid"] == kid
