"""Every route refuses the roles it is not for (401 without a token, 403 with the wrong role),
and scoped roles see only their own organisations' or street's data."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager

from shared.auth import Role
from testkit import forged_token, token
from venture.app import create_app

from ..conftest import ADMIN, OTHER_STREET, STREET, application_body, round_body

A, S, R, M, ORG = Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.REVIEWER, Role.MONITOR, Role.ORG
CW = Role.COMMUNITY_WORKER
X = uuid4()
ROUTES = [
    ("POST", "/rounds", {A, S}),
    ("POST", f"/rounds/{X}/call-closure", {A, S}),
    ("POST", f"/rounds/{X}/applications", {ORG, A}),
    ("GET", f"/rounds/{X}/applications", {A, ORG, S}),
    ("GET", f"/applications/{X}", {A, ORG, S, R}),
    ("POST", f"/applications/{X}/withdrawal", {ORG}),
    ("POST", f"/applications/{X}/screening", {A, S}),
    ("POST", f"/rounds/{X}/assignments", {A, S}),
    ("GET", "/reviewer/assignments", {R}),
    ("GET", f"/rounds/{X}/applicants", {R, A}),
    ("POST", f"/rounds/{X}/declarations", {R}),
    ("PUT", f"/applications/{X}/scores/mine", {R}),
    ("GET", f"/applications/{X}/scores", {A, R}),
    ("GET", f"/rounds/{X}/ranking", {A, S}),
    ("POST", f"/rounds/{X}/notice", {A, S}),
    ("POST", f"/rounds/{X}/objections", {ORG}),
    ("GET", f"/rounds/{X}/objections", {A, S}),
    ("POST", f"/objections/{X}/resolution", {A, S}),
    ("POST", f"/rounds/{X}/awards", {A, S}),
    ("GET", "/grants", {A, M, ORG, S}),
    ("GET", f"/grants/{X}", {A, M, ORG, S}),
    ("POST", f"/grants/{X}/tranches/1/disbursement", {A, S}),
    ("POST", f"/grants/{X}/reports", {ORG}),
    ("POST", f"/reports/{X}/decision", {A, S}),
    ("POST", f"/grants/{X}/evaluations", {A, M}),
    ("POST", f"/grants/{X}/completion", {A, S}),
    ("POST", f"/grants/{X}/followup", {S, A}),
    ("POST", "/claiming/editions", {A, S, CW, ORG}),
    ("POST", f"/claiming/editions/{X}/closure", {A, S, CW, ORG}),
    ("POST", f"/claiming/editions/{X}/items", {A, S, CW, ORG}),
    ("GET", f"/claiming/editions/{X}/claims", {A, S, CW, ORG}),
    ("POST", f"/claiming/items/{X}/claims", {ORG}),
    ("POST", f"/claiming/claims/{X}/confirmation", {A, S, CW, ORG}),
    ("POST", f"/claiming/claims/{X}/decline", {A, S, CW, ORG}),
    ("POST", f"/claiming/items/{X}/completion", {A, S, CW, ORG}),
    ("POST", "/contests", {A, S}),
    ("POST", f"/contests/{X}/proposals", {A, S}),
    ("PUT", f"/contests/{X}/proposals/{X}/scores/mine", {R}),
    ("POST", f"/contests/{X}/closure", {A, S}),
    ("GET", "/clock", {A}),
    ("PUT", "/clock", {A}),
]
PUBLIC = [
    "/rounds",
    f"/rounds/{X}",
    f"/rounds/{X}/notice",
    "/statistics",
    "/statistics/streets",
    "/exports/360giving",
    "/claiming/editions",
    "/claiming/statistics",
]


def as_role(role: Role) -> dict[str, str]:
    return token(
        role,
        sub=f"someone-{role}",
        street=STREET if role in (S, CW) else None,
        org_id=uuid4() if role is ORG else None,
        purchaser="11010100MZJ" if role is Role.DISTRICT_DEPARTMENT else None,
        community="钱粮胡同社区" if role is CW else None,
    )


async def test_every_route_refuses_anonymous_callers_and_roles_it_is_not_for(client):
    wrong = []
    for method, path, allowed in ROUTES:
        r = await client.request(method, path, json={})
        if r.status_code != 401:
            wrong.append((method, path, "anonymous", r.status_code))
        for role in set(Role) - allowed:
            r = await client.request(method, path, json={}, headers=as_role(role))
            if r.status_code != 403:
                wrong.append((method, path, role.value, r.status_code))
    assert wrong == []


async def test_a_forged_token_is_refused(client):
    forged = forged_token(A)
    assert (await client.get("/grants", headers=forged)).status_code == 401


async def test_the_public_reads_rounds_notices_statistics_and_the_export_without_a_token(client):
    round_id = (await client.post("/rounds", json=round_body(), headers=ADMIN)).json()["id"]
    for path in PUBLIC:
        r = await client.get(path.replace(str(X), round_id))
        assert r.status_code == 200, (path, r.text)


async def test_orgs_and_street_officers_see_only_their_own_projects(flow, orgs):
    mine = await orgs.add("我的机构")
    theirs = await orgs.add("别人的机构")
    round_id = await flow.open_round()
    my_app = await flow.apply(round_id, mine, "我的项目")
    their_app = await flow.apply(round_id, theirs, "别人的项目", street_code=OTHER_STREET)
    me = token(ORG, sub="me", org_id=mine)
    assert (await flow.c.get(f"/applications/{their_app}", headers=me)).status_code == 403
    assert [a["id"] for a in await flow.ok("GET", f"/rounds/{round_id}/applications", me)] == [my_app]
    officer = token(S, sub="dongsi", street=STREET)
    assert (await flow.c.get(f"/applications/{their_app}", headers=officer)).status_code == 403
    assert [a["id"] for a in await flow.ok("GET", f"/rounds/{round_id}/applications", officer)] == [my_app]
    assert (await flow.c.get(f"/applications/{my_app}", headers=officer)).status_code == 200

    grants = await flow.funded(round_id, {my_app: 90, their_app: 85})
    by_org = {g["org_id"]: g["grant_id"] for g in grants}
    their_grant = by_org[str(theirs)]
    assert (await flow.c.get(f"/grants/{their_grant}", headers=me)).status_code == 403
    assert [g["org_id"] for g in await flow.ok("GET", "/grants", me)] == [str(mine)]
    assert [g["street_code"] for g in await flow.ok("GET", "/grants", officer)] == [STREET]
    assert (await flow.c.get(f"/grants/{their_grant}", headers=officer)).status_code == 403
    r = await flow.c.post(f"/grants/{their_grant}/reports", json={"tranche_number": 1, "summary": "x"}, headers=me)
    assert r.status_code == 403
    r = await flow.c.post(f"/grants/{their_grant}/followup", json={"pledge": "x"}, headers=officer)
    assert r.status_code == 403
    monitor = token(M, sub="m")
    assert len(await flow.ok("GET", "/grants", monitor)) == 2


async def test_an_application_body_with_an_unknown_field_is_refused(flow, orgs):
    org = await orgs.add("机构")
    round_id = await flow.open_round()
    body = application_body(budget_secret="x")
    r = await flow.c.post(f"/rounds/{round_id}/applications", json=body, headers=token(ORG, sub="o", org_id=org))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "budget_secret"]


@pytest.fixture
async def without_demo_mode(client, settings):  # type: ignore[no-untyped-def]
    """The same database (its demo clock set by `client`), served by an app not in demo mode."""
    app = create_app(settings.model_copy(update={"demo_mode": False}))
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=120)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v.test") as c:
            yield c


async def test_without_demo_mode_the_stored_date_is_ignored_and_nobody_moves_the_clock(client, without_demo_mode):
    assert (await client.get("/clock", headers=ADMIN)).json()["today"] == "2026-03-02"  # demo mode
    state = (await without_demo_mode.get("/clock", headers=ADMIN)).json()
    assert state["demo_mode"] is False and state["today"] != "2026-03-02"
    moved = await without_demo_mode.put("/clock", json={"today": "2026-03-02"}, headers=ADMIN)
    assert moved.status_code == 403 and moved.json()["code"] == "demo_mode_off" and "演示模式" in moved.json()["detail"]
    org = token(ORG, sub="o", org_id=uuid4())
    assert (await client.put("/clock", json={"today": "2027-01-01"}, headers=org)).status_code == 403
    dated = await client.get("/rounds", headers={**org, "X-Demo-Today": "2027-01-01"})
    assert dated.status_code == 403 and dated.json()["code"] == "demo_clock_admin_only"
