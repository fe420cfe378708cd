"""Registry: every route × caller (see matrix.py for the callers and how a row is checked).

Readers are the district and street staff, reviewers and monitors (the register is not secret to
staff); writers are the district admin and the officer of the org's street; an org reads and changes
only its own profile's contact.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest

from registry.domain.uscc import make_code
from tests.security.matrix import (
    OPERATIONS,
    STREET,
    Call,
    Env,
    Row,
    assert_complete,
    check_nul_in_body,
    check_row,
    ok,
    public_rows,
    running_app,
    write_routes,
)

_serial = itertools.count(1)
# Contact details are personal data: only the district admin, the org's own street officer and the
# org itself see them; the reads below carry the e-mail as the secret the other callers must not see.
CONTACT = {"name": "赵敏", "email": "zhaomin-sec@example.org", "phone": "010-64005678"}
CONTACT_HIDDEN = "street_x reviewer monitor"


def _code() -> str:
    return make_code("52", "110101", f"MA{next(_serial):06d}")


async def _registered(env: Env, **over: Any) -> dict[str, Any]:
    body = {
        "name": f"东四为老服务中心{next(_serial)}",
        "org_type": "private_non_enterprise",
        "credit_code": _code(),
        "registered_on": "2015-06-01",
        "street_code": STREET,
        "domains": ["elder_care"],
        **over,
    }
    return dict(await ok(env.client, "POST", "/orgs", json=body))


async def _filed(env: Env) -> dict[str, Any]:
    body = {"name": f"钱粮胡同互助队{next(_serial)}", "street_code": STREET, "community": "钱粮胡同社区"}
    return dict(await ok(env.client, "POST", "/filings", json={**body, "filed_on": "2019-03-15"}))


def _org_id(org: dict[str, Any]) -> UUID:
    return UUID(org["org_id"])


# --- how each route's request is made -------------------------------------------------------------


async def register(env: Env) -> Call:
    body = {"name": f"新登记组织{next(_serial)}", "org_type": "social_association", "credit_code": ""}
    body.update(credit_code=make_code("51", "110101", f"MB{next(_serial):06d}"), registered_on="2020-01-02")
    return Call("POST", "/orgs", json={**body, "street_code": STREET})


async def file(env: Env) -> Call:
    body = {"name": f"新备案组织{next(_serial)}", "street_code": STREET, "community": "民安社区"}
    return Call("POST", "/filings", json={**body, "filed_on": "2020-01-02"})


async def search(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", "/orgs", params={"street": STREET}, org=_org_id(org), secret=CONTACT["email"])


async def graduate(env: Env) -> Call:
    org = await _filed(env)
    body = {"org_type": "social_association", "credit_code": make_code("51", "110101", f"MC{next(_serial):06d}")}
    return Call(
        "POST", f"/orgs/{org['org_id']}/graduation", json={**body, "registered_on": "2024-01-02"}, org=_org_id(org)
    )


def status_change(action: str, *, suspended: bool = False) -> Any:
    async def prepare(env: Env) -> Call:
        org = await _registered(env)
        if suspended:
            await ok(env.client, "POST", f"/orgs/{org['org_id']}/suspend", json={"reason": "年检未通过"})
        return Call("POST", f"/orgs/{org['org_id']}/{action}", json={"reason": "依法处理"}, org=_org_id(org))

    return prepare


async def patch_profile(env: Env) -> Call:
    org = await _registered(env)
    return Call("PATCH", f"/orgs/{org['org_id']}", json={"name": f"更名组织{next(_serial)}"}, org=_org_id(org))


async def profile(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", f"/orgs/{org['org_id']}", org=_org_id(org), secret=CONTACT["email"])


async def contact(env: Env) -> Call:
    org = await _registered(env)
    return Call(
        "PUT", f"/orgs/{org['org_id']}/contact", json={"name": "李娜", "phone": "010-64000000"}, org=_org_id(org)
    )


async def sponsor(env: Env) -> Call:
    """A filed group without a sponsor; the caller "org" is the would-be sponsor itself."""
    group, org = await _filed(env), await _registered(env)
    return Call("PUT", f"/orgs/{group['org_id']}/sponsor", json={"sponsor_org_id": org["org_id"]}, org=_org_id(org))


async def by_code(env: Env) -> Call:
    org = await _registered(env, contact=CONTACT)
    return Call("GET", f"/orgs/by-code/{org['credit_code']}", org=_org_id(org), secret=CONTACT["email"])


async def community_platform(env: Env) -> Call:
    return Call("POST", "/platforms/community", json={"street_code": STREET, "name": f"新社区{next(_serial)}"})


async def form_branch(env: Env) -> Call:
    org = await _registered(env)
    body = {"name": f"东四社会组织联合党支部{next(_serial)}", "formed_on": "2024-07-01", "street_code": STREET}
    return Call("POST", "/party-branches", json={**body, "org_ids": [org["org_id"]]}, org=_org_id(org))


async def attach(env: Env) -> Call:
    first, second = await _registered(env), await _registered(env)
    body = {"name": f"功能型党支部{next(_serial)}", "formed_on": "2024-07-01", "org_ids": [first["org_id"]]}
    branch = await ok(env.client, "POST", "/party-branches", json=body)
    path = f"/party-branches/{branch['branch_id']}/orgs"
    return Call("POST", path, json={"org_ids": [second["org_id"]]}, org=_org_id(second))


async def join_alliance(env: Env) -> Call:
    org = await _registered(env)
    return Call("POST", "/alliance/members", json={"org_id": org["org_id"], "category": "legal"}, org=_org_id(org))


async def upload(env: Env) -> Call:
    row = f"导入组织{next(_serial)},民非,{_code()},2018-05-01,{STREET},为老服务,\n"
    data = ("名称,类型,统一社会信用代码,登记日期,街道,业务领域,社区\n" + row).encode()
    return Call("POST", "/imports", files={"file": ("roster.csv", data, "text/csv")})


# --- talent cultivation ---------------------------------------------------------------------------


async def _programme(env: Env, **over: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A street-level programme of STREET (so its street's officer may run it) and its agency."""
    agency = await _registered(env)
    body = {"name": f"东四社区人才培训{next(_serial)}", "year": 2016, "level": "street", "street_code": STREET}
    body.update(theme="项目设计", agency_org_id=agency["org_id"], required_sessions=1, **over)
    return dict(await ok(env.client, "POST", "/talent/programmes", json=body)), agency


