"""Talent cultivation: a programme's whole path (sessions, enrolment, attendance, certificates,
the public check), workshops with coaching and brand projects, statistics; role denials and bad input."""

from __future__ import annotations

import json

from testkit import token

from .helpers import filing, registration

ADMIN = token("district_admin", sub="alice")
DONGSI = token("street_officer", sub="bob", street="110101006")
BEIXINQIAO = token("street_officer", sub="dan", street="110101005")


async def _org(client, **over) -> str:
    r = await client.post("/orgs", json=registration(**over), headers=ADMIN)
    assert r.status_code == 201, r.text
    return str(r.json()["org_id"])


async def _programme(client, agency: str, **over) -> str:
    body = {
        "name": "2016年度社会组织公益人才培养计划",
        "year": 2016,
        "level": "district",
        "theme": "政府购买服务项目流程、社区公益金及党建经费使用",
        "agency_org_id": agency,
        "required_sessions": 2,
        **over,
    }
    r = await client.post("/talent/programmes", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    return str(r.json()["programme_id"])


async def _session(client, programme: str, day: str, headers=ADMIN) -> str:
    body = {"held_on": day, "place": "区社服中心", "topic": "项目设计要素", "trainer": "张老师", "hours": "3.0"}
    r = await client.post(f"/talent/programmes/{programme}/sessions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["session_id"])


async def test_a_programme_runs_from_enrolment_to_certificates_anyone_can_check(client, db):
    agency = await _org(client, name="东城区协作者社会工作事务所")
    served = await _org(client, name="东四为老服务中心")
    programme = await _programme(client, agency)
    sessions = [await _session(client, programme, d) for d in ("2016-04-08", "2016-05-13", "2016-06-10")]
    enrol = {
        "enrolled_on": "2016-04-01",
        "people": [
            {"name": "王敏", "role": "org_leader", "org_id": served, "phone": "13800000001"},
            {"name": "李强", "role": "social_worker", "org_id": served},
            {"name": "赵丽", "role": "community_cadre"},
        ],
    }
    r = await client.post(f"/talent/programmes/{programme}/enrolments", json=enrol, headers=ADMIN)
    assert r.status_code == 201, r.text
    wang, li, zhao = r.json()["person_ids"]
    for s in sessions[:2]:
        assert (
            await client.post(f"/talent/sessions/{s}/attendance", json={"person_ids": [wang, zhao]}, headers=ADMIN)
        ).status_code == 200
    await client.post(f"/talent/sessions/{sessions[2]}/attendance", json={"person_ids": [li, li]}, headers=ADMIN)

    issued = await client.post(f"/talent/programmes/{programme}/certificates", headers=ADMIN)
    assert issued.status_code == 200, issued.text
    certs = {c["person_id"]: c for c in issued.json()["issued"]}
    assert certs.keys() == {wang, zhao} and certs[wang]["hours"] == "6.0"
    again = await client.post(f"/talent/programmes/{programme}/certificates", headers=ADMIN)
    assert again.json()["issued"] == []

    code = certs[wang]["code"]
    public = await client.get(f"/public/certificates/{code.lower()}")
    assert public.status_code == 200
    assert public.json()["holder"] == "王*" and public.json()["programme_name"].startswith("2016")
    assert "王敏" not in public.text and "13800000001" not in public.text
    page = await client.get(f"/talent/certificates/{code}", headers=ADMIN)
    assert page.status_code == 200 and "王敏" in page.text and code in page.text
    unknown = await client.get("/public/certificates/RC-2016-NOSUCHCODE")
    assert unknown.status_code == 404 and "证书编号" in unknown.json()["detail"]

    people = (await client.get(f"/talent/programmes/{programme}/people", headers=ADMIN)).json()
    assert {p["name"]: p["attended"] for p in people} == {"王敏": 2, "李强": 1, "赵丽": 2}

    rows = await db.fetch(
        "SELECT routing_key, payload FROM outbox WHERE routing_key LIKE 'registry.talent%' ORDER BY id"
    )
    assert [r["routing_key"] for r in rows] == [
        "registry.talent_programme_opened.v1",
        "registry.talent_certificates_issued.v1",
    ]
    certified = json.loads(rows[1]["payload"])
    assert certified["count"] == 2 and certified["org_ids"] == [served]
    assert "王敏" not in rows[1]["payload"]  # no personal data in events

    stats = (await client.get("/statistics/talent", headers=DONGSI)).json()
    assert stats["programmes"] == [
        {
            "year": 2016,
            "level": "district",
            "programmes": 1,
            "sessions": 3,
            "enrolled": 3,
            "trained": 3,
            "certified": 2,
            "session_hours": "9.0",
            "person_hours": "15.0",
        }
    ]


async def test_attendance_for_someone_not_enrolled_is_refused_naming_the_person_and_writes_nothing(client, db):
    agency = await _org(client)
    programme, other = await _programme(client, agency), await _programme(client, agency, name="另一个项目")
    session = await _session(client, programme, "2016-04-08")
    enrol = {"enrolled_on": "2016-04-01", "people": [{"name": "王敏", "role": "org_leader"}]}
    (enrolled,) = (await client.post(f"/talent/programmes/{programme}/enrolments", json=enrol, headers=ADMIN)).json()[
        "person_ids"
    ]
    (stranger,) = (await client.post(f"/talent/programmes/{other}/enrolments", json=enrol, headers=ADMIN)).json()[
        "person_ids"
    ]
    r = await client.post(
        f"/talent/sessions/{session}/attendance", json={"person_ids": [enrolled, stranger]}, headers=ADMIN
    )
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "person_ids", "1"] and "未报名" in item["msg"]
    assert await db.fetchval("SELECT count(*) FROM talent_attendance") == 0


async def test_street_officers_run_their_streets_programmes_only_and_people_are_staff_only(client, db):
    agency = await _org(client)
    street = await _programme(client, agency, level="street", street_code="110101006", name="东四街道社区人才培训")
    assert (
        await client.post(
            "/talent/programmes",
            json={
                "name": "x",
                "year": 2016,
                "level": "street",
                "street_code": "110101005",
                "theme": "t",
                "agency_org_id": agency,
            },
            headers=DONGSI,
        )
    ).status_code == 403
    await _session(client, street, "2016-09-01", headers=DONGSI)
    body = {"held_on": "2016-09-02", "place": "p", "topic": "t", "trainer": "x", "hours": "2.0"}
    assert (
        await client.post(f"/talent/programmes/{street}/sessions", json=body, headers=BEIXINQIAO)
    ).status_code == 403
    district = await _programme(client, agency)
    assert (await client.get(f"/talent/programmes/{district}/people", headers=DONGSI)).status_code == 403
    assert (await client.get(f"/talent/programmes/{street}/people", headers=BEIXINQIAO)).status_code == 403
    assert (await client.get(f"/talent/programmes/{street}/people", headers=DONGSI)).status_code == 200
    org = token("org", sub="o", org_id=agency)
    assert (await client.get(f"/talent/programmes/{street}/people", headers=org)).status_code == 403


async def test_bad_programmes_are_refused_naming_the_field(client, db):
    agency = await _org(client)
    filed = (await client.post("/filings", json=filing(), headers=ADMIN)).json()["org_id"]
    base = {"name": "n", "year": 2016, "level": "district", "theme": "t", "agency_org_id": agency}
    cases = [
        ({"year": 2099}, ["body", "year"]),
        ({"level": "street"}, ["body", "street_code"]),
        ({"street_code": "110101006"}, ["body", "street_code"]),
        ({"agency_org_id": "00000000-0000-4000-8000-000000000001"}, ["body", "agency_org_id"]),
        ({"level": "province"}, ["body", "level"]),
    ]
    for over, loc in cases:
        r = await client.post("/talent/programmes", json={**base, **over}, headers=ADMIN)
        assert r.status_code == 422, (over, r.text)
        assert r.json()["detail"][0]["loc"] == loc, (over, r.text)
    assert filed and await db.fetchval("SELECT count(*) FROM talent_programmes") == 0


async def test_a_workshop_cohort_is_coached_by_alliance_members_and_brand_projects_are_recognised(client, db):
    start_ups = [await _org(client, name=f"初创组织{i}") for i in range(12)]
    coach = await _org(client, name="北京协作者社会工作发展中心")
    outsider = await _org(client, name="非成员")
    await client.post("/alliance/members", json={"org_id": coach, "category": "startup_mentoring"}, headers=ADMIN)
    r = await client.post(
        "/talent/cohorts",
        json={
            "name": "2017年初创期社会组织封闭式工作坊",
            "year": 2017,
            "starts_on": "2017-05-01",
            "org_ids": start_ups,
        },
        headers=ADMIN,
    )
    assert r.status_code == 201, r.text
    cohort = r.json()["cohort_id"]
    session = {"coach_org_id": coach, "held_on": "2017-05-10", "topic": "战略规划", "notes": "使命陈述需聚焦社区"}
    for org in start_ups[:3]:
        assert (
            await client.post(f"/talent/cohorts/{cohort}/coaching", json={**session, "org_id": org}, headers=ADMIN)
        ).status_code == 201
    refused = await client.post(
        f"/talent/cohorts/{cohort}/coaching", json={**session, "org_id": outsider}, headers=ADMIN
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "org_id"]
    not_coach = await client.post(
        f"/talent/cohorts/{cohort}/coaching",
        json={**session, "org_id": start_ups[0], "coach_org_id": outsider},
        headers=ADMIN,
    )
    assert not_coach.status_code == 422 and not_coach.json()["detail"][0]["loc"] == ["body", "coach_org_id"]

    own = token("org", sub="o", org_id=start_ups[0])
    seen = (await client.get("/talent/coaching", params={"org_id": start_ups[1]}, headers=own)).json()
    assert [s["org_id"] for s in seen] == [start_ups[0]] and seen[0]["notes"] == "使命陈述需聚焦社区"
    assert len((await client.get("/talent/coaching", headers=ADMIN)).json()) == 3

    brand = {"org_id": start_ups[0], "title": "公益认领", "recognised_on": "2018-12-01", "cohort_id": cohort}
    assert (await client.post("/talent/brand-projects", json=brand, headers=ADMIN)).status_code == 201
    assert (await client.post("/talent/brand-projects", json=brand, headers=ADMIN)).status_code == 409
    assert (await client.post("/talent/brand-projects", json=brand, headers=DONGSI)).status_code == 403

    stats = (await client.get("/statistics/talent", headers=ADMIN)).json()
    assert stats["workshops"] == [
        {"year": 2017, "cohort_orgs": 12, "orgs_coached": 3, "coaching_sessions": 3, "brand_projects": 1}
    ]
    keys = [
        r["routing_key"]
        for r in await db.fetch(
            "SELECT routing_key FROM outbox WHERE routing_key NOT LIKE 'registry.org%'"
            " AND routing_key NOT LIKE 'registry.platform%' ORDER BY id"
        )
    ]
    assert keys == [
        "registry.alliance_member_joined.v1",
        "registry.workshop_cohort_formed.v1",
        *["registry.coaching_session_recorded.v1"] * 3,
        "registry.brand_project_recognised.v1",
    ]
