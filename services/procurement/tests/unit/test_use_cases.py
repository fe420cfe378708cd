"""The use cases against in-memory fakes of their stores: what each saves and which events it returns."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from services.procurement.tests.unit.fakes import FakeDemands, FakeGrants, FakeOrgs, FakeProjects, FakeRejected

from procurement.domain.demand import DemandContent, DemandStatus, Outcome
from procurement.domain.model import OrgView, Purchaser, Rules
from procurement.domain.project import Project
from procurement.domain.stages import Stage
from procurement.handlers import demands, history, projects, readmodels
from procurement.handlers.projects import Setup, Sorting
from shared.auth import Principal, Role
from shared.contracts.district import DemandPublished
from shared.contracts.procurement import DemandAccepted, DemandRejected, FieldError, ProjectCreated
from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import GrantAwarded
from shared.districts import DistrictSystems
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.messaging.delivery import Delivery, InvalidMessage
from shared.reference import Domain, OrgStatus, OrgType
from shared.workdays import WorkCalendar

TODAY = date(2026, 3, 2)
ADMIN = Principal(sub="alice", role=Role.DISTRICT_ADMIN)
DONGSI = "110101006"
SETUP = Setup(rules=Rules(), calendar=WorkCalendar.from_strings("", ""), ocid_prefix="ocds-test")
SYSTEMS = DistrictSystems.model_validate(
    {
        "systems": [
            {
                "name": "district-demo",
                "purchasers": [{"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"}],
            }
        ]
    }
)


def content(**overrides: object) -> DemandContent:
    fields: dict[str, object] = {
        "purchaser_code": "11010100TYJ",
        "purchaser_name": "东城区体育局",
        "purchaser_kind": "district_department",
        "street_code": DONGSI,
        "title": "社区健身指导",
        "description": "为居民提供健身指导",
        "domain": "culture_sports",
        "budget_cny": Decimal("200000.00"),
        "expected_beneficiaries": 1200,
        "wanted_by": date(2026, 6, 30),
    }
    return DemandContent(**{**fields, **overrides})  # type: ignore[arg-type]


def published(**overrides: object) -> DemandPublished:
    c = content()
    body: dict[str, object] = {
        "occurred_at": "2026-03-02T09:30:00+08:00",
        "source_system": "district-demo",
        "demand_ref": "TYJ-1",
        "purchaser": {"code": c.purchaser_code, "name": c.purchaser_name, "kind": c.purchaser_kind},
        "street_code": c.street_code,
        "title": c.title,
        "description": c.description,
        "domain": c.domain,
        "budget_cny": str(c.budget_cny),
        "expected_beneficiaries": c.expected_beneficiaries,
        "wanted_by": "2026-06-30",
    }
    return DemandPublished.model_validate({**body, **overrides})


def delivery(body: bytes = b"{}", *, user_id: str | None = "district-demo", message_id: str = "m-1") -> Delivery:
    return Delivery(
        queue="procurement.district.demand_published.v1",
        exchange="events",
        routing_key="district.demand_published.v1",
        message_id=message_id,
        correlation_id=None,
        user_id=user_id,
        content_type="application/json",
        headers={},
        body=body,
    )


# --- step 1: demands ---------------------------------------------------------------------------------


async def test_staff_enter_a_demand_then_the_same_again_then_a_revision():
    store = FakeDemands()
    entered, events = await demands.enter(store, demand_ref="R-1", content=content(), by="alice", today=TODAY)
    assert entered.outcome is Outcome.NEW and entered.demand_ref == "R-1"
    assert [type(e) for e in events] == [DemandAccepted]
    assert events[0].source_system == demands.STAFF_SOURCE  # type: ignore[attr-defined]
    again, _ = await demands.enter(store, demand_ref="R-1", content=content(), by="alice", today=TODAY)
    assert (again.demand_id, again.outcome) == (entered.demand_id, Outcome.UNCHANGED)
    revised, events = await demands.enter(store, demand_ref="R-1", content=content(title="新标题"), by="a", today=TODAY)
    assert revised.outcome is Outcome.REVISED and events[0].revised  # type: ignore[attr-defined]
    assert store.rows[entered.demand_id].title == "新标题" and store.rows[entered.demand_id].revision == 1


async def test_a_sorted_demand_cannot_be_changed_and_a_past_deadline_is_refused():
    store = FakeDemands()
    entered, _ = await demands.enter(store, demand_ref="R-1", content=content(), by="alice", today=TODAY)
    await store.mark_sorted([entered.demand_id], uuid4())
    with pytest.raises(Conflict):
        await demands.enter(store, demand_ref="R-1", content=content(title="改"), by="alice", today=TODAY)
    with pytest.raises(Invalid) as refused:
        await demands.enter(store, demand_ref=None, content=content(wanted_by=date(2026, 1, 1)), by="a", today=TODAY)
    assert refused.value.field == "wanted_by"


async def test_a_published_demand_is_accepted_answering_its_message():
    store, rejected = FakeDemands(), FakeRejected()
    events = await demands.receive(store, rejected, published(), delivery(), SYSTEMS)
    assert [type(e) for e in events] == [DemandAccepted]
    assert events[0].accepted_message_id == "m-1"  # type: ignore[attr-defined]
    assert len(store.rows) == 1 and not rejected.kept


async def test_a_demand_from_an_unknown_login_is_kept_and_refused_once():
    store, rejected = FakeDemands(), FakeRejected()
    bad = delivery(b'{"x": 1}', user_id="someone-else")
    events = await demands.receive(store, rejected, published(), bad, SYSTEMS)
    assert [type(e) for e in events] == [DemandRejected]
    assert [e.field for e in events[0].errors] == ["user_id"]  # type: ignore[attr-defined]
    assert not store.rows and len(rejected.kept) == 1
    assert await demands.receive(store, rejected, published(), bad, SYSTEMS) == []  # a redelivery: answered already


async def test_an_unreadable_message_is_answered_echoing_its_demand_ref():
    rejected = FakeRejected()
    body = json.dumps({"source_system": "district-demo", "demand_ref": "TYJ-9"}).encode()
    invalid = InvalidMessage(delivery(body), [FieldError(field="title", message="缺少字段")])
    events = await demands.reject_invalid(rejected, invalid, SYSTEMS)
    assert [type(e) for e in events] == [DemandRejected] and events[0].demand_ref == "TYJ-9"  # type: ignore[attr-defined]


# --- step 2: sorting ---------------------------------------------------------------------------------


async def _two_demands(store: FakeDemands, **overrides: object) -> list[UUID]:
    ids = []
    for ref, budget in (("A", "100.00"), ("B", "50.00")):
        entered, _ = await demands.enter(
            store, demand_ref=ref, content=content(budget_cny=Decimal(budget), **overrides), by="a", today=TODAY
        )
        ids.append(entered.demand_id)
    return ids


async def test_sorting_merges_demands_into_a_project_and_freezes_them():
    store, saved = FakeDemands(), FakeProjects()
    ids = await _two_demands(store)
    project, events = await projects.sort_demands(store, saved, ADMIN, SETUP, Sorting(demand_ids=ids), today=TODAY)
    assert project.budget_cny == Decimal("150.00") and project.expected_beneficiaries == 2400
    assert project.stage is Stage.SORTING and project.id in saved.saved
    assert [type(e) for e in events] == [ProjectCreated]
    assert {store.rows[i].status for i in ids} == {DemandStatus.SORTED}
    with pytest.raises(Conflict):
        await projects.sort_demands(store, saved, ADMIN, SETUP, Sorting(demand_ids=ids), today=TODAY)
    with pytest.raises(Invalid):
        await projects.sort_demands(store, saved, ADMIN, SETUP, Sorting(demand_ids=[uuid4()]), today=TODAY)


async def test_a_street_officer_sorts_only_its_own_street_offices_demands():
    store, saved = FakeDemands(), FakeProjects()
    ids = await _two_demands(store)  # a district department's
    officer = Principal(sub="s", role=Role.STREET_OFFICER, street=DONGSI)
    with pytest.raises(Forbidden):
        await projects.sort_demands(store, saved, officer, SETUP, Sorting(demand_ids=ids), today=TODAY)
    assert not saved.saved


# --- the steps -----------------------------------------------------------------------------------------


def sorted_project() -> Project:
    p, _ = Project.create(
        ocid_prefix="o",
        title="银龄餐桌",
        description="",
        domain=Domain.ELDER_CARE,
        purchaser=Purchaser(code="110101006JDB", name="东四街道办事处", kind="street_office"),
        street_code=DONGSI,
        budget_cny=Decimal("100000"),
        expected_beneficiaries=10,
        demand_ids=[],
        rules=Rules(),
        today=TODAY,
    )
    return p


async def test_a_staff_command_is_saved_with_its_events_and_refused_to_a_stranger():
    p = sorted_project()
    saved = FakeProjects(p)
    project, events = await projects.manage(
        saved, p.id, ADMIN, lambda pr: pr.open_solicitation(closes_on=date(2026, 4, 1), today=TODAY)
    )
    assert project.stage is Stage.SOLICITATION and saved.saved[p.id].stage is Stage.SOLICITATION
    assert [e.routing_key for e in events] == ["procurement.solicitation_opened.v1"]
    stranger = Principal(sub="s", role=Role.STREET_OFFICER, street="110101001")
    with pytest.raises(Forbidden):
        await projects.manage(saved, p.id, stranger, lambda pr: pr.close_solicitation(today=TODAY))
    with pytest.raises(NotFound):
        await projects.manage(saved, uuid4(), ADMIN, lambda pr: [])


async def test_a_proposal_is_refused_when_a_venture_grant_funds_the_same_project():
    p = sorted_project()
    p.open_solicitation(closes_on=date(2026, 4, 1), today=TODAY)
    org_id = uuid4()
    saved, grants = FakeProjects(p), FakeGrants()
    orgs = FakeOrgs(
        OrgView(org_id, "阳光为老", OrgType.PRIVATE_NON_ENTERPRISE, OrgStatus.REGISTERED, "52110101MJ0123456W")
    )
    args = {"org_id": org_id, "title": "银龄餐桌", "plan": "p", "budget_cny": Decimal("1000"), "today": TODAY}
    proposal, events = await projects.submit_proposal(saved, orgs, grants, p.id, **args)  # type: ignore[arg-type]
    assert proposal.org_name == "阳光为老" and len(saved.saved[p.id].proposals) == 1 and events
    grant = GrantAwarded(
        grant_id=uuid4(),
        round_id=uuid4(),
        round_number=1,
        round_year=2026,
        application_id=uuid4(),
        project_title="银龄餐桌 项目",
        org_id=org_id,
        amount_cny=Decimal("5000.00"),
        domain=Domain.ELDER_CARE,
        awarded_on=TODAY,
    )
    assert await readmodels.remember_grant(grants, grant) == []
    with pytest.raises(Conflict) as refused:
        await projects.submit_proposal(saved, orgs, grants, p.id, **args)  # type: ignore[arg-type]
    assert refused.value.code == "double_funding"


async def test_history_loads_concluded_projects_idempotently_and_names_a_bad_record():
    saved = FakeProjects()
    record = history.Concluded(
        source_ref="2024-001",
        title="老年助餐",
        purchaser=Purchaser(code="11010100MZJ", name="东城区民政局", kind="district_department"),
        street_code=None,
        domain=Domain.ELDER_CARE,
        org_id=uuid4(),
        org_name="阳光为老",
        credit_code=None,
        amount_cny=Decimal("80000.00"),
        signed_on=date(2024, 3, 1),
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 12, 31),
        beneficiary_person_times=500,
    )
    ids, events = await history.load(saved, [record, record], by="alice", ocid_prefix="o")
    assert ids[0] == ids[1] and list(saved.saved) == [ids[0]] and events == []
    bad = history.Concluded(
        **{**record.__dict__, "purchaser": Purchaser(code="X", name="n", kind="street_office"), "street_code": DONGSI}
    )
    with pytest.raises(Invalid) as refused:
        await history.load(saved, [record, bad], by="alice", ocid_prefix="o")
    assert refused.value.field == "projects.1.purchaser.code"


async def test_an_older_org_snapshot_arriving_late_changes_nothing():
    orgs = FakeOrgs()
    org_id = uuid4()

    def snapshot(version: int, name: str) -> OrgSnapshot:
        return OrgSnapshot.model_validate(
            {
                "org_id": str(org_id),
                "version": version,
                "name": name,
                "org_type": "private_non_enterprise",
                "status": "registered",
                "credit_code": "52110101MJ0123456W",
                "street_code": DONGSI,
            }
        )

    await readmodels.apply_org(orgs, snapshot(2, "新"))
    await readmodels.apply_org(orgs, snapshot(1, "旧"))
    assert (await orgs.get(org_id)).name == "新"  # type: ignore[union-attr]
