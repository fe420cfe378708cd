"""The demo clock: only a district admin moves it, and only in demo mode (never in production)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from uuid import uuid4

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from shared import db
from shared.auth import DEV_ISSUER, Principal, Role, TokenVerifier, mint
from shared.clock import DemoClock, refuse_foreign_demo_dates
from shared.errors import Forbidden
from shared.service import ServiceSettings
from testkit.http import dev_ring

ADMIN = Principal(sub="alice", role=Role.DISTRICT_ADMIN)
OTHERS = [
    None,
    Principal(sub="bob", role=Role.STREET_OFFICER, street="110101006"),
    Principal(sub="r", role=Role.REVIEWER),
    Principal(sub="m", role=Role.MONITOR),
    Principal(sub="o", role=Role.ORG, org_id=uuid4()),
]
DAY = date(2026, 3, 2)


def test_in_demo_mode_a_district_admin_may_date_a_request():
    assert DemoClock(demo_mode=True).requested(DAY, ADMIN) == DAY


@pytest.mark.parametrize("who", OTHERS, ids=lambda p: "anonymous" if p is None else p.role.value)
def test_no_other_caller_may_date_a_request_even_in_demo_mode(who):
    with pytest.raises(Forbidden) as refused:
        DemoClock(demo_mode=True).requested(DAY, who)
    assert refused.value.code == "demo_clock_admin_only"


@pytest.mark.parametrize("who", [ADMIN, *OTHERS], ids=lambda p: "anonymous" if p is None else p.role.value)
def test_without_demo_mode_nobody_may_date_a_request(who):
    with pytest.raises(Forbidden) as refused:
        DemoClock(demo_mode=False).requested(DAY, who)
    assert refused.value.code == "demo_mode_off"


def test_a_request_without_a_date_is_not_checked():
    assert DemoClock(demo_mode=False).requested(None, OTHERS[-1]) is None


def test_demo_mode_is_off_by_default_and_refused_in_production():
    assert ServiceSettings().demo_mode is False
    with pytest.raises(RuntimeError, match="DEMO_MODE"):
        ServiceSettings(environment="production", demo_mode=True).check_production()


async def test_the_stored_date_counts_only_in_demo_mode(kit_dsn):
    conn = await db.connect(kit_dsn)
    try:
        await db.migrate(conn, [db.KIT_MIGRATIONS])
        demo, real = DemoClock(demo_mode=True), DemoClock(demo_mode=False)
        assert await demo.set(conn, DAY, by=ADMIN) == DAY
        assert await demo.today(conn) == DAY
        assert await real.today(conn) == real.real_today()
        with pytest.raises(Forbidden):
            await real.set(conn, date(2027, 1, 1), by=ADMIN)
        with pytest.raises(Forbidden):
            await demo.set(conn, date(2027, 1, 1), by=OTHERS[-1])
        assert await demo.today(conn) == DAY
        await demo.set(conn, None, by=ADMIN)
        assert await demo.today(conn) == demo.real_today()
    finally:
        await conn.close()


def _token(**claims: object) -> str:
    return mint(dev_ring(), issuer=DEV_ISSUER, ttl_seconds=3600, **claims)  # type: ignore[arg-type]


def guarded_app(*, demo_mode: bool) -> FastAPI:
    app = FastAPI(dependencies=[Depends(refuse_foreign_demo_dates)])
    app.state.token_verifier = TokenVerifier.from_settings(ServiceSettings())
    app.state.service = SimpleNamespace(demo_clock=DemoClock(demo_mode=demo_mode))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:  # as the services' apps answer it
        return JSONResponse({"detail": exc.message, "code": exc.code}, status_code=403)

    @app.get("/public")
    async def public() -> dict[str, str]:
        return {"ok": "yes"}

    return app


@pytest.mark.parametrize(
    ("demo_mode", "headers", "status"),
    [
        (True, {"Authorization": f"Bearer {_token(sub='a', role=Role.DISTRICT_ADMIN)}"}, 200),
        (True, {"Authorization": f"Bearer {_token(sub='o', role=Role.ORG, org_id=uuid4())}"}, 403),
        (True, {"Authorization": "Bearer not-a-token"}, 403),
        (True, {}, 403),
        (False, {"Authorization": f"Bearer {_token(sub='a', role=Role.DISTRICT_ADMIN)}"}, 403),
    ],
    ids=["admin-in-demo-mode", "org", "bad-token", "anonymous", "admin-without-demo-mode"],
)
async def test_every_route_refuses_a_demo_date_from_anyone_but_an_admin_in_demo_mode(demo_mode, headers, status):
    transport = httpx.ASGITransport(app=guarded_app(demo_mode=demo_mode))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.get("/public", headers=headers)).status_code == 200  # without the header: untouched
        r = await c.get("/public", headers={**headers, "X-Demo-Today": "2026-03-02"})
    assert r.status_code == status, r.text
