"""The procurement rules in the pure domain: working days, terms, conflicts, selection, eligibility."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from procurement.domain.demand import DemandContent, DemandStatus, Outcome, decide, project_key, rule_errors
from procurement.domain.model import OrgView, Purchaser, Rules, term_months
from procurement.domain.project import Project
from procurement.domain.stages import Stage
from shared.errors import Conflict, Forbidden, Invalid
from shared.reference import Domain, OrgStatus, OrgType
from shared.workdays import WorkCalendar

RULES = Rules()
CAL = WorkCalendar()
D = date(2026, 3, 2)
CRITERIA = {"need_fit": Decimal(80), "plan_quality": Decimal(80), "capacity": Decimal(80), "budget_value": Decimal(80)}


def org(**kw) -> OrgView:  # type: ignore[no-untyped-def]
    data = {
        "org_id": uuid4(),
        "name": "阳光社工",
        "org_type": OrgType.PRIVATE_NON_ENTERPRISE,
        "status": OrgStatus.REGISTERED,
        "credit_code": "52110101MJ0123456W",
    }
    data.update(kw)
    return OrgView(**data)


def new_project(budget: str = "100000", rules: Rules = RULES, title: str = "助餐服务") -> Project:
    project, events = Project.create(
        ocid_prefix="ocds-test",
        title=title,
        description="",
        domain=Domain.ELDER_CARE,
        purchaser=Purchaser(code="P1", name="东四街道办事处", kind="street_office"),
        street_code="110101006",
        budget_cny=Decimal(budget),
        expected_beneficiaries=10,
        demand_ids=[],
        rules=rules,
        today=D,
    )
    assert events[0].routing_key == "procurement.project_created.v1"
    return project


def in_review(*bids: tuple[OrgView, str]) -> Project:
    project = new_project()
    project.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    for o, budget in bids:
        project.submit_proposal(
            org_id=o.org_id,
            org_name=o.name,
            title="t",
            plan="p",
            budget_cny=Decimal(budget),
            today=D,
            venture_grant=None,
        )
    project.close_solicitation(today=D)
    for p in project.current_proposals():
        project.screen(
            proposal_id=p.id, valid=True, reason=None, org=next(o for o, _ in bids if o.org_id == p.org_id), today=D
        )
    project.start_review(today=D)
    assert project.stage is Stage.REVIEW
    return project


# --- working days ----------------------------------------------------------------------------


def test_announcement_across_national_day_counts_the_saturday_make_up_workday():
    a, b = org(), org()
    project = in_review((a, "90000"))
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[b.org_id], note=None)
    project.score(sub="r1", proposal_id=project.current_proposals()[0].id, criteria=CRITERIA, comment="", rules=RULES)
    events = project.approve(rules=RULES, calendar=CAL, today=date(2026, 9, 29))
    # 09-30 (1), 10-01..07 holiday, 10-08 (2), 10-09 (3), Saturday 10-10 make-up (4), Sunday off, 10-12 (5).
    assert project.announcement is not None and project.announcement.ends_on == date(2026, 10, 12)
    assert events[1].routing_key == "procurement.announcement_started.v1"


def test_the_announcement_names_every_applicant_so_all_are_told():
    a, b = org(), org()
    project = in_review((a, "90000"), (b, "95000"))
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    for p in project.current_proposals():
        project.score(sub="r1", proposal_id=p.id, criteria=CRITERIA, comment="", rules=RULES)
    started = project.approve(rules=RULES, calendar=CAL, today=D)[1]
    assert set(started.applicant_org_ids) == {a.org_id, b.org_id}


def test_five_working_days_across_spring_festival_2026():
    # 02-13 (1), Saturday 02-14 make-up (2), 02-15..23 off, 02-24 (3), 02-25 (4), 02-26 (5).
    assert CAL.add_workdays(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_announcement_length_is_configurable_and_operator_holidays_count():
    calendar = WorkCalendar(extra_holidays=[date(2026, 3, 4)])
    assert calendar.add_workdays(date(2026, 3, 2), 3) == date(2026, 3, 6)
    project = in_review((org(), "90000"))
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    project.score(sub="r1", proposal_id=project.current_proposals()[0].id, criteria=CRITERIA, comment="", rules=RULES)
    project.approve(rules=Rules(announcement_workdays=7, objection_workdays=3), calendar=CAL, today=D)
    assert project.announcement is not None
    assert project.announcement.ends_on == date(2026, 3, 11)
    assert project.announcement.objection_deadline == date(2026, 3, 5)


# --- review ---------------------------------------------------------------------------------------


def test_conflicted_reviewer_cannot_score_that_org_and_undeclared_reviewer_cannot_score_at_all():
    a = org()
    project = in_review((a, "90000"))
    pid = project.current_proposals()[0].id
    project.assign_reviewer(sub="r1")
    with pytest.raises(Conflict) as undeclared:
        project.score(sub="r1", proposal_id=pid, criteria=CRITERIA, comment="", rules=RULES)
    assert undeclared.value.code == "conflicts_not_declared"
    project.declare_conflicts(sub="r1", org_ids=[a.org_id], note="曾任该机构理事")
    with pytest.raises(Conflict) as conflicted:
        project.score(sub="r1", proposal_id=pid, criteria=CRITERIA, comment="", rules=RULES)
    assert conflicted.value.code == "conflict_of_interest"
    with pytest.raises(Forbidden):
        project.score(sub="stranger", proposal_id=pid, criteria=CRITERIA, comment="", rules=RULES)


def test_weighted_rubric_total_and_invalid_criteria():
    project = in_review((org(), "90000"))
    pid = project.current_proposals()[0].id
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    scores = {
        "need_fit": Decimal(90),
        "plan_quality": Decimal(80),
        "capacity": Decimal(70),
        "budget_value": Decimal(60),
    }
    entry = project.score(sub="r1", proposal_id=pid, criteria=scores, comment="", rules=RULES)
    assert entry.total == Decimal("77.00")  # 27 + 24 + 14 + 12
    with pytest.raises(Invalid) as missing:
        project.score(sub="r1", proposal_id=pid, criteria={"need_fit": Decimal(1)}, comment="", rules=RULES)
    assert missing.value.field == "criteria"
    with pytest.raises(Invalid) as too_high:
        project.score(sub="r1", proposal_id=pid, criteria={**scores, "capacity": Decimal(101)}, comment="", rules=RULES)
    assert too_high.value.field == "criteria.capacity"


def test_selection_skips_the_best_proposal_when_it_is_over_budget():
    a, b = org(name="甲"), org(name="乙")
    project = in_review((a, "150000"), (b, "95000"))
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    by_org = {p.org_id: p.id for p in project.current_proposals()}
    high = {k: Decimal(95) for k in CRITERIA}
    project.score(sub="r1", proposal_id=by_org[a.org_id], criteria=high, comment="", rules=RULES)
    project.score(sub="r1", proposal_id=by_org[b.org_id], criteria=CRITERIA, comment="", rules=RULES)
    assert [r["org_id"] for r in project.ranking()] == [a.org_id, b.org_id]
    project.approve(rules=RULES, calendar=CAL, today=D)
    assert project.selection is not None and project.selection.org_id == b.org_id


def test_approval_needs_every_unconflicted_score_and_a_pass_mark():
    a, b = org(), org()
    project = in_review((a, "90000"), (b, "80000"))
    project.assign_reviewer(sub="r1")
    project.assign_reviewer(sub="r2")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    project.declare_conflicts(sub="r2", org_ids=[a.org_id], note=None)
    by_org = {p.org_id: p.id for p in project.current_proposals()}
    low = {k: Decimal(50) for k in CRITERIA}
    project.score(sub="r1", proposal_id=by_org[a.org_id], criteria=low, comment="", rules=RULES)
    project.score(sub="r1", proposal_id=by_org[b.org_id], criteria=low, comment="", rules=RULES)
    with pytest.raises(Conflict) as incomplete:
        project.approve(rules=RULES, calendar=CAL, today=D)
    assert incomplete.value.code == "scoring_incomplete" and "r2" in incomplete.value.message
    project.score(sub="r2", proposal_id=by_org[b.org_id], criteria=low, comment="", rules=RULES)
    with pytest.raises(Conflict) as failed:
        project.approve(rules=RULES, calendar=CAL, today=D)
    assert failed.value.code == "nothing_selectable"
    project.declare_unsuccessful(reason="均未达到及格分", today=D)
    assert project.stage is Stage.UNSUCCESSFUL
    project.resolicit(closes_on=date(2026, 4, 30), today=D)
    assert project.stage is Stage.SOLICITATION and project.round == 2 and project.current_proposals() == []


# --- announcement -----------------------------------------------------------------------------------


def approved() -> tuple[Project, OrgView]:
    a = org()
    project = in_review((a, "90000"))
    project.assign_reviewer(sub="r1")
    project.declare_conflicts(sub="r1", org_ids=[], note=None)
    project.score(sub="r1", proposal_id=project.current_proposals()[0].id, criteria=CRITERIA, comment="", rules=RULES)
    project.approve(rules=RULES, calendar=CAL, today=D)
    return project, a


def test_upheld_objection_sends_the_project_back_to_review_with_scores_cleared():
    project, _ = approved()
    objection, events = project.file_objection(filed_by="org-x", org_id=uuid4(), reason="评分不公", today=D)
    assert events[0].routing_key == "procurement.objection_filed.v1"
    with pytest.raises(Conflict) as pending:
        project.close_announcement(today=date(2026, 4, 1))
    assert pending.value.code == "objections_pending"
    project.resolve_objection(objection_id=objection.id, upheld=True, resolution="重新评审", today=D)
    assert project.stage is Stage.REVIEW and project.selection is None and project.scores == []


def test_objection_after_deadline_and_closing_before_the_end_are_refused():
    project, _ = approved()
    assert project.announcement is not None
    with pytest.raises(Conflict) as late:
        project.file_objection(filed_by="x", org_id=None, reason="r", today=date(2026, 3, 10))
    assert late.value.code == "objection_period_over"
    with pytest.raises(Conflict) as early:
        project.close_announcement(today=project.announcement.ends_on)
    assert early.value.code == "announcement_running"


# --- contract ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends", "months"),
    [
        (date(2026, 7, 1), date(2027, 6, 30), 12),
        (date(2026, 7, 15), date(2027, 7, 14), 12),
        (date(2026, 7, 1), date(2027, 7, 1), 13),
        (date(2026, 1, 1), date(2026, 1, 31), 1),
    ],
)
def test_term_months(starts, ends, months):
    assert term_months(starts, ends) == months


def signing() -> tuple[Project, OrgView]:
    project, a = approved()
    assert project.announcement is not None
    project.close_announcement(today=date(2026, 4, 1))
    project.optimise(changes="c", amount_cny=None, today=date(2026, 4, 1))
    return project, a


def test_contract_term_over_twelve_months_is_refused_unless_multi_year_up_to_thirty_six():
    project, a = signing()
    with pytest.raises(Invalid) as over:
        project.sign(
            org=a, starts_on=date(2026, 5, 1), ends_on=date(2027, 5, 1), multi_year=False, rules=RULES, today=D
        )
    assert over.value.field == "ends_on" and "13" in over.value.message
    with pytest.raises(Invalid):
        project.sign(org=a, starts_on=date(2026, 5, 1), ends_on=date(2029, 5, 1), multi_year=True, rules=RULES, today=D)
    events = project.sign(
        org=a, starts_on=date(2026, 5, 1), ends_on=date(2029, 4, 30), multi_year=True, rules=RULES, today=D
    )
    assert events[0].term_months == 36 and project.stage is Stage.MONITORING  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "ineligible",
    [
        {"org_type": OrgType.COMMUNITY_ORG, "status": OrgStatus.FILED, "credit_code": None},
        {"status": OrgStatus.SUSPENDED},
        {"status": OrgStatus.DEREGISTERED},
    ],
    ids=["filed-community-org", "suspended", "deregistered"],
)
def test_only_registered_active_orgs_pass_screening_and_sign(ineligible):
    bad = org(**ineligible)
    project = new_project()
    project.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    proposal, _ = project.submit_proposal(
        org_id=bad.org_id, org_name=None, title="t", plan="p", budget_cny=Decimal(1), today=D, venture_grant=None
    )
    project.close_solicitation(today=D)
    with pytest.raises(Conflict) as refused:
        project.screen(proposal_id=proposal.id, valid=True, reason=None, org=bad, today=D)
    assert refused.value.code == "org_not_eligible"
    with pytest.raises(Conflict):
        project.screen(proposal_id=proposal.id, valid=True, reason=None, org=None, today=D)
    project2, good = signing()
    with pytest.raises(Conflict):
        project2.sign(
            org=org(org_id=good.org_id, **ineligible),
            starts_on=D,
            ends_on=date(2026, 12, 1),
            multi_year=False,
            rules=RULES,
            today=D,
        )


def test_payments_cannot_exceed_the_contract():
    project, a = signing()
    project.sign(org=a, starts_on=date(2026, 5, 1), ends_on=date(2027, 4, 30), multi_year=False, rules=RULES, today=D)
    project.record_payment(amount_cny=Decimal("60000"), paid_on=D, note="")
    with pytest.raises(Conflict) as over:
        project.record_payment(amount_cny=Decimal("30000.01"), paid_on=D, note="")
    assert over.value.code == "overpayment"


# --- sorting, solicitation, demands -------------------------------------------------------------------


@pytest.mark.parametrize("title", ["社区劳务派遣服务", "街道聘用人员经费", "Labour dispatch for the street office"])
def test_excluded_purchases_are_refused_at_sorting(title):
    with pytest.raises(Invalid) as refused:
        new_project(title=title)
    assert refused.value.field == "title"


def test_excluded_purchase_list_is_configurable():
    new_project(title="社区劳务派遣服务", rules=Rules(excluded_purchases=("保安",)))
    with pytest.raises(Invalid):
        new_project(title="小区保安服务", rules=Rules(excluded_purchases=("保安",)))


def test_proposal_for_a_venture_funded_project_and_after_the_deadline_is_refused():
    project = new_project()
    project.open_solicitation(closes_on=date(2026, 3, 20), today=D)
    args = {"org_id": uuid4(), "org_name": None, "title": "t", "plan": "p", "budget_cny": Decimal(1)}
    with pytest.raises(Conflict) as twice:
        project.submit_proposal(**args, today=D, venture_grant="g-1")
    assert twice.value.code == "double_funding"
    with pytest.raises(Conflict) as late:
        project.submit_proposal(**args, today=date(2026, 3, 21), venture_grant=None)
    assert late.value.code == "solicitation_closed"
    _, first = project.submit_proposal(**args, today=D, venture_grant=None)
    _, again = project.submit_proposal(**args, today=D, venture_grant=None)
    assert not first[0].revised and again[0].revised and len(project.proposals) == 1  # type: ignore[attr-defined]


def test_titles_match_for_double_funding_after_normalisation():
    assert project_key("银龄餐桌 项目") == project_key("银龄餐桌") == project_key("银龄餐桌服务项目")
    assert project_key("ＡＢＣ 助老！") == project_key("abc助老")
    assert project_key("银龄餐桌") != project_key("银龄课堂")


def content(**kw) -> DemandContent:  # type: ignore[no-untyped-def]
    data = {
        "purchaser_code": "110101006JDB",
        "purchaser_name": "东四街道办事处",
        "purchaser_kind": "street_office",
        "street_code": "110101006",
        "title": "t",
        "description": "",
        "domain": "elder_care",
        "budget_cny": Decimal("1.00"),
        "expected_beneficiaries": 1,
        "wanted_by": None,
    }
    data.update(kw)
    return DemandContent(**data)


def test_demand_outcomes_new_unchanged_revised_frozen():
    c = content()
    assert decide(None, None, c) is Outcome.NEW
    assert decide(DemandStatus.COLLECTING, c.fingerprint(), c) is Outcome.UNCHANGED
    assert decide(DemandStatus.COLLECTING, c.fingerprint(), content(title="u")) is Outcome.REVISED
    assert decide(DemandStatus.SORTED, c.fingerprint(), c) is Outcome.UNCHANGED
    assert decide(DemandStatus.SORTED, c.fingerprint(), content(title="u")) is Outcome.FROZEN


def test_demand_rules_beyond_the_schema():
    assert [e.field for e in rule_errors(content(street_code=None), sent_on=D)] == ["street_code"]
    assert [e.field for e in rule_errors(content(wanted_by=date(2026, 1, 1)), sent_on=D)] == ["wanted_by"]
    assert rule_errors(content(), sent_on=D) == []


def test_a_purchasers_code_says_whether_it_is_a_street_office_and_whose():
    another_body = rule_errors(content(purchaser_code="11010100TYJ"), sent_on=D)
    assert [(e.field, "110101006JDB" in e.message) for e in another_body] == [("purchaser.code", True)]
    another_street = rule_errors(content(purchaser_code="110101001JDB"), sent_on=D)
    assert [e.field for e in another_street] == ["purchaser.code"]
    department = {"purchaser_kind": "district_department", "purchaser_name": "东城区民政局"}
    assert rule_errors(content(purchaser_code="11010100MZJ", **department), sent_on=D) == []
    posing = rule_errors(content(purchaser_code="110101006JDB", **department), sent_on=D)
    assert [e.field for e in posing] == ["purchaser.kind"]
