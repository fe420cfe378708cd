"""Street micro-venture rounds (社区微创投) run by a street officer end to end, one street never
seeing another's, proposal contests (提案大赛) with a panel and an audience vote, statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from shared.auth import Role
from testkit import EventTap, eventually, token

from ..conftest import ADMIN, OTHER_STREET, STREET, Flow, application_body, round_body, wait_event

OFFICER = token(Role.STREET_OFFICER, sub="dongsi-officer", street=STREET)
OTHER = token(Role.STREET_OFFICER, sub="donghuamen-officer", street=OTHER_STREET)


async def street_round(flow: Flow, **over: Any) -> str:
    body = round_body(title="东四街道社区微创投", total_budget_cny="100000.00", grant_cap_cny="20000.00", **over)
    r = await flow.ok("POST", "/rounds", OFFICER, body, 201)
    assert r["level"] == "street" and r["street_code"] == STREET
    return str(r["id"])


async def test_a_street_officer_runs_its_own_round_end_to_end(flow, orgs):
    group = await orgs.add("钱粮胡同居民互助队")
    other_street_org = await orgs.add("东华门文体队", street_code=OTHER_STREET)
    async with EventTap("venture.round_opened.v1", "venture.grant_awarded.v1") as tap:
        round_id = await street_round(flow)
        [opened] = await wait_event(tap, "venture.round_opened.v1", round_id=round_id)
        assert opened["level"] == "street" and opened["street_code"] == STREET

        app_id = await flow.apply(round_id, group, requested_cny="15000.00")
        h = token(Role.ORG, sub="o", org_id=other_street_org)
        r = await flow.c.post(
            f"/rounds/{round_id}/applications", json=application_body(street_code=OTHER_STREET), headers=h
        )
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "street_code"]
        assert "落地本街道" in r.json()["detail"][0]["msg"]

        # Another street neither sees nor runs it.
        for method, url in (
            ("GET", f"/rounds/{round_id}/applications"),
            ("POST", f"/rounds/{round_id}/call-closure"),
            ("GET", f"/rounds/{round_id}/ranking"),
            ("POST", f"/rounds/{round_id}/notice"),
            ("POST", f"/rounds/{round_id}/awards"),
        ):
            assert (await flow.c.request(method, url, headers=OTHER)).status_code == 403, url
        assert (await flow.c.get(f"/applications/{app_id}", headers=OTHER)).status_code == 403

        await flow.ok("POST", f"/rounds/{round_id}/call-closure", OFFICER)
        r = await flow.c.post(f"/applications/{app_id}/screening", json={"passed": True, "reason": "x"}, headers=OTHER)
        assert r.status_code == 403
        await flow.ok("POST", f"/applications/{app_id}/screening", OFFICER, {"passed": True, "reason": "材料齐全"})
        await flow.ok(
            "POST", f"/rounds/{round_id}/assignments", OFFICER, {"reviewer": "rev-st", "application_ids": [app_id]}, 201
        )
        rev = token(Role.REVIEWER, sub="rev-st")
        await flow.ok("POST", f"/rounds/{round_id}/declarations", rev, {"statement": "无利益关系"}, 201)
        await flow.ok(
            "PUT",
            f"/applications/{app_id}/scores/mine",
            rev,
            {"criteria": dict.fromkeys(("need", "design", "capacity", "sustainability"), "85")},
        )
        await flow.ok("POST", f"/rounds/{round_id}/notice", OFFICER)
        await flow.set_today("2026-04-30")
        [grant] = (await flow.ok("POST", f"/rounds/{round_id}/awards", OFFICER))["grants"]
        await wait_event(tap, "venture.grant_awarded.v1", grant_id=grant["grant_id"])

    assert (await flow.c.post(f"/grants/{grant['grant_id']}/tranches/1/disbursement", headers=OTHER)).status_code == 403
    await flow.ok("POST", f"/grants/{grant['grant_id']}/tranches/1/disbursement", OFFICER)
    # The district sees everything; the other street's grant list has none of it.
    assert app_id in {a["id"] for a in await flow.ok("GET", f"/rounds/{round_id}/applications", ADMIN)}
    assert grant["grant_id"] not in {g["id"] for g in await flow.ok("GET", "/grants", OTHER)}

    # The district's figures are the district's rounds; the street's are counted per street.
    district = await flow.ok("GET", "/statistics", {})
    assert round_id not in {r["round_id"] for r in district["rounds"]}
    assert district["overall"]["rounds"] == len(district["rounds"])
    streets = await flow.ok("GET", "/statistics/streets", {})
    [mine] = [s for s in streets if s["street_code"] == STREET]
    assert mine["rounds"] >= 1 and mine["groups_cultivated"] >= 1 and mine["street_name"] == "东四街道"


async def test_a_street_officer_opens_only_its_own_streets_rounds(flow):
    r = await flow.c.post("/rounds", json=round_body(level="district"), headers=OFFICER)
    assert r.status_code == 403
    r = await flow.c.post("/rounds", json=round_body(level="street", street_code=OTHER_STREET), headers=OFFICER)
    assert r.status_code == 403
    r = await flow.c.post("/rounds", json=round_body(level="street"), headers=ADMIN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "street_code"]
    # Numbers count per owner: the district's and the street's 第N届 are different rounds.
    district = await flow.ok("POST", "/rounds", ADMIN, round_body(number=977), 201)
    street = await flow.ok("POST", "/rounds", OFFICER, round_body(number=977), 201)
    assert district["level"] == "district" and street["level"] == "street"
    assert (await flow.c.post("/rounds", json=round_body(number=977), headers=OFFICER)).status_code == 409
    # A district round is not the street's to run.
    assert (await flow.c.post(f"/rounds/{district['id']}/call-closure", headers=OFFICER)).status_code == 403


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


async def _contest(flow: Flow, round_id: str, opens: timedelta, closes: timedelta, **over: Any) -> str:
    body = {
        "round_id": round_id,
        "title": "东四街道提案大赛",
        "voting_opens_at": _at(opens),
        "voting_closes_at": _at(closes),
        "panelists": ["panel-1", "panel-2"],
        "panel_weight": 60,
        "winners": 1,
        **over,
    }
    return str((await flow.ok("POST", "/contests", OFFICER, body, 201))["id"])


async def _proposal(flow: Flow, contest_id: str, org: UUID, title: str) -> str:
    body = {
        "title": title,
        "summary": "居民自发组织，解决楼道堆物问题。",
        "presenter": "张大爷",
        "org_id": str(org),
        "community": "钱粮胡同社区",
        "domain": "community_governance",
        "requested_cny": "8000.00",
    }
    return str((await flow.ok("POST", f"/contests/{contest_id}/proposals", OFFICER, body, 201))["id"])


async def test_a_proposal_contest_takes_one_vote_per_person_and_its_winner_becomes_an_application(flow, orgs):
    a_org = await orgs.add("钱粮胡同楼门长议事会")
    b_org = await orgs.add("东四花友汇")
    round_id = await street_round(flow)
    contest_id = await _contest(flow, round_id, timedelta(seconds=-5), timedelta(seconds=6))
    a = await _proposal(flow, contest_id, a_org, "楼道微更新")
    b = await _proposal(flow, contest_id, b_org, "社区花园")

    for panelist, sa, sb in (("panel-1", "90", "70"), ("panel-2", "80", "75")):
        h = token(Role.REVIEWER, sub=panelist)
        await flow.ok("PUT", f"/contests/{contest_id}/proposals/{a}/scores/mine", h, {"score": sa})
        await flow.ok("PUT", f"/contests/{contest_id}/proposals/{b}/scores/mine", h, {"score": sb})
    stranger = token(Role.REVIEWER, sub="not-on-panel")
    r = await flow.c.put(f"/contests/{contest_id}/proposals/{a}/scores/mine", json={"score": "100"}, headers=stranger)
    assert r.status_code == 403

    url = f"/public/contests/{contest_id}/votes"
    await flow.ok("POST", url, {}, {"proposal_id": b, "phone": "13912340001"}, 201)
    await flow.ok("POST", url, {}, {"proposal_id": b, "phone": "13912340002"}, 201)
    await flow.ok("POST", url, token(Role.ORG, sub="resident-account", org_id=a_org), {"proposal_id": a}, 201)
    # The same phone written another way, the same account again: refused.
    r = await flow.c.post(url, json={"proposal_id": a, "phone": "+86 139 1234 0001"})
    assert r.status_code == 409 and "只能投一票" in r.json()["detail"]
    r = await flow.c.post(url, json={"proposal_id": b}, headers=token(Role.ORG, sub="resident-account", org_id=a_org))
    assert r.status_code == 409
    r = await flow.c.post(url, json={"proposal_id": a, "phone": "12345"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "phone"]
    r = await flow.c.post(url, json={"proposal_id": a})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "phone"]
    # Not before the time box ends, and not by another street.
    r = await flow.c.post(f"/contests/{contest_id}/closure", headers=OFFICER)
    assert r.status_code == 409
    assert (await flow.c.post(f"/contests/{contest_id}/closure", headers=OTHER)).status_code == 403

    async with EventTap("venture.proposal_contest_closed.v1", "venture.application_submitted.v1") as tap:

        async def closed() -> dict[str, Any] | None:
            r = await flow.c.post(f"/contests/{contest_id}/closure", headers=OFFICER)
            return r.json() if r.status_code == 200 else None

        result = await eventually(closed, timeout=20, interval=0.5)
        # a: panel 85, audience 1/2 → 0.6*85 + 0.4*50 = 71; b: panel 72.5, audience 2/2 → 43.5 + 40 = 83.5
        [winner] = result["winners"]
        assert winner["proposal_id"] == b and winner["votes"] == 2
        [event] = await wait_event(tap, "venture.proposal_contest_closed.v1", contest_id=contest_id)
        assert event["votes"] == 3 and event["winners"][0]["application_id"] == winner["application_id"]
        await wait_event(tap, "venture.application_submitted.v1", application_id=winner["application_id"])

    apps = await flow.ok("GET", f"/rounds/{round_id}/applications", OFFICER)
    assert [a["title"] for a in apps] == ["社区花园"]
    r = await flow.c.post(url, json={"proposal_id": a, "phone": "13912340009"})
    assert r.status_code == 409 and "截止" in r.json()["detail"]


async def test_a_vote_after_the_close_is_refused_and_contests_need_a_street_round(flow, orgs):
    org = await orgs.add("东四花友汇")
    round_id = await street_round(flow)
    contest_id = await _contest(flow, round_id, timedelta(hours=-2), timedelta(hours=-1))
    r = await flow.c.post(
        f"/contests/{contest_id}/proposals",
        json={
            "title": "x",
            "summary": "x",
            "presenter": "x",
            "org_id": str(org),
            "domain": "other",
            "requested_cny": "100.00",
        },
        headers=OFFICER,
    )
    assert r.status_code == 409
    r = await flow.c.post(
        f"/public/contests/{contest_id}/votes", json={"proposal_id": contest_id, "phone": "13912340001"}
    )
    assert r.status_code == 409 and "投票已于" in r.json()["detail"]

    district = await flow.ok("POST", "/rounds", ADMIN, round_body(), 201)
    body = {
        "round_id": district["id"],
        "title": "t",
        "voting_opens_at": _at(timedelta(0)),
        "voting_closes_at": _at(timedelta(hours=1)),
        "panelists": ["p"],
    }
    r = await flow.c.post("/contests", json=body, headers=ADMIN)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "round_id"]
    assert (await flow.c.post("/contests", json={**body, "round_id": round_id}, headers=OTHER)).status_code == 403
    r = await flow.c.post(
        "/contests", json={**body, "round_id": round_id, "voting_closes_at": _at(timedelta(hours=-1))}, headers=OFFICER
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "voting_closes_at"]
