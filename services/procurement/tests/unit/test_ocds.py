"""The OCDS mapping of every path a project can take is valid OCDS 1.1."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from procurement.domain import ocds
from procurement.domain.model import Grade, OrgView, Purchaser, Rules
from procurement.domain.project import Project
from shared.reference import Domain, OrgStatus, OrgType
from shared.workdays import WorkCalendar

RULES, CAL, D = Rules(), WorkCalendar(), date(2026, 3, 2)
CRITERIA = {k: Decimal(80) for k in RULES.rubric}
NOW = datetime(2027, 12, 1, 9, 0).astimezone()


def org() -> OrgView:
    return OrgView(uuid4(), "阳光社工", OrgType.PRIVATE_NON_ENTERPRISE, OrgStatus.REGISTERED, "52110101MJ0123456W")


def sorted_project() -> Project:
    project, _ = Project.create(
        ocid_prefix="ocds-sogc01",
        title="助餐服务",
        description="为高龄老人助餐",
        domain=Domain.ELDER_CARE,
        purchaser=Purchaser(code="P1", name="东四街道办事处", kind="street_office"),
        street_code="110101006",
        budget_cny=Decimal("100000"),
        expected_beneficiaries=10,
        demand_ids=[uuid4()],
        rules=RULES,
        today=D,
    )
    return project


def in_announcement(a: OrgView, b: OrgView) -> Project:
    project = sorted_project()
    project.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    for o in (a, b):
        project.submit_proposal(
            org_id=o.org_id,
            org_name=o.name,
            title="t",
            plan="p",
            budget_cny=Decimal(90000),
            today=D,
            venture_grant=None,
        )
    project.close_solicitation(today=D)
    first, second = project.current_proposals()
    project.screen(proposal_id=first.id, valid=True, reason=None, org=a, today=D)
    project.screen(proposal_id=second.id, valid=False, reason="资质不符", org=b, today=D)
    project.start_review(today=D)
    project.assign_reviewer(sub="r")
    project.declare_conflicts(sub="r", org_ids=[], note=None)
    project.score(sub="r", proposal_id=first.id, criteria=CRITERIA, comment="", rules=RULES)
    project.approve(rules=RULES, calendar=CAL, today=D)
    return project


def every_path() -> list[Project]:
    cancelled = sorted_project()
    cancelled.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    cancelled.cancel(reason="预算取消", today=D)

    resolicited = sorted_project()
    resolicited.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    resolicited.close_solicitation(today=date(2026, 3, 21))
    resolicited.resolicit(closes_on=date(2026, 4, 20), today=date(2026, 3, 22))

    a, b = org(), org()
    upheld = in_announcement(a, b)
    objection, _ = upheld.file_objection(filed_by="b", org_id=b.org_id, reason="r", today=D)
    upheld.resolve_objection(objection_id=objection.id, upheld=True, resolution="重评", today=D)

    done = in_announcement(a, b)
    done.close_announcement(today=date(2026, 4, 1))
    done.optimise(changes="增加频次", amount_cny=Decimal(88000), today=date(2026, 4, 2))
    done.sign(org=a, starts_on=date(2026, 5, 1), ends_on=date(2027, 4, 30), multi_year=False, rules=RULES, today=D)
    done.assign_monitor(monitor="m")
    done.report(
        monitor="m", milestone="中期", status="warning", summary="s", warnings=["进度滞后"], today=date(2026, 10, 1)
    )
    done.record_payment(amount_cny=Decimal(44000), paid_on=date(2026, 10, 2), note="")
    done.evaluate(
        evaluator="m", grade=Grade.GOOD, score=None, beneficiary_person_times=900, summary="s", today=date(2027, 5, 5)
    )
    return [cancelled, resolicited, upheld, done]


def test_every_path_exports_valid_record_and_release_packages(kit):
    projects = every_path()
    records = ocds.record_package(projects, base_uri="https://sogc.example", now=NOW)
    releases = ocds.release_package(projects, base_uri="https://sogc.example", now=NOW)
    for schema, doc in (("record-package-schema.json", records), ("release-package-schema.json", releases)):
        errors = [f"{list(e.path)}: {e.message}" for e in kit.ocds_validator(schema).iter_errors(doc)]
        assert not errors, errors[:10]


def test_a_frozen_release_does_not_change_when_the_project_moves_on():
    project = sorted_project()
    project.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    ocds.freeze(project)
    first_call = ocds.releases(project)[1]
    project.close_solicitation(today=date(2026, 3, 21))
    project.resolicit(closes_on=date(2026, 4, 20), today=date(2026, 3, 22))
    ocds.freeze(project)
    tenders = [r for r in ocds.releases(project) if r["tag"] == ["tender"]]
    assert tenders[0] == first_call
    assert [t["tender"]["tenderPeriod"]["endDate"][:10] for t in tenders] == ["2026-03-20", "2026-04-20"]


def test_each_step_is_one_release_with_the_mapped_tag():
    cancelled, resolicited, upheld, done = every_path()
    assert [r["tag"] for r in ocds.releases(cancelled)] == [["planning"], ["tender"], ["tenderCancellation"]]
    assert [r["tender"]["status"] for r in ocds.releases(resolicited)] == [
        "planning",
        "active",
        "unsuccessful",
        "active",
    ]
    assert ocds.releases(upheld)[-1]["tag"] == ["awardUpdate"]
    assert ocds.releases(upheld)[-1]["awards"][0]["status"] == "cancelled"
    tags = [r["tag"][0] for r in ocds.releases(done)]
    assert tags == [
        "planning",
        "tender",
        "tenderUpdate",
        "award",
        "contract",
        "contract",
        "implementation",
        "implementation",
        "contractTermination",
    ]
    award = ocds.releases(done)[3]
    assert award["awards"][0]["status"] == "pending"
    statuses = [r["contracts"][0]["status"] for r in ocds.releases(done) if "contracts" in r]
    assert statuses == ["pending", "active", "active", "active", "terminated"]
    bids = ocds.releases(done)[2]["bids"]["details"]
    assert sorted(b["status"] for b in bids) == ["disqualified", "valid"]
    ids = [r["id"] for p in every_path() for r in ocds.releases(p)]
    assert len(ids) == len(set(ids))


def test_every_path_passes_the_official_validator_with_its_extensions_declared(cove):
    projects = every_path()
    for package in (
        ocds.record_package(projects, base_uri="https://sogc.example", policy="https://sogc.example/policy", now=NOW),
        ocds.release_package(projects, base_uri="https://sogc.example", now=NOW),
    ):
        context = cove(package)
        assert context["validation_errors"] == [] and context["additional_fields"] == [], context
        assert not context["additional_closed_codelist_values"] and not context["additional_checks"], context


def test_the_publication_policy_is_the_operators_url_or_absent():
    assert "publicationPolicy" not in ocds.release_package([], base_uri="https://x", now=NOW)
    package = ocds.record_package([], base_uri="https://x", policy="https://sogc.example/policy", now=NOW)
    assert package["publicationPolicy"] == "https://sogc.example/policy"
    assert "example.org" not in json.dumps(ocds.record_package(every_path(), base_uri="https://x", now=NOW))
