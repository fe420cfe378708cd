"""Every route refuses the roles that may not use it (401 without a token, 403 with the wrong one)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from testkit import token

ADMIN = token("district_admin", sub="alice")
OTHER_STREET = token("street_officer", sub="carol", street="110101001")
STRANGER_REVIEWER = token("reviewer", sub="rev-x")
STRANGER_MONITOR = token("monitor", sub="mon-x")
STRANGER_ORG = token("org", sub="z", org_id=uuid4())
ANON: dict[str, str] = {}

ROLE_TOKENS = {
    "anonymous": ANON,
    "other_street": OTHER_STREET,
    "stranger_reviewer": STRANGER_REVIEWER,
    "stranger_monitor": STRANGER_MONITOR,
    "stranger_org": STRANGER_ORG,
    "admin": ADMIN,
}
NOT_STAFF = ["anonymous", "stranger_reviewer", "stranger_monitor", "stranger_org", "other_street"]

# (method, path under the project, body) of every staff command: only district_admin and the
# purchaser's own street officer may run them.
STAFF_COMMANDS = [
    ("PATCH", "", {"title": "x"}),
    ("POST", "/solicitation", {"closes_on": "2026-12-01"}),
    ("POST", "/solicitation/close", {}),
    ("POST", "/proposals/{proposal_a}/screening", {"valid": True}),
    ("POST", "/review", {}),
    ("POST", "/reviewers", {"reviewer": "rev-9"}),
    ("POST", "/approval", {}),
    ("POST", "/objections/{proposal_a}/resolution", {"upheld": False, "resolution": "r"}),
    ("POST", "/announcement/close", {}),
    ("POST", "/optimisation", {"changes": "c"}),
    ("POST", "/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"}),
    ("POST", "/monitors", {"monitor": "mon-9"}),
    ("POST", "/payments", {"amount_cny": "1.00", "paid_on": "2026-05-01"}),
    ("POST", "/cancellation", {"reason": "r"}),
    ("POST", "/unsuccessful", {"reason": "r"}),
    ("POST", "/resolicitation", {"closes_on": "2026-12-01"}),
]


@pytest.fixture
async def review(client, kit, db):
    return await kit.drive(client, db, until="review")


async def _call(client, method, url, body, headers):  # type: ignore[no-untyped-def]
    return await client.request(method, url, json=body, headers=headers)


async def test_staff_commands_refuse_everyone_but_admin_and_the_purchasers_street(client, review):
    refusals = []
    for method, path, body in STAFF_COMMANDS:
        url = review["base"] + path.format(**review)
        for role in NOT_STAFF:
            r = await _call(client, method, url, body, ROLE_TOKENS[role])
            expected = 401 if role == "anonymous" else 403
            if r.status_code != expected:
                refusals.append((method, path, role, r.status_code, r.text))
    assert not refusals, refusals
    r = await client.get(review["base"], headers=ADMIN)
    assert r.json()["stage"] == "review" and r.json()["title"] != "x"  # nothing was changed by the refused calls


async def test_reading_a_project_is_limited_to_those_involved(client, review):
    base = review["base"]
    for role in ("other_street", "stranger_reviewer", "stranger_monitor", "stranger_org"):
        for path in ("", "/scores", "/proposals"):
            r = await client.get(base + path, headers=ROLE_TOKENS[role])
            assert r.status_code == 403, (role, path, r.text)
    assert (await client.get(base)).status_code == 401
    for who in ("officer", "rev1", "org_a"):
        assert (await client.get(base, headers=review[who])).status_code == 200
    assert (await client.get(base + "/scores", headers=review["org_a"])).status_code == 403


async def test_reviewer_sees_only_own_scores_and_org_only_own_proposal(client, review):
    base = review["base"]
    mine = (await client.get(base + "/scores", headers=review["rev2"])).json()
    assert {s["reviewer"] for s in mine["scores"]} == {"rev-2"} and mine["ranking"] is None
    project = (await client.get(base, headers=review["rev2"])).json()
    assert {s["reviewer"] for s in project["scores"]} == {"rev-2"}
    assert [r["sub"] for r in project["reviewers"]] == ["rev-2"]
    everything = (await client.get(base + "/scores", headers=review["officer"])).json()
    assert {s["reviewer"] for s in everything["scores"]} == {"rev-1", "rev-2"} and everything["ranking"]
    own = (await client.get(base + "/proposals", headers=review["org_b"])).json()
    assert [p["id"] for p in own] == [review["proposal_b"]]
    seen = (await client.get(base, headers=review["org_b"])).json()
    assert [p["id"] for p in seen["proposals"]] == [review["proposal_b"]] and "scores" not in seen
    listed = (await client.get("/projects", headers=review["org_b"])).json()
    assert [p["id"] for p in listed] == [review["project_id"]]
    assert (await client.get("/projects", headers=STRANGER_REVIEWER)).json() == []


async def test_reviewer_routes_refuse_other_roles_and_unassigned_reviewers(client, review):
    base = review["base"]
    score_url = f"{base}/proposals/{review['proposal_a']}/scores"
    criteria = {"criteria": {"need_fit": "1", "plan_quality": "1", "capacity": "1", "budget_value": "1"}}
    for headers in (ADMIN, review["officer"], STRANGER_MONITOR, review["org_a"]):
        assert (await _call(client, "POST", f"{base}/conflicts", {"org_ids": []}, headers)).status_code == 403
        assert (await _call(client, "POST", score_url, criteria, headers)).status_code == 403
    assert (await _call(client, "POST", f"{base}/conflicts", {"org_ids": []}, STRANGER_REVIEWER)).status_code == 403
    assert (await _call(client, "POST", score_url, criteria, STRANGER_REVIEWER)).status_code == 403
    assert (await _call(client, "POST", score_url, criteria, ANON)).status_code == 401


async def test_conflicted_reviewer_cannot_score_over_http(client, review):
    url = f"{review['base']}/proposals/{review['proposal_b']}/scores"
    body = {"criteria": {"need_fit": "1", "plan_quality": "1", "capacity": "1", "budget_value": "1"}}
    r = await _call(client, "POST", url, body, review["rev2"])
    assert r.status_code == 409 and r.json()["code"] == "conflict_of_interest"


async def test_only_orgs_submit_proposals(client, kit, db):
    sol = await kit.drive(client, db, until="solicitation")
    body = {"title": "t", "plan": "p", "budget_cny": "1.00"}
    for headers in (ADMIN, sol["officer"], STRANGER_REVIEWER, STRANGER_MONITOR):
        r = await _call(client, "POST", sol["base"] + "/proposals", body, headers)
        assert r.status_code == 403
    assert (await _call(client, "POST", sol["base"] + "/proposals", body, ANON)).status_code == 401


async def test_objections_are_for_orgs_and_staff_of_the_project(client, kit, db):
    ann = await kit.drive(client, db, until="announcement")
    url = ann["base"] + "/objections"
    for headers, status in ((STRANGER_REVIEWER, 403), (STRANGER_MONITOR, 403), (OTHER_STREET, 403), (ANON, 401)):
        assert (await _call(client, "POST", url, {"reason": "r"}, headers)).status_code == status
    assert (await _call(client, "POST", url, {"reason": "评分不公"}, ann["org_b"])).status_code == 201
    public = (await client.get("/public/announcements")).json()
    assert any(a["project_id"] == ann["project_id"] and a["ends_on"] == "2026-03-31" for a in public)


async def test_monitor_routes_refuse_other_roles_and_unassigned_monitors(client, kit, db):
    mon = await kit.drive(client, db, until="monitoring")
    report = {"milestone": "m", "summary": "s"}
    evaluation = {"grade": "good", "beneficiary_person_times": 1, "summary": "s"}
    for headers in (ADMIN, mon["officer"], STRANGER_REVIEWER, mon["org_a"], STRANGER_MONITOR):
        assert (await _call(client, "POST", mon["base"] + "/reports", report, headers)).status_code == 403
        assert (await _call(client, "POST", mon["base"] + "/evaluation", evaluation, headers)).status_code == 403
    assert (await _call(client, "POST", mon["base"] + "/reports", report, ANON)).status_code == 401
    assert (await client.get(mon["base"], headers=STRANGER_MONITOR)).status_code == 403
    seen = await client.get(mon["base"], headers=mon["mon1"])
    assert seen.status_code == 200 and "scores" not in seen.json() and "reviewers" not in seen.json()
    contracts = (await client.get("/public/contracts")).json()
    assert any(c["project_id"] == mon["project_id"] and c["amount_cny"] == "88000.00" for c in contracts)


async def test_demand_routes_refuse_other_roles_and_other_streets(client, kit, db):
    body = {
        "purchaser": {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"},
        "street_code": "110101006",
        "title": "t",
        "domain": "elder_care",
        "budget_cny": "1.00",
        "expected_beneficiaries": 1,
    }
    for headers in (STRANGER_REVIEWER, STRANGER_MONITOR, STRANGER_ORG):
        assert (await client.post("/demands", json=body, headers=headers)).status_code == 403
        assert (await client.get("/demands", headers=headers)).status_code == 403
        assert (await client.post("/projects", json={"demand_ids": [str(uuid4())]}, headers=headers)).status_code == 403
    assert (await client.post("/demands", json=body)).status_code == 401
    assert (await client.post("/demands", json=body, headers=OTHER_STREET)).status_code == 403
    district = {**body, "purchaser": {"code": "T", "name": "东城区体育局", "kind": "district_department"}}
    assert (await client.post("/demands", json=district, headers=OTHER_STREET)).status_code == 403
    created = (await client.post("/demands", json=body, headers=token("street_officer", street="110101006"))).json()
    sort = {"demand_ids": [created["demand_id"]]}
    assert (await client.post("/projects", json=sort, headers=OTHER_STREET)).status_code == 403
    assert all(d["street_code"] == "110101001" for d in (await client.get("/demands", headers=OTHER_STREET)).json())
    for headers in (OTHER_STREET, STRANGER_ORG):
        assert (await client.get("/demands/rejected", headers=headers)).status_code == 403


async def test_ocds_export_is_for_district_admins(client):
    for path in ("/ocds/records", "/ocds/releases", f"/ocds/projects/{uuid4()}"):
        for headers in (OTHER_STREET, STRANGER_REVIEWER, STRANGER_MONITOR, STRANGER_ORG):
            assert (await client.get(path, headers=headers)).status_code == 403
        assert (await client.get(path)).status_code == 401


async def test_public_routes_need_no_token(client):
    for path in ("/public/solicitations", "/public/announcements", "/public/contracts", "/statistics"):
        assert (await client.get(path)).status_code == 200


async def test_a_bidder_and_the_monitor_read_no_competitors_bid_in_any_field(client, kit, db):
    """The project's history carried OCDS releases listing every tenderer's name and amount."""
    p = await kit.drive(client, db, until="monitoring")  # A (甲, 90000.00) won; B (乙, 80000.00) lost
    b_values = [str(p["b"].org_id), p["b"].name, p["proposal_b"], "80000"]
    for who in ("org_a", "mon1"):
        text = (await client.get(p["base"], headers=p[who])).text
        assert not [v for v in b_values if v in text], (who, [v for v in b_values if v in text])
        listed = (await client.get("/projects", headers=p[who])).text
        assert not [v for v in b_values if v in listed], who
    mine = (await client.get(p["base"], headers=p["org_b"])).json()  # B sees the public result, and its own
    assert [x["id"] for x in mine["proposals"]] == [p["proposal_b"]] and "proposal_id" not in mine["selection"]
    assert all(set(h) == {"seq", "kind", "on"} for h in mine["history"])
