"""Only a district admin moves time, and only in demo mode: no org can act as if a deadline had not passed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from procurement.app import create_app
from procurement.config import Settings
from testkit import token

ADMIN = token("district_admin", sub="alice")
PROPOSAL = {"title": "迟到的方案", "plan": "p", "budget_cny": "70000.00"}


async def test_an_org_cannot_submit_after_the_deadline_by_claiming_an_earlier_day(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")  # the call closes on 2026-03-20
    await kit.on_day(client, "2026-03-25")
    late = await client.post(
        sol["base"] + "/proposals", json=PROPOSAL, headers={**sol["org_a"], "X-Demo-Today": "2026-03-05"}
    )
    assert late.status_code == 403, late.text
    assert late.json()["code"] == "demo_clock_admin_only" and "区级管理员" in late.json()["detail"]
    project = (await client.get(sol["base"], headers=ADMIN)).json()
    assert project["proposals"] == []
    without = await client.post(sol["base"] + "/proposals", json=PROPOSAL, headers=sol["org_a"])
    assert without.status_code == 409  # the demo date the admin set is past the deadline


@pytest.mark.parametrize(
    "who",
    [
        token("street_officer", sub="bob", street="110101006"),
        token("reviewer", sub="rev-1"),
        token("monitor", sub="mon-1"),
        token("org", sub="o", org_id="0000000a-0000-4000-8000-000000000001"),
    ],
    ids=["street_officer", "reviewer", "monitor", "org"],
)
async def test_every_caller_but_the_district_admin_is_refused_the_header(client, who):
    r = await client.get("/projects", headers={**who, "X-Demo-Today": "2026-03-05"})
    assert r.status_code == 403 and r.json()["code"] == "demo_clock_admin_only", r.text
    assert (await client.get("/projects", headers=who)).status_code == 200


async def test_the_district_admin_dates_its_own_request_and_sets_the_clock_for_everyone(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    on_time = await client.post(sol["base"] + "/proposals", json=PROPOSAL, headers=sol["org_a"])
    assert on_time.status_code == 201  # drive left the clock on 2026-03-02, inside the call
    assert on_time.json()["submitted_on"] == "2026-03-02"
    dated = await client.post(sol["base"] + "/solicitation/close", headers={**ADMIN, "X-Demo-Today": "2026-03-21"})
    assert dated.status_code == 200 and dated.json()["stage"] == "screening"
    assert (await client.get("/clock", headers=ADMIN)).json()["today"] == "2026-03-02"  # one request only
    bad = await client.post("/demands", json={}, headers={**ADMIN, "X-Demo-Today": "tomorrow"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["header", "x-demo-today"]


@pytest.fixture
async def no_demo(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"demo_mode": False}))
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=90)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p.test") as c:
            yield c


async def test_without_demo_mode_the_clock_is_refused_to_everyone_even_the_district_admin(no_demo):
    r = await no_demo.get("/projects", headers={**ADMIN, "X-Demo-Today": "2026-03-05"})
    assert r.status_code == 403 and r.json()["code"] == "demo_mode_off" and "演示模式" in r.json()["detail"]
    moved = await no_demo.put("/clock", json={"today": "2026-03-05"}, headers=ADMIN)
    assert moved.status_code == 403 and moved.json()["code"] == "demo_mode_off"
    state = (await no_demo.get("/clock", headers=ADMIN)).json()
    assert state["demo_mode"] is False and state["today"] != "2026-03-05"
