"""The article's figures come out of loaded data; grants export as valid 360Giving JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from shared.auth import Role
from shared.contracts.registry import OrgSnapshot
from shared.workdays import WorkCalendar
from testkit import token
from venture.domain.rounds import Criterion, Round
from venture.handlers import notice as notice_uc
from venture.handlers import registry as registry_uc
from venture.handlers import review as review_uc
from venture.handlers import rounds as uc

from ..conftest import ADMIN, application_body

SCHEMAS = Path(__file__).parent.parent / "data" / "360giving"
RUBRIC = [Criterion("quality", "项目质量", 1)]
# New registered and filed organisations funded in each of the six rounds (1–6).
NEW_SOCIAL = [8, 8, 9, 9, 9, 9]  # 52
NEW_COMMUNITY = [10, 10, 10, 10, 11, 11]  # 62
GRADUATED = 22  # "20+ later registered"


async def _org(s, name, org_type="private_non_enterprise", status="registered", sponsor=None):
    org_id = uuid4()
    await registry_uc.record_org(
        s.orgs,
        OrgSnapshot(
            org_id=org_id,
            version=1,
            name=name,
            org_type=org_type,
            status=status,
            street_code="110101006",
            credit_code=None if org_type == "community_org" else "52110101MJ0123456W",
            sponsor_org_id=sponsor,
        ),
    )
    return org_id


async def _run_round(s, number, entries, calendar):
    """entries: (org_id, sponsor_id, title, score, screened_in); `s` the stores of one unit of work."""
    year = 2013 + number
    r = Round(
        id=uuid4(),
        number=number,
        year=year,
        title="东城区公益创投",
        priority_domains=[],
        total_budget_cny=Decimal(50000 * len(entries)),
        grant_cap_cny=Decimal(50000),
        call_opens_on=date(year, 3, 1),
        call_closes_on=date(year, 3, 31),
        rubric=RUBRIC,
        focus="支持街道枢纽型社会组织平台" if number == 6 else None,
    )
    await uc.open_round(s.rounds, s.orgs, r)
    apps = []
    for org_id, sponsor, title, score, screened_in in entries:
        req = uc.ApplicationRequest(
            org_id=org_id,
            sponsor_org_id=sponsor,
            submitted_by="loader",
            title=title,
            street_code="110101006",
            community=None,
            domain="mutual_aid",
            requested_cny=Decimal(50000),
            plan="计划",
            milestones=[],
        )
        app, _ = await uc.submit_application(s.rounds, s.applications, s.orgs, r.id, req, today=date(year, 3, 10))
        apps.append((app.id, score, screened_in))
    await uc.close_call(s.rounds, s.applications, r.id, today=date(year, 4, 1))
    for app_id, _, screened_in in apps:
        await review_uc.screen(
            s.rounds, s.applications, app_id, passed=screened_in, reason="初审", today=date(year, 4, 1)
        )
    reviewed = [(a, sc) for a, sc, ok in apps if ok]
    await review_uc.assign_reviewer(
        s.rounds, s.applications, s.review, r.id, reviewer="panel", application_ids=[a for a, _ in reviewed]
    )
    await review_uc.declare_conflicts(
        s.rounds, s.review, r.id, reviewer="panel", org_ids=[], statement="无", today=date(year, 4, 2)
    )
    for app_id, score in reviewed:
        await review_uc.score(
            s.rounds,
            s.applications,
            s.review,
            app_id,
            reviewer="panel",
            criteria={"quality": Decimal(score)},
            comment="",
        )
    await notice_uc.announce(s.rounds, s.applications, s.review, r.id, today=date(year, 4, 3), calendar=calendar)
    events = await notice_uc.award(
        s.rounds, s.applications, s.objections, s.grants, s.orgs, r.id, mentors={}, today=date(year, 5, 6)
    )
    return [e for e in events if e.routing_key == "venture.grant_awarded.v1"]


async def test_six_rounds_reproduce_the_articles_cultivation_figures(app, client):
    calendar = WorkCalendar()
    community_orgs = []
    first_round_social = []
    async with app.state.service.unit_of_work() as uow:
        s = uow.stores
        sponsor = await _org(s, "东城区社会组织服务中心")
        for i in range(6):
            n = i + 1
            entries = []
            for k in range(NEW_SOCIAL[i]):
                org = await _org(s, f"社会组织{n}-{k}")
                entries.append((org, None, f"项目{n}-{k}", 80, True))
                if n == 1:
                    first_round_social.append(org)
            for k in range(NEW_COMMUNITY[i]):
                org = await _org(s, f"社区组织{n}-{k}", "community_org", "filed", sponsor)
                community_orgs.append(org)
                entries.append((org, sponsor, f"社区项目{n}-{k}", 75, True))
            if n == 5:  # some orgs funded again for a new project: still counted once overall
                entries += [(org, None, f"二期项目{j}", 85, True) for j, org in enumerate(first_round_social[:4])]
            entries.append((await _org(s, f"未通过初审{n}"), None, "不合格项目", 0, False))
            entries.append((await _org(s, f"低分{n}"), None, "低分项目", 40, True))
            await _run_round(s, n, entries, calendar)
        for org in community_orgs[:GRADUATED]:
            snap = OrgSnapshot(org_id=org, version=2, name="已登记", org_type="social_association", status="registered")
            await registry_uc.record_graduation(
                s.orgs, snap, registered_on=date(2020, 1, 1), filed_on=None, today=date(2020, 1, 2)
            )

    stats = (await client.get("/statistics")).json()
    overall = stats["overall"]
    assert overall["rounds"] == 6
    assert overall["social_orgs_cultivated"] == 52
    assert overall["community_orgs_cultivated"] == 62
    assert overall["community_orgs_graduated"] == GRADUATED
    assert overall["funded_projects"] == 52 + 62 + 4
    assert overall["applications"] == 52 + 62 + 4 + 12
    assert overall["awarded_cny"] == f"{50000 * 118}.00"
    assert [r["social_orgs_cultivated"] for r in stats["rounds"]] == [8, 8, 9, 9, 13, 9]
    assert [r["community_orgs_cultivated"] for r in stats["rounds"]] == NEW_COMMUNITY


def _validator():
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    pkg = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    remote = pkg["properties"]["grants"]["items"]["$ref"]
    # The schemas say http://…/2020-12/schema (not the canonical https id), so name the dialect explicitly.
    resource = Resource(contents=grant, specification=DRAFT202012)
    registry = Registry().with_resources([(remote, resource), (grant["$id"], resource)])
    return jsonschema.Draft202012Validator(pkg, registry=registry, format_checker=jsonschema.FormatChecker())


async def test_the_360giving_export_validates_against_the_schema(flow, orgs):
    org = await orgs.add("东直门社工事务所")
    sponsor = await orgs.add("东直门社区服务中心")
    group = await orgs.add("东直门书法社", org_type="community_org", sponsor_org_id=sponsor)
    round_id = await flow.open_round()
    a = await flow.apply(round_id, org, "项目甲")
    b = (
        await flow.ok(
            "POST",
            f"/rounds/{round_id}/applications",
            token(Role.ORG, sub="s", org_id=sponsor),
            application_body("项目乙", org_id=str(group), sponsor_org_id=str(sponsor), requested_cny="33333.33"),
            201,
        )
    )["id"]
    grants = await flow.funded(round_id, {a: 90, b: 80})
    await flow.ok("POST", f"/grants/{grants[0]['grant_id']}/tranches/1/disbursement", ADMIN)
    export = await flow.ok("GET", "/exports/360giving", {})
    errors = sorted(_validator().iter_errors(export), key=str)
    assert errors == []
    assert {g["currency"] for g in export["grants"]} == {"CNY"}
    assert sorted(g["amountAwarded"] for g in export["grants"]) == [33333.33, 80000.0]
    paid = [g for g in export["grants"] if g["disbursementTransaction"]]
    assert len(paid) == 1 and paid[0]["amountDisbursed"] == paid[0]["disbursementTransaction"][0]["value"]
    ids = {g["recipientOrganization"][0]["id"] for g in export["grants"]}
    assert "CN-USCI-52110101MJ0123456W" in ids


async def test_an_export_missing_a_required_field_fails_validation():
    broken = {"grants": [{"id": "x", "title": "t", "currency": "CNY"}]}
    assert list(_validator().iter_errors(broken))