async def open_programme(env: Env) -> Call:
    agency = await _registered(env)
    body = {"name": f"人才培训{next(_serial)}", "year": 2016, "level": "street", "street_code": STREET}
    body.update(theme="项目设计", agency_org_id=agency["org_id"])
    return Call("POST", "/talent/programmes", json=body, org=_org_id(agency))


async def add_session(env: Env) -> Call:
    programme, agency = await _programme(env)
    body = {"held_on": "2016-05-01", "place": "东四街道", "topic": "项目设计", "trainer": "张老师", "hours": "2.0"}
    return Call("POST", f"/talent/programmes/{programme['programme_id']}/sessions", json=body, org=_org_id(agency))


async def enrol(env: Env) -> Call:
    programme, agency = await _programme(env)
    body = {"enrolled_on": "2016-04-01", "people": [{"name": "王敏", "role": "org_leader"}]}
    return Call("POST", f"/talent/programmes/{programme['programme_id']}/enrolments", json=body, org=_org_id(agency))


async def _trained(env: Env) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    """A programme with a session and one enrolled person who attended it."""
    programme, agency = await _programme(env)
    pid = programme["programme_id"]
    body = {"held_on": "2016-05-01", "place": "东四街道", "topic": "项目设计", "trainer": "张老师", "hours": "2.0"}
    session = await ok(env.client, "POST", f"/talent/programmes/{pid}/sessions", json=body)
    person_body = {
        "enrolled_on": "2016-04-01",
        "people": [{"name": "王敏", "role": "org_leader", "phone": "13912345678"}],
    }
    (person,) = (await ok(env.client, "POST", f"/talent/programmes/{pid}/enrolments", json=person_body))["person_ids"]
    return programme, agency, session["session_id"], person


