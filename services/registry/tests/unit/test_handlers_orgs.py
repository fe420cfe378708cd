"""The organisation use cases on in-memory stores: what they write, the events they return, and
what they refuse (with nothing written)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

import pytest

from registry.domain.organisation import Filing, Graduation, ProfileChanges, Registration
from registry.domain.uscc import make_code
from registry.handlers import orgs as handlers
from shared.auth import Principal, Role
from shared.clock import DISTRICT_ZONE
from shared.contracts.registry import (
    Contact,
    OrgFiled,
    OrgGraduated,
    OrgProfileUpdated,
    OrgRegistered,
    OrgStatusChanged,
    PlatformEstablished,
)
from shared.errors import Conflict, Forbidden, Invalid
from shared.reference import OrgStatus, OrgType

from .fakes import FakeOrgs

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=DISTRICT_ZONE)
ADMIN = Principal(sub="alice", role=Role.DISTRICT_ADMIN)
DONGSI = "110101006"
OFFICER = Principal(sub="bob", role=Role.STREET_OFFICER, street=DONGSI)
OTHER_OFFICER = Principal(sub="carol", role=Role.STREET_OFFICER, street="110101005")
PILOT_CODE = "52110101MJ0123456X"  # well formed, fails the checksum: a pilot-era code

_serial = iter(range(1, 10_000))


def registration(**fields: object) -> Registration:
    values: dict[str, object] = {
        "name": "东城区阳光为老服务中心",
        "org_type": OrgType.PRIVATE_NON_ENTERPRISE,
        "credit_code": make_code("52", "110101", f"MJ{next(_serial):06d}"),
        "registered_on": date(2015, 6, 1),
        "street_code": DONGSI,
    }
    return Registration(**{**values, **fields})  # type: ignore[arg-type]


def filing(**fields: object) -> Filing:
    values: dict[str, object] = {
        "name": "北新桥邻里互助队",
        "street_code": "110101005",
        "community": "民安社区",
        "filed_on": date(2019, 3, 15),
    }
    return Filing(**{**values, **fields})  # type: ignore[arg-type]


async def test_registering_writes_the_org_with_its_history_and_returns_its_event():
    orgs = FakeOrgs()
    org, events = await handlers.register(orgs, registration(), principal=OFFICER, now=NOW)
    assert [type(e) for e in events] == [OrgRegistered]
    assert events[0].org == org.snapshot() and org.version == 1
    assert orgs.orgs[org.org_id].platform_code == DONGSI  # its street's platform when none is named
    assert [(h.org_id, h.version, h.kind, h.actor) for h in orgs.history] == [(org.org_id, 1, "OrgRegistered", "bob")]


async def test_a_taken_credit_code_is_a_conflict_and_nothing_is_written():
    orgs = FakeOrgs()
    first, _ = await handlers.register(orgs, registration(), principal=ADMIN, now=NOW)
    assert first.credit_code is not None
    with pytest.raises(Conflict) as refused:
        await handlers.register(orgs, registration(credit_code=first.credit_code), principal=ADMIN, now=NOW)
    assert refused.value.code == "duplicate_credit_code"
    assert list(orgs.orgs) == [first.org_id] and len(orgs.history) == 1


async def test_an_officer_cannot_register_for_another_street():
    orgs = FakeOrgs()
    with pytest.raises(Forbidden):
        await handlers.register(orgs, registration(), principal=OTHER_OFFICER, now=NOW)
    assert not orgs.orgs and not orgs.history


async def test_only_a_district_admin_approves_a_checksum_override_and_it_is_recorded():
    orgs = FakeOrgs()
    asked = registration(credit_code=PILOT_CODE, override_reason="试点期代码，民政局函确认")
    with pytest.raises(Forbidden):
        await handlers.register(orgs, asked, principal=OFFICER, now=NOW)
    org, _ = await handlers.register(orgs, asked, principal=ADMIN, now=NOW)
    [(org_id, code, failure, override)] = orgs.overrides
    assert (org_id, code, override.approved_by, override.recorded_at) == (org.org_id, PILOT_CODE, "alice", NOW)
    assert "校验" in failure
    assert orgs.history[0].detail["checksum_override"] == {"approved_by": "alice", "reason": asked.override_reason}


async def test_a_code_failing_its_checksum_without_an_override_is_invalid():
    with pytest.raises(Invalid) as refused:
        await handlers.register(FakeOrgs(), registration(credit_code=PILOT_CODE), principal=ADMIN, now=NOW)
    assert refused.value.field == "credit_code"


async def test_filing_with_a_registered_sponsor_and_graduating_keep_one_org():
    orgs = FakeOrgs()
    sponsor, _ = await handlers.register(orgs, registration(street_code="110101005"), principal=ADMIN, now=NOW)
    group, filed = await handlers.file(orgs, filing(sponsor_org_id=sponsor.org_id), principal=ADMIN, now=NOW)
    assert [type(e) for e in filed] == [OrgFiled] and group.sponsor_org_id == sponsor.org_id
    code = make_code("51", "110101", "MJ900001")
    cmd = Graduation(org_type=OrgType.SOCIAL_ASSOCIATION, credit_code=code, registered_on=date(2024, 1, 2))
    org, events = await handlers.graduate(orgs, group.org_id, cmd, principal=ADMIN, now=NOW)
    assert [type(e) for e in events] == [OrgGraduated, OrgRegistered]
    assert org.org_id == group.org_id and org.version == 2 and org.status is OrgStatus.REGISTERED
    assert orgs.orgs[group.org_id].credit_code == code
    assert orgs.history[-1].detail["from_type"] == "community_org"


async def test_filing_with_an_unknown_sponsor_is_invalid():
    with pytest.raises(Invalid) as refused:
        await handlers.file(FakeOrgs(), filing(sponsor_org_id=uuid4()), principal=ADMIN, now=NOW)
    assert refused.value.field == "sponsor_org_id"


async def test_suspending_then_an_illegal_transition_is_a_conflict():
    orgs = FakeOrgs()
    org, _ = await handlers.register(orgs, registration(), principal=ADMIN, now=NOW)
    _, events = await handlers.change_status(
        orgs, org.org_id, "suspend", "年检未通过", effective_on=None, principal=OFFICER, now=NOW
    )
    [event] = events
    assert isinstance(event, OrgStatusChanged) and event.new_status is OrgStatus.SUSPENDED
    assert orgs.history[-1].detail["effective_on"] == NOW.date()  # today in the district by default
    with pytest.raises(Conflict):
        await handlers.change_status(orgs, org.org_id, "suspend", "再次", effective_on=None, principal=ADMIN, now=NOW)
    assert orgs.orgs[org.org_id].version == 2


async def test_an_organisation_changes_its_own_contact_only():
    orgs = FakeOrgs()
    org, _ = await handlers.register(orgs, registration(), principal=ADMIN, now=NOW)
    itself = Principal(sub="org-user", role=Role.ORG, org_id=org.org_id)
    contact = handlers.contact_changes(Contact(name="李娜", email="lina@example.org"))
    updated, events = await handlers.update_profile(orgs, org.org_id, contact, principal=itself, now=NOW)
    assert [type(e) for e in events] == [OrgProfileUpdated] and updated.contact.name == "李娜"
    with pytest.raises(Forbidden):
        await handlers.update_profile(orgs, org.org_id, ProfileChanges(name="新名称"), principal=itself, now=NOW)
    stranger = Principal(sub="x", role=Role.ORG, org_id=uuid4())
    with pytest.raises(Forbidden):
        await handlers.update_profile(orgs, org.org_id, contact, principal=stranger, now=NOW)


async def test_a_profile_change_that_changes_nothing_emits_nothing():
    orgs = FakeOrgs()
    org, _ = await handlers.register(orgs, registration(), principal=ADMIN, now=NOW)
    same, events = await handlers.update_profile(
        orgs, org.org_id, ProfileChanges(name=org.name), principal=ADMIN, now=NOW
    )
    assert events == [] and same.version == 1 and len(orgs.history) == 1


async def test_community_platforms_are_numbered_per_street_and_announced():
    orgs = FakeOrgs()
    first, events = await handlers.add_community_platform(orgs, DONGSI, "东四一社区", principal=OFFICER, now=NOW)
    second, _ = await handlers.add_community_platform(orgs, DONGSI, "东四二社区", principal=ADMIN, now=NOW)
    assert (first.code, second.code) == (f"{DONGSI}001", f"{DONGSI}002")
    assert [type(e) for e in events] == [PlatformEstablished]
    with pytest.raises(Forbidden):
        await handlers.add_community_platform(orgs, "110101005", "别的街道", principal=OFFICER, now=NOW)
