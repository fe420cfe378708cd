"""Tokens: the issuer's key ring signs, services verify with its public keys only; every kind of
bad token is refused (401), roles are enforced (403)."""

from __future__ import annotations

import asyncio
import base64
import json
import stat
import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, FastAPI

from shared.auth import (
    AUDIENCE,
    DEV_ISSUER,
    ClaimMap,
    JwksFile,
    JwksUrl,
    KeyRing,
    Principal,
    Role,
    StaticJwks,
    TokenVerifier,
    mint,
    require,
)

ISSUER = "https://issuer.example"


@pytest.fixture
def ring(tmp_path):
    return KeyRing.ensure(tmp_path / "keys")


def verifier_for(ring: KeyRing, **kw) -> TokenVerifier:
    return TokenVerifier(StaticJwks(ring.public_jwks()), issuer=ISSUER, audience=AUDIENCE, **kw)


def make_app(verifier: TokenVerifier) -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = verifier

    @app.get("/admin-only")
    async def admin_only(p: Principal = Depends(require(Role.DISTRICT_ADMIN))) -> dict[str, str]:
        return {"sub": p.sub}

    return app


async def call(verifier: TokenVerifier, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=make_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.get("/admin-only", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "alice",
        "role": "district_admin",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


# -- the key ring ---------------------------------------------------------------------------------


def test_a_ring_is_made_once_with_private_files_only_its_owner_reads(tmp_path):
    ring = KeyRing.ensure(tmp_path / "keys")
    again = KeyRing.ensure(tmp_path / "keys")
    assert again.active_kid == ring.active_kid and len(ring.kids) == 1
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for f in (tmp_path / "keys").glob("*.jwk.json"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert json.loads(f.read_text())["kid"] == ring.active_kid
    assert stat.S_IMODE((tmp_path / "keys" / "ring.json").stat().st_mode) == 0o600


def test_the_published_jwks_holds_public_parts_only(ring):
    jwks = ring.public_jwks()
    assert [k["kid"] for k in jwks["keys"]] == [ring.active_kid]
    (key,) = jwks["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256" and key["use"] == "sig"
    assert "d" not in key
    assert json.loads((ring.path / "jwks.json").read_text()) == jwks


async def test_rotation_publishes_both_keys_until_the_old_one_is_retired(ring):
    old = ring.active_kid
    old_token = mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60)
    new = ring.rotate()
    assert ring.active_kid == new != old
    assert {k["kid"] for k in ring.public_jwks()["keys"]} == {old, new}
    new_token = mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60)
    assert jwt.get_unverified_header(new_token)["kid"] == new
    with pytest.raises(ValueError, match="active"):
        ring.retire(new)
    ring.retire(old)
    assert [k["kid"] for k in ring.public_jwks()["keys"]] == [new]
    assert not (ring.path / f"{old}.jwk.json").exists()
    verifier = verifier_for(ring)
    assert (await verifier.verify(new_token)).sub == "a"
    with pytest.raises(jwt.InvalidTokenError, match="unknown key"):
        await verifier.verify(old_token)


def test_a_running_issuer_picks_up_a_rotation_made_by_another_process(ring):
    other = KeyRing.load(ring.path)  # the operators' CLI
    assert not ring.reload_if_changed()
    new = other.rotate()
    assert ring.reload_if_changed() and ring.active_kid == new
    assert not ring.reload_if_changed()


def test_a_development_ring_marks_its_keys(tmp_path):
    dev = KeyRing.ensure(tmp_path / "dev", development=True)
    assert dev.active_kid.startswith("dev-") and dev.development
    assert dev.rotate().startswith("dev-")
    assert not KeyRing.ensure(tmp_path / "prod").development


def test_load_refuses_a_directory_without_a_ring(tmp_path):
    with pytest.raises(FileNotFoundError):
        KeyRing.load(tmp_path)


# -- minting ----------------------------------------------------------------------------------------


async def test_a_minted_token_carries_the_standard_and_role_claims(ring):
    token = mint(
        ring,
        issuer=ISSUER,
        sub="li",
        role=Role.COMMUNITY_WORKER,
        street="110101006",
        community="东四社区",
        ttl_seconds=300,
        extra={"name": "李", "iss": "ignored"},
    )
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "kid": ring.active_kid, "typ": "JWT"}
    body = jwt.decode(token, options={"verify_signature": False})
    assert body["iss"] == ISSUER and body["aud"] == "sogc" and body["exp"] - body["iat"] == 300
    assert uuid.UUID(body["jti"]) and body["name"] == "李"
    principal = await verifier_for(ring).verify(token)
    assert principal == Principal(sub="li", role=Role.COMMUNITY_WORKER, street="110101006", community="东四社区")


async def test_every_role_round_trips(ring):
    verifier = verifier_for(ring)
    org = uuid.uuid4()
    cases = [
        (Role.DISTRICT_ADMIN, {}),
        (Role.STREET_OFFICER, {"street": "110101006"}),
        (Role.REVIEWER, {}),
        (Role.MONITOR, {}),
        (Role.ORG, {"org_id": org}),
        (Role.DISTRICT_DEPARTMENT, {"purchaser": "11010100TYJ"}),
        (Role.COMMUNITY_WORKER, {"street": "110101006", "community": "东四社区"}),
    ]
    for role, scope in cases:
        p = await verifier.verify(mint(ring, issuer=ISSUER, sub="x", role=role, ttl_seconds=60, **scope))  # type: ignore[arg-type]
        assert p.role is role
        assert (p.org_id == org) if role is Role.ORG else p.org_id is None


# -- refusals -----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bad_tokens(ring: KeyRing, tmp_path) -> dict[str, str]:
    """Every kind of token a service must refuse, against a verifier that trusts `ring`."""
    key = ring._keys[ring.active_kid].private  # the issuer's own key, for tokens whose claims are wrong
    kid = {"kid": ring.active_kid}

    def signed(body: dict[str, object]) -> str:
        return jwt.encode(body, key, algorithm="ES256", headers=kid)

    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": ring.active_kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims()).encode())
    import hashlib
    import hmac

    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    impostor = KeyRing.ensure(tmp_path / "impostor")
    impostor_key = impostor._keys[impostor.active_kid].private
    none_header = _b64(json.dumps({"alg": "none", "kid": ring.active_kid, "typ": "JWT"}).encode())
    return {
        "alg-none": f"{none_header}.{payload}.",
        "hs256-with-public-key": f"{header}.{payload}.{_b64(mac)}",
        "unknown-kid": jwt.encode(claims(), impostor_key, algorithm="ES256", headers={"kid": "no-such-key"}),
        "no-kid": jwt.encode(claims(), key, algorithm="ES256"),
        "same-kid-other-key": jwt.encode(claims(), impostor_key, algorithm="ES256", headers=kid),
        "wrong-issuer": signed(claims(iss="https://evil.example")),
        "wrong-audience": signed(claims(aud="someone-else")),
        "expired": signed(claims(exp=int(time.time()) - 10)),
        "no-expiry": signed(claims(exp=None)),
        "no-iat": signed(claims(iat=None)),
        "no-issuer": signed(claims(iss=None)),
        "no-audience": signed(claims(aud=None)),
        "no-sub": signed(claims(sub=None)),
        "no-role": signed(claims(role=None)),
        "unknown-role": signed(claims(role="emperor")),
        "street-officer-without-street": signed(claims(role="street_officer")),
        "org-without-org-id": signed(claims(role="org")),
        "department-without-purchaser": signed(claims(role="district_department")),
        "community-worker-without-community": signed(claims(role="community_worker", street="110101006")),
        "es256-tampered-payload": signed(claims()).rsplit(".", 2)[0]
        + "."
        + _b64(json.dumps(claims(role="district_admin", sub="mallory")).encode())
        + "."
        + signed(claims()).rsplit(".", 1)[1],
        "garbage": "not-a-jwt",
    }


BAD = [
    "alg-none",
    "hs256-with-public-key",
    "unknown-kid",
    "no-kid",
    "same-kid-other-key",
    "wrong-issuer",
    "wrong-audience",
    "expired",
    "no-expiry",
    "no-iat",
    "no-issuer",
    "no-audience",
    "no-sub",
    "no-role",
    "unknown-role",
    "street-officer-without-street",
    "org-without-org-id",
    "department-without-purchaser",
    "community-worker-without-community",
    "es256-tampered-payload",
    "garbage",
]


@pytest.mark.parametrize("kind", BAD)
async def test_bad_tokens_are_401(ring, tmp_path, kind):
    r = await call(verifier_for(ring), bearer(bad_tokens(ring, tmp_path)[kind]))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"


async def test_a_good_token_is_accepted_and_a_wrong_role_is_403(ring):
    verifier = verifier_for(ring)
    r = await call(verifier, bearer(mint(ring, issuer=ISSUER, sub="alice", role=Role.DISTRICT_ADMIN, ttl_seconds=60)))
    assert r.status_code == 200 and r.json() == {"sub": "alice"}
    assert (await call(verifier, {})).status_code == 401
    officer = mint(ring, issuer=ISSUER, sub="bob", role=Role.STREET_OFFICER, street="110101001", ttl_seconds=60)
    assert (await call(verifier, bearer(officer))).status_code == 403


async def test_production_refuses_development_keys_and_their_tokens(tmp_path):
    dev = KeyRing.ensure(tmp_path / "dev", development=True)
    token = mint(dev, issuer=ISSUER, sub="alice", role=Role.DISTRICT_ADMIN, ttl_seconds=60)
    assert (await verifier_for(dev).verify(token)).sub == "alice"
    production = verifier_for(dev, production=True)
    with pytest.raises(jwt.InvalidTokenError, match="development key"):
        await production.verify(token)
    # Even a JWKS that publishes the development key under another name does not help.
    jwks = dev.public_jwks()
    source = StaticJwks(jwks, refuse_prefix="dev-")
    assert await source.key(dev.active_kid) is None


async def test_a_jwks_file_is_read_again_when_the_ring_rotates(ring):
    verifier = TokenVerifier(JwksFile(ring.path / "jwks.json"), issuer=ISSUER, audience=AUDIENCE)
    first = mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60)
    assert (await verifier.verify(first)).sub == "a"
    old = ring.active_kid
    ring.rotate()
    second = mint(ring, issuer=ISSUER, sub="b", role=Role.MONITOR, ttl_seconds=60)
    assert (await verifier.verify(second)).sub == "b"
    assert (await verifier.verify(first)).sub == "a"  # both published during the rotation
    ring.retire(old)
    verifier.keys.recheck = 0  # type: ignore[attr-defined]
    with pytest.raises(jwt.InvalidTokenError, match="unknown key"):
        await verifier.verify(first)