async def people(env: Env) -> Call:
    programme, agency, _, _ = await _trained(env)
    return Call("GET", f"/talent/programmes/{programme['programme_id']}/people", org=_org_id(agency))


async def attendance(env: Env) -> Call:
    _, agency, session, person = await _trained(env)
    return Call("POST", f"/talent/sessions/{session}/attendance", json={"person_ids": [person]}, org=_org_id(agency))


async def certify(env: Env) -> Call:
    programme, agency, session, person = await _trained(env)
    await ok(env.client, "POST", f"/talent/sessions/{session}/attendance", json={"person_ids": [person]})
    return Call("POST", f"/talent/programmes/{programme['programme_id']}/certificates", org=_org_id(agency))


async def _certificate(env: Env) -> tuple[str, dict[str, Any]]:
    programme, agency, session, person = await _trained(env)
    await ok(env.client, "POST", f"/talent/sessions/{session}/attendance", json={"person_ids": [person]})
    issued = await ok(env.client, "POST", f"/talent/programmes/{programme['programme_id']}/certificates")
    return str(issued["issued"][0]["code"]), agency


async def printable(env: Env) -> Call:
    code, agency = await _certificate(env)
    return Call("GET", f"/talent/certificates/{code}", org=_org_id(agency))


async def verify(env: Env) -> Call:
    code, agency = await _certificate(env)
    return Call("GET", f"/public/certificates/{code}", org=_org_id(agency), secret="13912345678")


async def _cohort(env: Env) -> tuple[str, dict[str, Any], dict[str, Any]]:
    org, coach = await _registered(env), await _registered(env)
    await ok(env.client, "POST", "/alliance/members", json={"org_id": coach["org_id"], "category": "startup_mentoring"})
    body = {"name": f"封闭式工作坊{next(_serial)}", "year": 2017, "starts_on": "2017-05-01", "org_ids": [org["org_id"]]}
    cohort = await ok(env.client, "POST", "/talent/cohorts", json=body)
    return str(cohort["cohort_id"]), org, coach


async def form_cohort(env: Env) -> Call:
    org = await _registered(env)
    body = {"name": f"封闭式工作坊{next(_serial)}", "year": 2017, "starts_on": "2017-05-01", "org_ids": [org["org_id"]]}
    return Call("POST", "/talent/cohorts", json=body, org=_org_id(org))


async def coach(env: Env) -> Call:
    cohort, org, coach_org = await _cohort(env)
    body = {"org_id": org["org_id"], "coach_org_id": coach_org["org_id"], "held_on": "2017-05-10", "topic": "战略规划"}
    return Call("POST", f"/talent/cohorts/{cohort}/coaching", json=body, org=_org_id(org))


async def coaching(env: Env) -> Call:
    """The notes are the organisation's and staff's: another organisation must not read them."""
    cohort, org, coach_org = await _cohort(env)
    notes = f"辅导记录{next(_serial)}"
    body = {"org_id": org["org_id"], "coach_org_id": coach_org["org_id"], "held_on": "2017-05-10", "topic": "战略规划"}
    await ok(env.client, "POST", f"/talent/cohorts/{cohort}/coaching", json={**body, "notes": notes})
    return Call("GET", "/talent/coaching", org=_org_id(org), secret=notes)


async def brand(env: Env) -> Call:
    org = await _registered(env)
    body = {"org_id": org["org_id"], "title": f"品牌项目{next(_serial)}", "recognised_on": "2018-12-01"}
    return Call("POST", "/talent/brand-projects", json=body, org=_org_id(org))


# --- party building in depth -----------------------------------------------------------------------


