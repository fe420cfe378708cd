"""Party branches, the support alliance and support history on in-memory stores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from registry.domain.organisation import Organisation, Registration
from registry.domain.uscc import make_code
from registry.handlers import programmes as handlers
from shared.auth import Principal, Role
from shared.clock import DISTRICT_ZONE
from shared.contracts.registry import AllianceCategory, AllianceMemberJoined, PartyBranchFormed, PartyBranchOrgsAttached
from shared.contracts.venture import GrantAwarded
from shared.errors import Conflict, Forbidden, Invalid
from shared.reference import OrgStatus, OrgType

from .fakes import FakeOrgs, FakeProgrammes

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=DISTRICT_ZONE)
ADMIN = Principal(sub="alice", role=Role.DISTRICT_ADMIN)
OFFICER = Principal(sub="bob", role=Role.STREET_OFFICER, street="110101006")


def an_org(n: int, *, status: OrgStatus = OrgStatus.REGISTERED) -> Organisation:
    cmd = Registration(
        name=f"东城区为老服务中心{n}",
        org_type=OrgType.PRIVATE_NON_ENTERPRISE,
        credit_code=make_code("52", "110101", f"MJ{n:06d}"),
        registered_on=date(2015, 6, 1),
        street_code="110101006",
    )
    org = Organisation.register(cmd, org_id=uuid4(), now=NOW)[0]
    org.status = status
    return org


def stores(*orgs: Organisation) -> tuple[FakeOrgs, FakeProgrammes]:
    fake = FakeOrgs()
    fake.put(*orgs)
    return fake, FakeProgrammes()


async def test_forming_a_branch_attaches_its_active_orgs_and_says_so():
    a, b = an_org(1), an_org(2)
    orgs, programmes = stores(a, b)
    branch_id, events = await handlers.form_branch(
        orgs,
        programmes,
        name=" 东四社会组织 联合党支部 ",
        formed_on=date(2026, 4, 1),
        street_code=None,
        org_ids=[a.org_id, b.org_id, a.org_id],
        principal=ADMIN,
        now=NOW,
    )
    [event] = events
    assert isinstance(event, PartyBranchFormed) and event.org_ids == [a.org_id, b.org_id]
    assert programmes.members == {a.org_id: branch_id, b.org_id: branch_id}


async def test_attaching_orgs_already_in_the_branch_is_a_no_op_without_an_event():
    a, b = an_org(1), an_org(2)
    orgs, programmes = stores(a, b)
    branch_id, _ = await handlers.form_branch(
        orgs,
        programmes,
        name="支部",
        formed_on=date(2026, 4, 1),
        street_code=None,
        org_ids=[a.org_id],
        principal=ADMIN,
        now=NOW,
    )
    assert (
        await handlers.attach_orgs(orgs, programmes, branch_id, [a.org_id], attached_on=None, principal=ADMIN, now=NOW)
        == []
    )
    [event] = await handlers.attach_orgs(
        orgs, programmes, branch_id, [a.org_id, b.org_id], attached_on=None, principal=ADMIN, now=NOW
    )
    assert isinstance(event, PartyBranchOrgsAttached) and event.org_ids == [b.org_id]
    assert event.attached_on == NOW.date()


async def test_a_deregistered_org_cannot_join_a_branch_and_an_officer_forms_only_for_their_street():
    gone = an_org(1, status=OrgStatus.DEREGISTERED)
    orgs, programmes = stores(gone)
    with pytest.raises(Invalid):
        await handlers.form_branch(
            orgs,
            programmes,
            name="支部",
            formed_on=date(2026, 4, 1),
            street_code=None,
            org_ids=[gone.org_id],
            principal=ADMIN,
            now=NOW,
        )
    with pytest.raises(Forbidden):
        await handlers.form_branch(
            orgs,
            programmes,
            name="支部",
            formed_on=date(2026, 4, 1),
            street_code="110101005",
            org_ids=[],
            principal=OFFICER,
            now=NOW,
        )
    assert not programmes.branches


async def test_only_a_registered_org_in_good_standing_joins_the_alliance_once():
    member, suspended = an_org(1), an_org(2, status=OrgStatus.SUSPENDED)
    orgs, programmes = stores(member, suspended)
    [event] = await handlers.join_alliance(
        orgs, programmes, member.org_id, AllianceCategory.LEGAL, joined_on=None, now=NOW
    )
    assert isinstance(event, AllianceMemberJoined) and event.joined_on == NOW.date()
    with pytest.raises(Conflict):
        await handlers.join_alliance(orgs, programmes, member.org_id, AllianceCategory.LEGAL, joined_on=None, now=NOW)
    with pytest.raises(Conflict):
        await handlers.join_alliance(
            orgs, programmes, suspended.org_id, AllianceCategory.LEGAL, joined_on=None, now=NOW
        )
    with pytest.raises(Invalid):
        await handlers.join_alliance(orgs, programmes, uuid4(), AllianceCategory.LEGAL, joined_on=None, now=NOW)


async def test_a_grant_is_kept_once_per_grant_id_and_causes_no_event():
    programmes = FakeProgrammes()
    grant = GrantAwarded(
        grant_id=uuid4(),
        round_id=uuid4(),
        round_number=6,
        round_year=2025,
        application_id=uuid4(),
        project_title="老年人心理关爱",
        org_id=uuid4(),
        amount_cny=Decimal("80000.00"),
        domain="elder_care",
        awarded_on=date(2025, 6, 1),
    )
    assert await handlers.record_grant(programmes, grant) == []
    assert await handlers.record_grant(programmes, grant.model_copy(update={"event_id": uuid4()})) == []
    assert list(programmes.grants) == [grant.grant_id]
