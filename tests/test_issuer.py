"""The console as the token issuer, against a real service: the registry verifies the console's
tokens through its JWKS URL, and keeps accepting them while the console's key rotates under load."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import jwt
import pytest

from console.app import create_app as create_console
from console.config import Settings as ConsoleSettings
from console.domain.accounts import Grant
from console.domain.passwords import Hasher
from console.store import stores
from console.store.sessions import Client
from registry.app import create_app as create_registry
from registry.config import Settings as RegistrySettings
from shared.auth import Role
from shared.clock import real_now
from testkit import fresh_database, purge_queues, served, service_amqp_url, service_migrations

pytestmark = pytest.mark.integration
ISSUER = "http://console.test"


@pytest.fixture
async def console_port(tmp_path: Path):
    await purge_queues("console.")
    dsn = await fresh_database("console_issuer", "console", migrations=service_migrations("console"))
    settings = ConsoleSettings(
        database_url=dsn,
        amqp_url=service_amqp_url("console"),
        issuer=ISSUER,
        keys_dir=tmp_path / "keys",
        secure_cookies=False,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        access_token_minutes=5,
    )
    app = create_console(settings)
    async with served(app) as port:
        service = app.state.service
        await service.wait_ready()
        async with service.unit_of_work() as uow:
            secret_hash = Hasher(time_cost=1, memory_kib=8192).hash(SECRET)
            grant = Grant(Role.DISTRICT_ADMIN).as_json()
            await stores(uow._conn).sessions.put_client(
                Client("bench", secret_hash, "基准测试", grant, False), real_now()
            )
        yield port, service


@pytest.fixture
async def registry_port(console_port):
    port, _ = console_port
    await purge_queues("registry.")
    dsn = await fresh_database("registry_issuer", "registry", migrations=service_migrations("registry"))
    settings = RegistrySettings(
        database_url=dsn,
        amqp_url=service_amqp_url("registry"),
        auth_issuer=ISSUER,
        auth_jwks_url=f"http://127.0.0.1:{port}/.well-known/jwks.json",
        auth_jwks_file=None,
    )
    app = create_registry(settings)
    async with served(app) as registry:
        await app.state.service.wait_ready()
        yield registry


SECRET = "bench-secret"


async def client_token(http: httpx.AsyncClient, port: int, secret: str = SECRET) -> httpx.Response:
    return await http.post(
        f"http://127.0.0.1:{port}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "bench", "client_secret": secret},
    )


async def test_discovery_and_jwks_describe_the_issuer(console_port):
    port, service = console_port
    async with httpx.AsyncClient() as http:
        doc = (await http.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration")).json()
        assert doc["issuer"] == ISSUER and doc["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
        assert doc["grant_types_supported"] == ["client_credentials"]
        assert doc["id_token_signing_alg_values_supported"] == ["ES256"]
        keys = (await http.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")).json()["keys"]
        assert [k["kid"] for k in keys] == [service.ring.active_kid]
        assert all(set(k) >= {"kty", "crv", "x", "y", "kid", "alg"} and "d" not in k for k in keys)


async def test_client_credentials_give_a_short_lived_token_with_the_standard_claims(console_port):
    port, _ = console_port
    async with httpx.AsyncClient() as http:
        answer = await client_token(http, port)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        body = answer.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300
        jwks = (await http.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")).json()
        header = jwt.get_unverified_header(body["access_token"])
        key = next(jwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(body["access_token"], key, algorithms=["ES256"], audience="sogc", issuer=ISSUER)
        assert claims["role"] == "district_admin" and claims["sub"] == "client:bench"
        assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
        for bad in ({"client_secret": "wrong"}, {"client_id": "nobody"}):
            refused = await http.post(
                f"http://127.0.0.1:{port}/oauth/token",
                data={"grant_type": "client_credentials", "client_id": "bench", "client_secret": "bench-secret", **bad},
            )
            assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
        other = await http.post(f"http://127.0.0.1:{port}/oauth/token", data={"grant_type": "password"})
        assert other.json()["error"] == "unsupported_grant_type"
        basic = await http.post(
            f"http://127.0.0.1:{port}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("bench", "bench-secret"),
        )
        assert basic.status_code == 200


async def test_a_key_rotation_under_load_fails_no_request(console_port, registry_port):
    """Workers take fresh tokens from the console and call the registry without pause while the
    console's key rotates twice and the first key is retired: every call is answered 200."""
    port, service = console_port
    failures: list[str] = []
    calls = 0
    kids: set[str] = set()
    stop = asyncio.Event()

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal calls
        while not stop.is_set():
            issued = await client_token(http, port)
            if issued.status_code != 200:
                failures.append(f"token {issued.status_code}")
                continue
            token = issued.json()["access_token"]
            kids.add(jwt.get_unverified_header(token)["kid"])
            for _ in range(3):
                answer = await http.get(
                    f"http://127.0.0.1:{registry_port}/orgs", headers={"Authorization": f"Bearer {token}"}
                )
                calls += 1
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    async with httpx.AsyncClient(timeout=30) as http:
        workers = [asyncio.create_task(worker(http)) for _ in range(4)]
        started = time.monotonic()
        await asyncio.sleep(1.0)
        first = service.ring.active_kid
        service.ring.rotate()
        await asyncio.sleep(1.5)
        service.ring.rotate()
        await asyncio.sleep(1.5)
        service.ring.retire(first)  # its tokens (minutes old at most in real life) are no longer published
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*workers)
        elapsed = time.monotonic() - started
    print(f"rotation under load: {calls} calls in {elapsed:.1f}s, {len(kids)} keys, failures {len(failures)}")
    assert failures == [] and len(kids) == 3 and calls > 20
