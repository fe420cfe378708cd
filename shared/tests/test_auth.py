"""Bearer-JWT checks: every kind of bad token is refused, roles are enforced."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from shared.auth import ALGORITHM, AUDIENCE, DEV_SECRET, ISSUER, Principal, Role, TokenVerifier, mint, require


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = TokenVerifier(DEV_SECRET)

    @app.get("/admin-only")
    async def admin_only(p: Principal = Depends(require(Role.DISTRICT_ADMIN))) -> dict[str, str]:
        return {"sub": p.sub}

    return app


async def call(headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://t") as c:
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
    }
    base.update(over)
    return base


async def test_valid_admin_token_is_accepted():
    r = await call(bearer(mint(DEV_SECRET, sub="alice", role=Role.DISTRICT_ADMIN)))
    assert r.status_code == 200 and r.json() == {"sub": "alice"}


async def test_missing_token_is_401():
    assert (await call({})).status_code == 401


async def test_wrong_role_is_403():
    r = await call(bearer(mint(DEV_SECRET, sub="bob", role=Role.STREET_OFFICER, street="110101001")))
    assert r.status_code == 403


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(jwt.encode(claims(exp=int(time.time()) - 10), DEV_SECRET, algorithm=ALGORITHM), id="expired"),
        pytest.param(
            jwt.encode(claims(), "another-secret-of-sufficient-length-1234", algorithm=ALGORITHM), id="wrong-signature"
        ),
        pytest.param(jwt.encode(claims(aud="someone-else"), DEV_SECRET, algorithm=ALGORITHM), id="wrong-audience"),
        pytest.param(jwt.encode(claims(iss="evil"), DEV_SECRET, algorithm=ALGORITHM), id="wrong-issuer"),
        pytest.param(jwt.encode(claims(), None, algorithm="none"), id="alg-none"),
        pytest.param(jwt.encode(claims(role="emperor"), DEV_SECRET, algorithm=ALGORITHM), id="unknown-role"),
        pytest.param(
            jwt.encode(claims(role="street_officer"), DEV_SECRET, algorithm=ALGORITHM),
            id="street-officer-without-street",
        ),
        pytest.param(
            jwt.encode({k: v for k, v in claims().items() if k != "exp"}, DEV_SECRET, algorithm=ALGORITHM),
            id="no-expiry",
        ),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
async def test_bad_tokens_are_401(token):
    r = await call(bearer(token))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"


def test_production_refuses_the_development_secret():
    from shared.service import ServiceSettings

    with pytest.raises(RuntimeError, match="JWT_SECRET"):
        ServiceSettings(environment="production").check_production()
    ServiceSettings(
        environment="production",
        jwt_secret="x" * 40,
        database_url="postgresql://svc:s3cret@db/svc",
        amqp_url="amqp://svc:s3cret@mq/",
    ).check_production()