# -- claims of another issuer ------------------------------------------------------------------


async def test_a_claim_map_reads_another_issuers_claims(tmp_path):
    gov = KeyRing.ensure(tmp_path / "gov")
    mapping = ClaimMap.model_validate_json(
        json.dumps(
            {
                "sub": "preferred_username",
                "role": "realm_access.roles",
                "street": "district.street_code",
                "roles": {"gov-admin": "district_admin", "gov-street": "street_officer"},
            }
        )
    )
    verifier = TokenVerifier(
        StaticJwks(gov.public_jwks()), issuer="https://id.gov.example", audience="sogc", claims=mapping
    )

    def gov_token(**body: object) -> str:
        now = int(time.time())
        base = {"iss": "https://id.gov.example", "aud": "sogc", "iat": now, "exp": now + 60, "sub": "u-1"}
        return gov.sign({**base, **body})

    p = await verifier.verify(
        gov_token(
            preferred_username="zhang",
            realm_access={"roles": ["offline", "gov-street"]},
            district={"street_code": "110101006"},
        )
    )
    assert p == Principal(sub="zhang", role=Role.STREET_OFFICER, street="110101006")
    with pytest.raises(jwt.InvalidTokenError, match="exactly one"):
        await verifier.verify(gov_token(preferred_username="z", realm_access={"roles": ["gov-admin", "gov-street"]}))
    with pytest.raises(jwt.InvalidTokenError, match="exactly one"):
        await verifier.verify(gov_token(preferred_username="z", realm_access={"roles": ["district_admin"]}))
    with pytest.raises(jwt.MissingRequiredClaimError):
        await verifier.verify(gov_token(realm_access={"roles": ["gov-admin"]}))


