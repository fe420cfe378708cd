"""The services against issuers over real sockets: a deployment that trusts another OIDC issuer (a
district's unified identity platform, with claim names of its own) by configuration alone, and a
key rotation under load that fails no request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ops.system import System
from shared.auth import KeyRing, Role, mint
from testkit import eventually, fresh_database, namespaced, served, service_amqp_url, service_migrations, token
from testkit.tokens import running

GOV_ISSUER = "https://id.district-gov.example/realms/dongcheng"
# The platform's claims: who in `uid`, roles in a nested list, the street in an object.
GOV_CLAIMS = {
    "sub": "uid",
    "role": "authz.roles",
    "street": "division.street_code",
    "purchaser": "division.dept_code",
    "roles": {
        "SOGC_ADMIN": "district_admin",
        "SOGC_STREET": "street_officer",
        "SOGC_DEPT": "district_department",
    },
}
# A route of each service that staff may read.
STAFF_ROUTES = {
    "registry": "/statistics/by-street",
    "venture": "/grants",
    "procurement": "/demands",
    "notify": "/statistics",
}


def jwks_app(ring: KeyRing) -> FastAPI:
    """An issuer's discovery and JWKS endpoints, serving whatever keys its ring publishes now."""
    app = FastAPI()
    app.state.fetches = 0

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, object]:
        app.state.fetches += 1
        ring.reload_if_changed()
        return ring.public_jwks()

    return app


def gov_token(ring: KeyRing, roles: list[str], **claims: object) -> dict[str, str]:
    import time

    now = int(time.time())
    body = {"iss": GOV_ISSUER, "aud": "sogc", "iat": now, "exp": now + 300, "uid": "zhang.wei", **claims}
    body["authz"] = {"roles": roles}
    return {"Authorization": f"Bearer {ring.sign(body)}"}


@pytest.fixture(scope="module")
async def gov(tmp_path_factory) -> AsyncIterator[tuple[KeyRing, System]]:
    """Every service configured for the platform: its issuer, its JWKS URL, its claim names."""
    ring = KeyRing.ensure(tmp_path_factory.mktemp("gov") / "keys")
    async with served(jwks_app(ring), lifespan="off") as port:
        env: dict[str, str] = {}
        for name in STAFF_ROUTES:
            up = name.upper()
            env[f"{up}_AUTH_ISSUER"] = GOV_ISSUER
            env[f"{up}_AUTH_JWKS_URL"] = f"http://127.0.0.1:{port}/.well-known/jwks.json"
            env[f"{up}_AUTH_CLAIMS"] = json.dumps(GOV_CLAIMS)
        system = System(suffix="interop", base_port=18960, vhost=namespaced("sogc_demo"), extra_env=env)
        try:
            await system.start()
            yield ring, system
        finally:
            system.stop()


async def test_a_deployment_trusts_another_issuer_by_configuration_alone(gov):
    ring, system = gov
    admin = gov_token(ring, ["offline_access", "SOGC_ADMIN"])
    officer = gov_token(ring, ["SOGC_STREET"], division={"street_code": "110101006"})
    async with httpx.AsyncClient(timeout=30) as client:
        for name, path in STAFF_ROUTES.items():
            url = system[name].url + path
            r = await client.get(url, headers=admin)
            assert r.status_code == 200, (name, r.text)
            if name in ("registry", "procurement"):  # routes a street officer reads too
                assert (await client.get(url, headers=officer)).status_code == 200, name


async def test_tokens_of_our_own_issuer_and_bad_platform_tokens_are_refused_there(gov):
    ring, system = gov
    ours = token("district_admin", sub="alice")  # signed by the development ring: not this deployment's issuer
    refused = {
        "our-issuers-token": ours,
        "unmapped-role": gov_token(ring, ["district_admin"]),
        "two-roles": gov_token(ring, ["SOGC_ADMIN", "SOGC_STREET"], division={"street_code": "110101006"}),
        "street-without-street": gov_token(ring, ["SOGC_STREET"]),
        "no-uid": gov_token(ring, ["SOGC_ADMIN"], uid=None),
        "our-issuer-name": {
            "Authorization": "Bearer "
            + mint(ring, issuer="http://127.0.0.1:8005", sub="x", role=Role.DISTRICT_ADMIN, ttl_seconds=60)
        },
    }
    async with httpx.AsyncClient(timeout=30) as client:
        for name, path in STAFF_ROUTES.items():
            for why, headers in refused.items():
                r = await client.get(system[name].url + path, headers=headers)
                assert r.status_code == 401, (name, why, r.text)


async def test_a_key_rotation_under_load_fails_no_request(tmp_path: Path):
    """The issuer rotates its key while clients call a service with tokens of whichever key is
    active: the service fetches the JWKS again at the first unknown key id and no request fails."""
    ring = KeyRing.ensure(tmp_path / "issuer")
    issuer = jwks_app(ring)
    async with served(issuer, lifespan="off") as port:
        from registry.app import create_app
        from registry.config import Settings

        dsn = await fresh_database("registry_rotation", "registry", migrations=service_migrations("registry"))
        settings = Settings(
            database_url=dsn,
            amqp_url=service_amqp_url("registry"),
            db_pool_size=4,
            auth_issuer="https://console.test",
            auth_jwks_url=f"http://127.0.0.1:{port}/.well-known/jwks.json",
        )
        async with running(create_app(settings), "http://registry.test") as client:
            statuses: list[int] = []
            stop = asyncio.Event()

            async def caller() -> None:
                while not stop.is_set():
                    admin = mint(ring, issuer="https://console.test", sub="a", role="district_admin", ttl_seconds=60)
                    r = await client.get("/statistics/by-street", headers={"Authorization": f"Bearer {admin}"})
                    statuses.append(r.status_code)

            callers = [asyncio.create_task(caller()) for _ in range(8)]
            await eventually(lambda: asyncio.sleep(0, result=len(statuses) >= 20), timeout=60)
            before = len(statuses)
            kids = [ring.active_kid]
            for _ in range(3):  # three rotations, the oldest key retired after each
                kids.append(ring.rotate())
                await asyncio.sleep(0.8)
                ring.retire(kids[-2])
                await asyncio.sleep(0.4)
            stop.set()
            await asyncio.gather(*callers)
    assert before > 0 and len(statuses) > before
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    # One fetch at the first request, then about one per rotation (never one per request).
    assert issuer.state.fetches <= 1 + 3 * 2, issuer.state.fetches
