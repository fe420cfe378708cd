"""Use cases of a grant, and the read model fed by registry and procurement, on in-memory fakes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from shared.contracts.procurement import ProjectSigned
from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import FundsRecovered, ReportAccepted, ReportDue, TrancheDisbursed
from shared.errors import Conflict, NotFound
from venture.domain.grants import EvaluationResult, GrantStatus, GrantTerms
from venture.handlers import grants, registry

from .fakes import FakeGrants, FakeOrgs
from .world import STREET, World

DAY = date(2026, 5, 4)


async def a_grant(store: FakeGrants, amount: str = "100") -> UUID:
    grant_id = uuid4()
    terms = GrantTerms(
        application_id=uuid4(),
        round_id=uuid4(),
        round_number=3,
        org_id=uuid4(),
        org_name="阳光社工",
        applied_as="registered",
        sponsor_org_id=None,
        mentor_org_id=None,
        title="老街坊互助",
        street_code=STREET,
        domain="mutual_aid",
        amount_cny=Decimal(amount),
        awarded_on=DAY,
        report_interval_days=60,
    )
    await store.add(grant_id, terms, [(1, 50, Decimal(50)), (2, 50, Decimal(50))])
    return grant_id


async def test_paying_a_tranche_sets_the_due_date_of_its_report():
    store = FakeGrants()
    grant_id = await a_grant(store)
    grant, events = await grants.disburse(store, grant_id, 1, today=DAY)
    assert [type(e) for e in events] == [TrancheDisbursed, ReportDue]
    assert events[1].report_due_on == DAY + timedelta(days=60)
    assert grant.disbursed_cny == Decimal(50)
    assert (await store.get(grant_id)).tranches[0].status == "disbursed"


async def test_the_next_tranche_waits_for_the_accepted_report():
    store = FakeGrants()
    grant_id = await a_grant(store)
    await grants.disburse(store, grant_id, 1, today=DAY)
    with pytest.raises(Conflict) as exc:
        await grants.disburse(store, grant_id, 2, today=DAY)
    assert exc.value.code == "report_not_accepted"
    report, _ = await grants.submit_report(store, grant_id, 1, summary="进展", by="org", today=DAY)
    [accepted] = await grants.decide_report(store, report.id, accepted=True, note="好", today=DAY)
    assert isinstance(accepted, ReportAccepted)
    await grants.disburse(store, grant_id, 2, today=DAY)


async def test_an_unknown_grant_or_report_is_not_found_in_chinese():
    store = FakeGrants()
    with pytest.raises(NotFound, match="不存在"):
        await grants.disburse(store, uuid4(), 1, today=DAY)
    with pytest.raises(NotFound, match="进度报告"):
        await grants.decide_report(store, uuid4(), accepted=True, note="", today=DAY)


async def test_a_severe_evaluation_terminates_the_grant_and_recovers_what_was_paid():
    store = FakeGrants()
    grant_id = await a_grant(store)
    await grants.disburse(store, grant_id, 1, today=DAY)
    grant, events = await grants.evaluate(
        store,
        grant_id,
        kind="midterm",
        result=EvaluationResult.SEVERE,
        note="挪用",
        by="m",
        today=DAY,
    )
    assert grant.status is GrantStatus.TERMINATED
    assert isinstance(events[-1], FundsRecovered) and events[-1].amount_cny == Decimal(50)
    with pytest.raises(Conflict, match="已终止") as exc:
        await grants.disburse(store, grant_id, 2, today=DAY)
    assert exc.value.code == "grant_closed"


async def test_completion_then_one_follow_up_pledge():
    store = FakeGrants()
    grant_id = await a_grant(store)
    for n in (1, 2):
        await grants.disburse(store, grant_id, n, today=DAY)
        report, _ = await grants.submit_report(store, grant_id, n, summary="s", by="org", today=DAY)
        await grants.decide_report(store, report.id, accepted=True, note="", today=DAY)
    with pytest.raises(Conflict) as early:
        await grants.pledge_followup(store, grant_id, pledge="p", by="street", today=DAY)
    assert early.value.code == "grant_not_completed"
    await grants.evaluate(
        store,
        grant_id,
        kind="final",
        result=EvaluationResult.PASS,
        note="好",
        by="m",
        today=DAY,
    )
    grant, _ = await grants.complete(store, grant_id, today=DAY)
    assert (grant.status, grant.completed_on) == (GrantStatus.COMPLETED, DAY)
    pledged, _ = await grants.pledge_followup(store, grant_id, pledge="继续支持", by="street", today=DAY)
    assert pledged.street_code == STREET
    with pytest.raises(Conflict) as twice:
        await grants.pledge_followup(store, grant_id, pledge="再次", by="street", today=DAY)
    assert twice.value.code == "followup_exists"


async def test_the_newest_registry_snapshot_wins():
    orgs = FakeOrgs()
    org_id = uuid4()
    newer = OrgSnapshot(org_id=org_id, version=3, name="新名", org_type="foundation", status="registered")
    older = OrgSnapshot(org_id=org_id, version=2, name="旧名", org_type="foundation", status="registered")
    assert await registry.record_org(orgs, newer)
    assert not await registry.record_org(orgs, older)
    assert (await orgs.get(org_id)).name == "新名"


async def test_a_project_procurement_signed_blocks_the_same_application():
    w = World()
    r = await w.open()
    org = w.org()
    # Only the fields the use case reads; the contract's validation is not this test's subject.
    signed = ProjectSigned.model_construct(project_id=uuid4(), org_id=org, title="老街坊互助", signed_on=DAY)
    await registry.record_procurement_project(w.orgs, signed)
    with pytest.raises(Conflict) as exc:
        await w.apply(r.id, org, "老街坊互助")
    assert exc.value.code == "already_funded"
