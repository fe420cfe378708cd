"""Every command in every stage: legal moves are allowed, every other pair is a 409."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from procurement.domain.documents import dump
from procurement.domain.model import Grade, Purchaser, Rules
from procurement.domain.project import Project
from procurement.domain.stages import ALLOWED, Command, IllegalTransition, Stage
from shared.reference import Domain
from shared.workdays import WorkCalendar

TODAY = date(2026, 3, 2)
RULES = Rules()


def project_in(stage: Stage) -> Project:
    project, _ = Project.create(
        ocid_prefix="ocds-test",
        title="助餐服务",
        description="",
        domain=Domain.ELDER_CARE,
        purchaser=Purchaser(code="P1", name="东城区民政局", kind="district_department"),
        street_code=None,
        budget_cny=Decimal("100000"),
        expected_beneficiaries=10,
        demand_ids=[],
        rules=RULES,
        today=TODAY,
    )
    project.stage = stage
    return project


CALLS: dict[Command, Callable[[Project], Any]] = {
    Command.REVISE: lambda p: p.revise(rules=RULES, changes={"title": "x"}),
    Command.OPEN_SOLICITATION: lambda p: p.open_solicitation(closes_on=date(2026, 4, 1), today=TODAY),
    Command.SUBMIT_PROPOSAL: lambda p: p.submit_proposal(
        org_id=uuid4(), org_name=None, title="t", plan="p", budget_cny=Decimal(1), today=TODAY, venture_grant=None
    ),
    Command.CLOSE_SOLICITATION: lambda p: p.close_solicitation(today=TODAY),
    Command.SCREEN_PROPOSAL: lambda p: p.screen(proposal_id=uuid4(), valid=False, reason="x", org=None, today=TODAY),
    Command.START_REVIEW: lambda p: p.start_review(today=TODAY),
    Command.ASSIGN_REVIEWER: lambda p: p.assign_reviewer(sub="r"),
    Command.DECLARE_CONFLICTS: lambda p: p.declare_conflicts(sub="r", org_ids=[], note=None),
    Command.SCORE: lambda p: p.score(sub="r", proposal_id=uuid4(), criteria={}, comment="", rules=RULES),
    Command.APPROVE: lambda p: p.approve(rules=RULES, calendar=WorkCalendar(), today=TODAY),
    Command.FILE_OBJECTION: lambda p: p.file_objection(filed_by="x", org_id=None, reason="r", today=TODAY),
    Command.RESOLVE_OBJECTION: lambda p: p.resolve_objection(
        objection_id=uuid4(), upheld=True, resolution="r", today=TODAY
    ),
    Command.CLOSE_ANNOUNCEMENT: lambda p: p.close_announcement(today=TODAY),
    Command.OPTIMISE: lambda p: p.optimise(changes="c", amount_cny=None, today=TODAY),
    Command.SIGN: lambda p: p.sign(
        org=None, starts_on=TODAY, ends_on=TODAY, multi_year=False, rules=RULES, today=TODAY
    ),
    Command.ASSIGN_MONITOR: lambda p: p.assign_monitor(monitor="m"),
    Command.REPORT_MONITORING: lambda p: p.report(
        monitor="m", milestone="m", status="on_track", summary="s", warnings=[], today=TODAY
    ),
    Command.RECORD_PAYMENT: lambda p: p.record_payment(amount_cny=Decimal(1), paid_on=TODAY, note=""),
    Command.EVALUATE: lambda p: p.evaluate(
        evaluator="m", grade=Grade.GOOD, score=None, beneficiary_person_times=1, summary="s", today=TODAY
    ),
    Command.CANCEL: lambda p: p.cancel(reason="r", today=TODAY),
    Command.DECLARE_UNSUCCESSFUL: lambda p: p.declare_unsuccessful(reason="r", today=TODAY),
    Command.RESOLICIT: lambda p: p.resolicit(closes_on=date(2026, 4, 1), today=TODAY),
}

ILLEGAL = [(stage, command) for command in Command for stage in Stage if stage not in ALLOWED[command]]


def test_every_command_has_a_call_and_a_rule():
    assert set(CALLS) == set(Command) == set(ALLOWED)
    assert len(ILLEGAL) > 150


@pytest.mark.parametrize(("stage", "command"), ILLEGAL, ids=[f"{s}-{c}" for s, c in ILLEGAL])
def test_illegal_command_in_stage_is_refused_with_409_and_changes_nothing(stage, command):
    project = project_in(stage)
    before = dump(project)
    with pytest.raises(IllegalTransition) as refused:
        CALLS[command](project)
    assert refused.value.status_code == 409
    assert str(stage) in refused.value.message and str(command) in refused.value.message
    assert dump(project) == before


def test_terminal_stages_allow_nothing_and_an_unsuccessful_project_may_only_be_resolicited():
    for stage in (Stage.EVALUATED, Stage.CANCELLED):
        assert not [c for c in Command if stage in ALLOWED[c]]
    assert [c for c in Command if Stage.UNSUCCESSFUL in ALLOWED[c]] == [Command.RESOLICIT]