async def census(env: Env) -> Call:
    org = await _registered(env)
    return Call("PUT", f"/party/orgs/{org['org_id']}/census", json={"year": 2016, "members": 3}, org=_org_id(org))


async def _branch_of(env: Env, **over: Any) -> tuple[str, dict[str, Any]]:
    org = await _registered(env)
    body = {"name": f"联合党支部{next(_serial)}", "formed_on": "2016-07-01", "org_ids": [org["org_id"]], **over}
    branch = await ok(env.client, "POST", "/party-branches", json=body)
    return str(branch["branch_id"]), org


async def merge(env: Env) -> Call:
    branch, org = await _branch_of(env)
    into, _ = await _branch_of(env)
    body = {"into_branch_id": into, "merged_on": "2018-01-10"}
    return Call("POST", f"/party-branches/{branch}/merge", json=body, org=_org_id(org))


async def dissolve(env: Env) -> Call:
    branch, org = await _branch_of(env)
    body = {"dissolved_on": "2019-06-30", "reason": "党员转出"}
    return Call("POST", f"/party-branches/{branch}/dissolve", json=body, org=_org_id(org))


async def branch_history(env: Env) -> Call:
    branch, org = await _branch_of(env)
    return Call("GET", f"/party-branches/{branch}/history", org=_org_id(org))


async def member_report(env: Env) -> Call:
    org = await _registered(env)
    body = {"org_id": org["org_id"], "member_name": "周华", "street_code": STREET, "community": "钱粮胡同社区"}
    return Call("POST", "/party/member-reports", json={**body, "reported_on": "2019-04-01"}, org=_org_id(org))


async def activity(env: Env) -> Call:
    branch, org = await _branch_of(env, street_code=STREET)
    body = {"held_on": "2019-05-01", "title": "推进残疾预防主题公益活动", "participants": 20}
    return Call("POST", f"/party-branches/{branch}/activities", json=body, org=_org_id(org))


async def activities(env: Env) -> Call:
    branch, org = await _branch_of(env, street_code=STREET)
    body = {"held_on": "2019-05-01", "title": "推进残疾预防主题公益活动", "participants": 20}
    await ok(env.client, "POST", f"/party-branches/{branch}/activities", json=body)
    return Call("GET", f"/party-branches/{branch}/activities", org=_org_id(org))


# --- spaces and resource matching ------------------------------------------------------------------


async def _space(env: Env, kind: str = "activity") -> str:
    body = {"platform_code": STREET, "name": f"活动室{next(_serial)}", "kind": kind, "capacity": 30}
    return str((await ok(env.client, "POST", "/spaces", json=body))["space_id"])


def _workday() -> str:
    from datetime import datetime, timedelta

    from shared.clock import DISTRICT_ZONE
    from shared.workdays import WorkCalendar

    day, calendar = datetime.now(DISTRICT_ZONE).date() + timedelta(days=1), WorkCalendar()
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day.isoformat()


async def add_space(env: Env) -> Call:
    body = {"platform_code": STREET, "name": f"会议室{next(_serial)}", "kind": "meeting", "capacity": 12}
    return Call("POST", "/spaces", json=body)


async def book(env: Env) -> Call:
    space, org = await _space(env), await _registered(env)
    body = {"org_id": org["org_id"], "booked_on": _workday(), "starts_at": "10:00", "ends_at": "11:00"}
    return Call(
        "POST", f"/spaces/{space}/bookings", json={**body, "attendees": 10, "purpose": "议事会"}, org=_org_id(org)
    )


async def _booked(env: Env) -> tuple[str, dict[str, Any], str]:
    space, org = await _space(env), await _registered(env)
    purpose = f"议事会{next(_serial)}"
    body = {"org_id": org["org_id"], "booked_on": _workday(), "starts_at": "10:00", "ends_at": "11:00"}
    booking = await ok(
        env.client, "POST", f"/spaces/{space}/bookings", json={**body, "attendees": 10, "purpose": purpose}
    )
    return str(booking["booking_id"]), org, purpose