def test_dev_defaults():
    assert DEV_ISSUER == "http://127.0.0.1:8005"


# -- the JWKS endpoint's cache ------------------------------------------------------------------


class Endpoint:
    """An issuer's JWKS endpoint as an httpx transport: counts fetches, can fail."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring, self.fetches, self.down = ring, 0, False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.down:
            return httpx.Response(503)
        return httpx.Response(200, json=self.ring.public_jwks())


def url_verifier(endpoint: Endpoint, **kw) -> TokenVerifier:
    source = JwksUrl("http://issuer.test/.well-known/jwks.json", transport=httpx.MockTransport(endpoint), **kw)
    return TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)


async def test_a_new_key_id_is_fetched_once_for_all_requests_waiting_on_it(ring):
    endpoint = Endpoint(ring)
    verifier = url_verifier(endpoint, min_interval=0.2)
    token = mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60)
    await asyncio.gather(*(verifier.verify(token) for _ in range(20)))
    assert endpoint.fetches == 1
    ring.rotate()
    rotated = mint(ring, issuer=ISSUER, sub="b", role=Role.MONITOR, ttl_seconds=60)
    principals = await asyncio.gather(*(verifier.verify(rotated) for _ in range(20)))
    assert {p.sub for p in principals} == {"b"} and endpoint.fetches == 2


async def test_unknown_key_ids_cost_at_most_one_fetch_a_second(ring, tmp_path):
    endpoint = Endpoint(ring)
    verifier = url_verifier(endpoint, min_interval=1.0)
    await verifier.verify(mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60))
    impostor = KeyRing.ensure(tmp_path / "impostor")._keys
    (key,) = impostor.values()
    forged = [jwt.encode(claims(), key.private, algorithm="ES256", headers={"kid": f"k{i}"}) for i in range(30)]
    started = time.monotonic()
    results = await asyncio.gather(*(verifier.verify(t) for t in forged), return_exceptions=True)
    assert all(isinstance(r, jwt.InvalidTokenError) for r in results)
    assert endpoint.fetches <= 1 + 1 + int(time.monotonic() - started), endpoint.fetches


async def test_an_unreachable_issuer_keeps_the_keys_already_known(ring):
    endpoint = Endpoint(ring)
    verifier = url_verifier(endpoint, max_age=0.0, min_interval=0.0)
    token = mint(ring, issuer=ISSUER, sub="a", role=Role.MONITOR, ttl_seconds=60)
    assert (await verifier.verify(token)).sub == "a"
    endpoint.down = True
    assert (await verifier.verify(token)).sub == "a"  # a refresh failed: the known key still serves
    assert endpoint.fetches == 2
    ring.rotate()
    with pytest.raises(jwt.InvalidTokenError, match="unknown key"):
        await verifier.verify(mint(ring, issuer=ISSUER, sub="b", role=Role.MONITOR, ttl_seconds=60))


async def test_a_jwks_with_private_or_foreign_keys_publishes_only_es256_public_keys(ring):
    private = ring._keys[ring.active_kid].private_jwk()
    foreign = {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}
    rsa_like = {**ring.public_jwks()["keys"][0], "kid": "as-hs", "alg": "HS256"}
    source = StaticJwks({"keys": [private, foreign, rsa_like]})
    for kid in (ring.active_kid, "hmac", "as-hs"):
        assert await source.key(kid) is None
