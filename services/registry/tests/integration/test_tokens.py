"""Tokens against the registry: every kind of bad token is refused on the routes that need one, the
issuer's token passes, and in production a token of the development (demo) key ring is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from registry.app import create_app
from registry.config import Settings
from testkit import fresh_database, service_amqp_url, service_migrations, token
from testkit.tokens import (
    ATTACKS,
    PRODUCTION_ISSUER,
    attack_tokens,
    demo_token,
    production_ring,
    production_token,
    running,
)

# Routes that need a staff token.
PATHS = ["/statistics/by-street", "/party-branches"]


@pytest.fixture(scope="module")
async def service_client() -> AsyncIterator[httpx.AsyncClient]:
    dsn = await fresh_database("registry_tokens", "registry", migrations=service_migrations("registry"))
    settings = Settings(database_url=dsn, amqp_url=service_amqp_url("registry"), db_pool_size=2)
    async with running(create_app(settings), "http://registry.test") as client:
        yield client


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_bad_token_is_refused(service_client, attack):
    headers = attack_tokens()[attack]
    for path in PATHS:
        r = await service_client.get(path, headers=headers)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"


async def test_the_issuers_token_passes(service_client):
    for path in PATHS:
        r = await service_client.get(path, headers=token("district_admin", sub="admin"))
        assert r.status_code == 200, (path, r.text)


# The new roles are recognised but granted nothing beyond what a route allows any caller.
NEW_ROLES_GET = {"/statistics/by-street": 403, "/party-branches": 403}


async def test_the_new_roles_are_recognised_and_granted_nothing_yet(service_client):
    department = token("district_department", sub="dept", purchaser="11010100TYJ")
    worker = token("community_worker", sub="cw", street="110101006", community="东四社区")
    for headers in (department, worker):
        for path, status in NEW_ROLES_GET.items():
            r = await service_client.get(path, headers=headers)
            assert r.status_code == status, (path, r.text)
            if status == 200:
                assert r.json() == [], (path, r.text)


async def test_a_demo_token_is_refused_in_production(tmp_path):
    """A production deployment trusts its own issuer's keys; the development ring's tokens (the
    demo's, `make run`'s) are refused even when they name the production issuer."""
    ring, jwks = production_ring(tmp_path)
    settings = Settings(
        environment="production",
        database_url="postgresql://registry:Zq8x7p2Lm@127.0.0.1:9/registry",
        amqp_url="amqp://registry:Zq8x7p2Lm@127.0.0.1:9/",
        auth_issuer=PRODUCTION_ISSUER,
        auth_jwks_file=jwks,
    )
    app = create_app(settings)  # not started: the token is checked before anything else is needed
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry.test") as client:
        for path in PATHS:
            demo = token("district_admin", sub="admin")
            assert (await client.get(path, headers=demo)).status_code == 401
            demo_claiming_production = demo_token(issuer=PRODUCTION_ISSUER)
            assert (await client.get(path, headers=demo_claiming_production)).status_code == 401
            # The production issuer's own token gets past the check (and then finds no database).
            assert (await client.get(path, headers=production_token(ring))).status_code != 401
