"""The operators' token tool (`python -m ops.tokens`): it mints only with the issuer's private key
directory, and rotates, retires and publishes keys there."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from shared.auth import AUDIENCE, DEV_ISSUER, StaticJwks, TokenVerifier

ROOT = Path(__file__).resolve().parent.parent


def tokens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ops.tokens", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_minting_needs_the_issuers_key_directory(tmp_path):
    done = tokens("--keys", str(tmp_path / "nothing-here"), "mint", "--role", "district_admin", "--sub", "alice")
    assert done.returncode != 0 and "cannot open the key ring" in done.stderr
    assert done.stdout == ""


def test_an_operator_mints_rotates_retires_and_publishes(tmp_path):
    keys = str(tmp_path / "issuer-keys")
    assert tokens("--keys", keys, "init").returncode == 0
    first = tokens("--keys", keys, "mint", "--role", "street_officer", "--sub", "bob", "--street", "110101006")
    assert first.returncode == 0, first.stderr
    token = first.stdout.strip()
    old_kid = jwt.get_unverified_header(token)["kid"]
    assert not old_kid.startswith("dev-")  # a production ring's key
    new_kid = tokens("--keys", keys, "rotate").stdout.strip()
    jwks = json.loads(tokens("--keys", keys, "jwks").stdout)
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid} and all("d" not in k for k in jwks["keys"])
    verifier = TokenVerifier(StaticJwks(jwks), issuer=DEV_ISSUER, audience=AUDIENCE)
    principal = asyncio.run(verifier.verify(token))
    assert (principal.sub, principal.role.value, principal.street) == ("bob", "street_officer", "110101006")
    refused = tokens("--keys", keys, "retire", new_kid)
    assert refused.returncode == 1 and "active" in refused.stderr
    assert tokens("--keys", keys, "retire", old_kid).returncode == 0
    out = tmp_path / "jwks.json"
    assert tokens("--keys", keys, "jwks", "--out", str(out)).returncode == 0
    assert [k["kid"] for k in json.loads(out.read_text())["keys"]] == [new_kid]
    assert tokens("--keys", keys, "keys").stdout.split() == [new_kid, "(active)"]


@pytest.mark.parametrize(
    ("role", "needs"),
    [("street_officer", "--street"), ("org", "--org-id"), ("district_department", "--purchaser")],
)
def test_a_token_without_its_roles_scope_is_not_minted(tmp_path, role, needs):
    keys = str(tmp_path / "k")
    tokens("--keys", keys, "init")
    done = tokens("--keys", keys, "mint", "--role", role, "--sub", "x")
    assert done.returncode != 0 and needs in done.stderr and done.stdout == ""