async def bookings(env: Env) -> Call:
    _, org, purpose = await _booked(env)
    return Call("GET", "/bookings", org=_org_id(org), secret=purpose)


async def booking_status(env: Env) -> Call:
    booking, org, _ = await _booked(env)
    return Call("POST", f"/bookings/{booking}/status", json={"status": "cancelled"}, org=_org_id(org))


async def allocate_office(env: Env) -> Call:
    office, org = await _space(env, "office"), await _registered(env)
    body = {"org_id": org["org_id"], "starts_on": "2024-01-01", "ends_on": "2025-12-31"}
    return Call("POST", f"/spaces/{office}/offices", json=body, org=_org_id(org))


async def vacate(env: Env) -> Call:
    office, org = await _space(env, "office"), await _registered(env)
    body = {"org_id": org["org_id"], "starts_on": "2024-01-01", "ends_on": "2025-12-31"}
    allocation = await ok(env.client, "POST", f"/spaces/{office}/offices", json=body)
    path = f"/offices/{allocation['allocation_id']}/vacate"
    return Call("POST", path, json={"ended_on": "2025-03-31"}, org=_org_id(org))


async def offer(env: Env) -> Call:
    org = await _registered(env)
    body = {"org_id": org["org_id"], "title": "助餐服务", "domain": "elder_care", "audience": "高龄老人"}
    return Call("POST", "/offers", json=body, org=_org_id(org))


async def _fair(env: Env) -> tuple[str, str, dict[str, Any]]:
    org = await _registered(env)
    body = {"org_id": org["org_id"], "title": "助餐服务", "domain": "elder_care", "audience": "高龄老人"}
    offer_id = (await ok(env.client, "POST", "/offers", json=body))["offer_id"]
    fair_body = {"name": f"对接洽谈会{next(_serial)}", "held_on": "2019-09-20", "platform_code": "110101"}
    fair = await ok(env.client, "POST", "/fairs", json={**fair_body, "theme": "居家养老"})
    return str(fair["fair_id"]), str(offer_id), org


async def hold_fair(env: Env) -> Call:
    body = {"name": f"对接洽谈会{next(_serial)}", "held_on": "2019-09-20", "platform_code": "110101"}
    return Call(
        "POST", "/fairs", json={**body, "theme": "居家养老", "participants": [{"role": "demander", "name": "x"}]}
    )


async def fair_match(env: Env) -> Call:
    fair, offer_id, org = await _fair(env)
    body = {"offer_id": offer_id, "demander": f"东四街道办事处{next(_serial)}"}
    return Call("POST", f"/fairs/{fair}/matches", json=body, org=_org_id(org))


async def agreement(env: Env) -> Call:
    fair, offer_id, org = await _fair(env)
    match = await ok(env.client, "POST", f"/fairs/{fair}/matches", json={"offer_id": offer_id, "demander": "东四"})
    path = f"/fair-matches/{match['match_id']}/agreement"
    return Call("POST", path, json={"agreed_on": "2019-10-08", "amount_cny": "1000.00"}, org=_org_id(org))


def get(path: str, params: dict[str, Any] | None = None) -> Any:
    async def prepare(env: Env) -> Call:
        return Call("GET", path, params=params)

    return prepare


