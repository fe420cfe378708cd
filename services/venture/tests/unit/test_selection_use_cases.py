"""Screening, reviewers, notice, objections and awards, on in-memory fakes of the stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import GrantAwarded, IncubateeGraduated, ObjectionResolved, ResultsAnnounced
from shared.errors import Conflict, Forbidden
from shared.workdays import WorkCalendar
from venture.domain.orgs import FundedProject, title_key
from venture.handlers import notice, registry, review

from .world import CALL_DAY, World


async def test_screening_waits_for_the_call_to_close():
    w = World()
    r = await w.open()
    app_id = await w.apply(r.id, w.org())
    with pytest.raises(Conflict, match="初审和评审") as exc:
        await review.screen(w.rounds, w.applications, app_id, passed=True, reason="齐全", today=CALL_DAY)
    assert exc.value.code == "wrong_stage"


async def test_a_reviewer_opens_nothing_before_declaring_and_nothing_conflicted_after():
    w = World()
    r = await w.open()
    mine, other = w.org("本机构"), w.org("他机构")
    a, b = await w.apply(r.id, mine, "甲"), await w.apply(r.id, other, "乙")
    await w.reviewed(r.id, {a: 80}, reviewer="rev-0")  # closes the call, screens a in
    await review.screen(w.rounds, w.applications, b, passed=True, reason="齐全", today=CALL_DAY)
    await review.assign_reviewer(w.rounds, w.applications, w.reviews, r.id, reviewer="rev-1", application_ids=[a, b])
    app_a = await w.applications.get(a)
    assert app_a is not None
    with pytest.raises(Forbidden, match="利益冲突声明"):
        await review.check_reviewer_may_open(w.reviews, app_a, "rev-1")
    conflicted, _ = await review.declare_conflicts(
        w.rounds, w.reviews, r.id, reviewer="rev-1", org_ids=[mine], statement="曾任理事", today=CALL_DAY
    )
    assert conflicted == [a]
    with pytest.raises(Forbidden, match="存在利益冲突"):
        await review.check_reviewer_may_open(w.reviews, app_a, "rev-1")
    with pytest.raises(Conflict) as exc:
        await review.declare_conflicts(
            w.rounds, w.reviews, r.id, reviewer="rev-1", org_ids=[], statement="改", today=CALL_DAY
        )
    assert exc.value.code == "already_declared"


async def test_a_reviewer_without_assignments_cannot_declare():
    w = World()
    r = await w.open()
    await w.reviewed(r.id, {await w.apply(r.id, w.org()): 80})
    with pytest.raises(Forbidden, match="没有分配给你"):
        await review.declare_conflicts(
            w.rounds, w.reviews, r.id, reviewer="stranger", org_ids=[], statement="无", today=CALL_DAY
        )


async def test_the_notice_selects_in_rank_order_within_the_budget():
    w = World()
    r = await w.open(total_budget_cny=Decimal("100000"))
    best, second = await w.apply(r.id, w.org("甲"), "甲项目"), await w.apply(r.id, w.org("乙"), "乙项目")
    await w.reviewed(r.id, {best: 90, second: 85})
    [event] = await notice.announce(w.rounds, w.applications, w.reviews, r.id, today=CALL_DAY, calendar=WorkCalendar())
    assert isinstance(event, ResultsAnnounced)
    assert [p.application_id for p in event.selected] == [best]
    assert event.not_selected_application_ids == [second]
    assert (await w.applications.get(second)).decision_reason == "本届预算已用尽"


async def test_the_notice_waits_for_every_screened_in_application_to_be_scored():
    w = World()
    r = await w.open()
    scored, unscored = await w.apply(r.id, w.org("甲"), "甲项目"), await w.apply(r.id, w.org("乙"), "乙项目")
    await w.reviewed(r.id, {scored: 90})
    await review.screen(w.rounds, w.applications, unscored, passed=True, reason="齐全", today=CALL_DAY)
    with pytest.raises(Conflict) as exc:
        await notice.announce(w.rounds, w.applications, w.reviews, r.id, today=CALL_DAY, calendar=WorkCalendar())
    assert exc.value.code == "unscored_applications"


async def test_an_upheld_objection_takes_the_project_out_and_awards_wait_for_open_ones():
    w = World()
    r = await w.open()
    app_id = await w.apply(r.id, w.org())
    after = await w.announced(r.id, {app_id: 90})
    objection, _ = await notice.file_objection(
        w.rounds,
        w.applications,
        w.objections,
        app_id,
        filed_by="o",
        filed_by_org_id=None,
        reason="材料不实",
        today=CALL_DAY,
    )
    with pytest.raises(Conflict) as exc:
        await w.award(r.id, after)
    assert exc.value.code == "objections_open"
    [event] = await notice.resolve_objection(
        w.rounds, w.applications, w.objections, objection.id, upheld=True, resolution="属实", today=CALL_DAY
    )
    assert isinstance(event, ObjectionResolved) and event.upheld
    assert (await w.applications.get(app_id)).status == "not_selected"
    with pytest.raises(Conflict, match="已处理") as again:
        await notice.resolve_objection(
            w.rounds, w.applications, w.objections, objection.id, upheld=False, resolution="再议", today=CALL_DAY
        )
    assert again.value.code == "objection_resolved"
    assert await w.award(r.id, after) == []


async def test_an_award_makes_a_grant_with_its_tranche_plan_and_a_round_robin_mentor():
    w = World()
    mentor = w.org("督导中心", is_support_org=True)
    r = await w.open(mentor_org_ids=[mentor])
    app_id = await w.apply(r.id, w.org())
    after = await w.announced(r.id, {app_id: 90})
    [event] = await w.award(r.id, after)
    assert isinstance(event, GrantAwarded)
    assert event.mentor_org_id == mentor and event.amount_cny == Decimal("80000")
    assert [t.amount_cny for t in event.tranches] == [Decimal("40000.00"), Decimal("24000.00"), Decimal("16000")]
    grant = await w.grants.get(event.grant_id)
    assert grant is not None and grant.about.applied_as == "registered"
    assert (await w.applications.get(app_id)).status == "awarded"


async def test_a_project_funded_by_procurement_while_on_notice_is_not_awarded():
    w = World()
    r = await w.open()
    org = w.org()
    app_id = await w.apply(r.id, org)
    after = await w.announced(r.id, {app_id: 90})
    w.orgs.funded.append(FundedProject("procurement", app_id, org, "老街坊互助", title_key("老街坊互助"), CALL_DAY))
    assert await w.award(r.id, after) == []
    assert (await w.applications.get(app_id)).status == "not_selected"


async def test_a_cultivated_group_graduating_is_told_once_whichever_comes_first():
    w = World()
    sponsor = w.org("支持单位")
    group = w.org("社区组织", org_type="community_org", status="filed", sponsor_org_id=sponsor)
    r = await w.open()
    app_id = await w.apply(r.id, group, sponsor_org_id=sponsor)
    after = await w.announced(r.id, {app_id: 90})
    events = await w.award(r.id, after)
    assert [type(e) for e in events] == [GrantAwarded]  # not graduated yet
    snap = OrgSnapshot(org_id=group, version=2, name="社区组织", org_type="social_association", status="registered")
    told = await registry.record_graduation(w.orgs, snap, registered_on=date(2026, 5, 6), filed_on=None, today=after)
    assert [type(e) for e in told] == [IncubateeGraduated]
    assert told[0].round_numbers == [r.number]
    again = await registry.record_graduation(w.orgs, snap, registered_on=date(2026, 5, 6), filed_on=None, today=after)
    assert again == []