# --- the table ------------------------------------------------------------------------------------
#                                                  none admin street street_x reviewer monitor org org_x
MATRIX: dict[str, Row] = {
    **public_rows(OPERATIONS),
    "POST /orgs":                            Row("401 201 201 403 403 403 403 403", register),
    "POST /filings":                         Row("401 201 201 403 403 403 403 403", file),
    "GET /orgs":                             Row("401 200 200 200 200 200 403 403", search,
                                                 hidden=CONTACT_HIDDEN, shown="admin street"),
    "GET /orgs/{org_id}":                    Row("401 200 200 200 200 200 200 403", profile, "org: own only",
                                                 hidden=CONTACT_HIDDEN, shown="admin street org"),
    "GET /orgs/by-code/{credit_code}":       Row("401 200 200 200 200 200 403 403", by_code,
                                                 hidden=CONTACT_HIDDEN, shown="admin street"),
    "POST /orgs/{org_id}/graduation":        Row("401 200 200 403 403 403 403 403", graduate),
    "POST /orgs/{org_id}/suspend":           Row("401 200 200 403 403 403 403 403", status_change("suspend")),
    "POST /orgs/{org_id}/reinstate":         Row("401 200 200 403 403 403 403 403",
                                                 status_change("reinstate", suspended=True)),
    "POST /orgs/{org_id}/deregister":        Row("401 200 200 403 403 403 403 403", status_change("deregister")),
    "PATCH /orgs/{org_id}":                  Row("401 200 200 403 403 403 403 403", patch_profile),
    "PUT /orgs/{org_id}/contact":            Row("401 200 200 403 403 403 200 403", contact, "org: own contact"),
    "PUT /orgs/{org_id}/sponsor":            Row("401 200 200 403 403 403 403 403", sponsor,
                                                 "staff of the group's street; no org names itself sponsor"),
    "GET /platforms":                        Row("401 200 200 200 200 200 403 403", get("/platforms")),
    "POST /platforms/community":             Row("401 201 201 403 403 403 403 403", community_platform),
    "GET /party-branches":                   Row("401 200 200 200 200 200 403 403", get("/party-branches")),
    "POST /party-branches":                  Row("401 201 403 403 403 403 403 403", form_branch),
    "POST /party-branches/{branch_id}/orgs": Row("401 200 403 403 403 403 403 403", attach),
    "GET /alliance":                         Row("401 200 200 200 200 200 403 403", get("/alliance")),
    "POST /alliance/members":                Row("401 201 403 403 403 403 403 403", join_alliance),
    "GET /statistics/by-year":               Row("401 200 200 200 200 200 403 403",
                                                 get("/statistics/by-year", {"from_year": 2020})),
    "GET /statistics/by-street":             Row("401 200 200 200 200 200 403 403", get("/statistics/by-street")),
    "GET /statistics/by-status":             Row("401 200 200 200 200 200 403 403", get("/statistics/by-status")),
    "GET /statistics/party-coverage":        Row("401 200 200 200 200 200 403 403", get("/statistics/party-coverage")),
    "GET /statistics/support":               Row("401 200 200 200 200 200 403 403", get("/statistics/support")),
    "POST /imports":                         Row("401 200 403 403 403 403 403 403", upload),
    # talent cultivation: a street-level programme is run by its street's officer; people are personal data
    "POST /talent/programmes":               Row("401 201 201 403 403 403 403 403", open_programme),
    "GET /talent/programmes":                Row("401 200 200 200 200 200 403 403", get("/talent/programmes")),
    "POST /talent/programmes/{programme_id}/sessions":
                                             Row("401 201 201 403 403 403 403 403", add_session),
    "POST /talent/programmes/{programme_id}/enrolments":
                                             Row("401 201 201 403 403 403 403 403", enrol),
    "GET /talent/programmes/{programme_id}/people":
                                             Row("401 200 200 403 403 403 403 403", people),
    "POST /talent/sessions/{session_id}/attendance":
                                             Row("401 200 200 403 403 403 403 403", attendance),
    "POST /talent/programmes/{programme_id}/certificates":
                                             Row("401 200 200 403 403 403 403 403", certify),
    "GET /talent/certificates/{code}":       Row("401 200 200 403 403 403 403 403", printable),
    "GET /public/certificates/{code}":       Row("200 200 200 200 200 200 200 200", verify, "public, name masked",
                                                 hidden="none admin street street_x reviewer monitor org org_x"),
    "POST /talent/cohorts":                  Row("401 201 403 403 403 403 403 403", form_cohort),
    "POST /talent/cohorts/{cohort_id}/coaching":
                                             Row("401 201 403 403 403 403 403 403", coach),
    "GET /talent/coaching":                  Row("401 200 200 200 200 200 200 200", coaching, "org: own only",
                                                 hidden="org_x", shown="admin street org"),
    "POST /talent/brand-projects":           Row("401 201 403 403 403 403 403 403", brand),
    "GET /statistics/talent":                Row("401 200 200 200 200 200 403 403", get("/statistics/talent")),
    # party building: the census by staff of the org's street; branches' life by the district
    "PUT /party/orgs/{org_id}/census":       Row("401 200 200 403 403 403 403 403", census),
    "GET /party/census":                     Row("401 200 200 200 200 200 403 403",
                                                 get("/party/census", {"year": 2016})),
    "POST /party-branches/{branch_id}/merge":
                                             Row("401 200 403 403 403 403 403 403", merge),
    "POST /party-branches/{branch_id}/dissolve":
                                             Row("401 200 403 403 403 403 403 403", dissolve),
    "GET /party-branches/{branch_id}/history":
                                             Row("401 200 200 200 200 200 403 403", branch_history),
    "POST /party/member-reports":            Row("401 201 201 403 403 403 201 403", member_report,
                                                 "org: its own members; street: the org's or the community's"),
    "POST /party-branches/{branch_id}/activities":
                                             Row("401 201 201 403 403 403 403 403", activity),
    "GET /party-branches/{branch_id}/activities":
                                             Row("401 200 200 200 200 200 403 403", activities),
    "GET /statistics/party-coverage/by-year":
                                             Row("401 200 200 200 200 200 403 403",
                                                 get("/statistics/party-coverage/by-year")),
    "GET /statistics/branch-activities":     Row("401 200 200 200 200 200 403 403",
                                                 get("/statistics/branch-activities")),
    # spaces: rooms by staff of their platform's street; an organisation books, cancels and offers for itself
    "POST /spaces":                          Row("401 201 201 403 403 403 403 403", add_space),
    "GET /spaces":                           Row("401 200 200 200 200 200 200 200", get("/spaces")),
    "POST /spaces/{space_id}/bookings":      Row("401 201 201 403 403 403 201 403", book, "org: for itself"),
    "GET /bookings":                         Row("401 200 200 200 200 200 200 200", bookings, "org: own only",
                                                 hidden="org_x", shown="admin street org"),
    "POST /bookings/{booking_id}/status":    Row("401 200 200 403 403 403 200 403", booking_status,
                                                 "org: cancels its own"),
    "POST /spaces/{space_id}/offices":       Row("401 201 201 403 403 403 403 403", allocate_office),
    "POST /offices/{allocation_id}/vacate":  Row("401 200 200 403 403 403 403 403", vacate),
    "POST /offers":                          Row("401 201 201 403 403 403 201 403", offer, "org: for itself"),
    "GET /offers":                           Row("401 200 200 200 200 200 200 200", get("/offers")),
    "GET /matching":                         Row("401 200 200 200 200 200 403 403", get("/matching")),
    "POST /fairs":                           Row("401 201 403 403 403 403 403 403", hold_fair),
    "POST /fairs/{fair_id}/matches":         Row("401 201 403 403 403 403 403 403", fair_match),
    "POST /fair-matches/{match_id}/agreement":
                                             Row("401 200 403 403 403 403 403 403", agreement),
    "GET /statistics/resources":             Row("401 200 200 200 200 200 403 403", get("/statistics/resources")),
}  # fmt: skip


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    async with running_app("registry") as running:
        yield running


async def test_every_registry_route_has_a_matrix_row(env: Env) -> None:
    assert_complete(env.app, MATRIX)


@pytest.mark.parametrize("key", list(MATRIX))
async def test_registry_route_answers_each_caller_as_the_matrix_says(env: Env, key: str) -> None:
    mismatches = await check_row(env, key, MATRIX[key])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", write_routes(MATRIX))
async def test_registry_route_refuses_a_nul_in_any_body_string_without_a_server_error(env: Env, key: str) -> None:
    problems = await check_nul_in_body(env, key, MATRIX[key])
    assert not problems, "\n".join(problems)
