"""The organisation aggregate: versions, transitions, graduation, profile changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from registry.domain.organisation import Filing, Graduation, Organisation, ProfileChanges, Registration
from registry.domain.uscc import make_code
from shared.contracts.registry import Contact, OrgGraduated, OrgRegistered
from shared.errors import Conflict, Invalid
from shared.reference import Domain, OrgStatus, OrgType

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def registered() -> Organisation:
    cmd = Registration(
        name="  东城区 阳光为老服务中心 ",
        org_type=OrgType.PRIVATE_NON_ENTERPRISE,
        credit_code=make_code("52", "110101", "MJ000001"),
        registered_on=date(2010, 3, 1),
        street_code="110101006",
        domains=(Domain.ELDER_CARE, Domain.ELDER_CARE),
    )
    org, event = Organisation.register(cmd, org_id=uuid4(), now=NOW)
    assert event.org == org.snapshot()
    return org


def filed() -> Organisation:
    cmd = Filing(name="民安社区邻里互助队", street_code="110101005", community="民安社区", filed_on=date(2019, 3, 15))
    return Organisation.file(cmd, org_id=uuid4(), now=NOW)[0]


def test_registration_cleans_the_name_dedupes_domains_and_starts_at_version_one():
    org = registered()
    assert org.name == "东城区 阳光为老服务中心"
    assert org.domains == [Domain.ELDER_CARE]
    assert (org.version, org.status) == (1, OrgStatus.REGISTERED)


def test_community_orgs_cannot_be_registered_they_are_filed():
    cmd = Registration("x", OrgType.COMMUNITY_ORG, make_code("52", "110101", "MJ000001"), date(2010, 1, 1))
    with pytest.raises(Invalid) as err:
        Organisation.register(cmd, org_id=uuid4(), now=NOW)
    assert err.value.field == "org_type"


def test_a_registration_date_in_the_future_is_refused():
    cmd = Registration("x", OrgType.PRIVATE_NON_ENTERPRISE, make_code("52", "110101", "MJ000001"), date(2027, 1, 1))
    with pytest.raises(Invalid) as err:
        Organisation.register(cmd, org_id=uuid4(), now=NOW)
    assert err.value.field == "registered_on"


def test_graduation_keeps_the_org_id_and_filing_and_emits_graduated_then_registered():
    org = filed()
    org_id = org.org_id
    events = org.graduate(
        Graduation(OrgType.SOCIAL_ASSOCIATION, make_code("51", "110101", "MJ000002"), date(2022, 6, 1)), now=NOW
    )
    graduated, registered_event = events
    assert isinstance(graduated, OrgGraduated) and isinstance(registered_event, OrgRegistered)
    assert registered_event.graduated_from_filing is True
    assert org.org_id == org_id and org.version == 2
    assert graduated.filed_on == date(2019, 3, 15) and graduated.registered_on == date(2022, 6, 1)
    snap = registered_event.org
    assert (snap.status, snap.org_type, snap.community, snap.filed_on) == (
        OrgStatus.REGISTERED,
        OrgType.SOCIAL_ASSOCIATION,
        "民安社区",
        date(2019, 3, 15),
    )


def test_graduation_before_the_filing_date_is_refused():
    org = filed()
    with pytest.raises(Invalid) as err:
        org.graduate(
            Graduation(OrgType.SOCIAL_ASSOCIATION, make_code("51", "110101", "MJ000002"), date(2018, 1, 1)), now=NOW
        )
    assert err.value.field == "registered_on"


def test_only_filed_orgs_graduate():
    with pytest.raises(Conflict):
        registered().graduate(
            Graduation(OrgType.SOCIAL_ASSOCIATION, make_code("51", "110101", "MJ000002"), date(2022, 6, 1)), now=NOW
        )


def test_suspend_reinstate_deregister_each_bump_the_version_and_carry_the_reason():
    org = registered()
    e1 = org.suspend("年检不合格", on=NOW.date(), now=NOW)
    e2 = org.reinstate("整改完成", on=NOW.date(), now=NOW)
    e3 = org.deregister("自行解散", on=NOW.date(), now=NOW)
    assert [(e.old_status, e.new_status, e.org.version) for e in (e1, e2, e3)] == [
        (OrgStatus.REGISTERED, OrgStatus.SUSPENDED, 2),
        (OrgStatus.SUSPENDED, OrgStatus.REGISTERED, 3),
        (OrgStatus.REGISTERED, OrgStatus.DEREGISTERED, 4),
    ]
    assert e3.reason == "自行解散" and org.deregistered_on == NOW.date()


def test_a_suspended_filed_group_is_reinstated_as_filed():
    org = filed()
    org.suspend("暂停活动", on=NOW.date(), now=NOW)
    assert org.reinstate("恢复活动", on=NOW.date(), now=NOW).new_status is OrgStatus.FILED


@pytest.mark.parametrize("action", ["reinstate_registered", "suspend_deregistered", "deregister_twice"])
def test_illegal_transitions_are_conflicts(action):
    org = registered()
    with pytest.raises(Conflict):
        if action == "reinstate_registered":
            org.reinstate("x", on=NOW.date(), now=NOW)
        elif action == "suspend_deregistered":
            org.deregister("x", on=NOW.date(), now=NOW)
            org.suspend("x", on=NOW.date(), now=NOW)
        else:
            org.deregister("x", on=NOW.date(), now=NOW)
            org.deregister("x", on=NOW.date(), now=NOW)


def test_a_status_change_needs_a_reason():
    with pytest.raises(Invalid) as err:
        registered().suspend("  ", on=NOW.date(), now=NOW)
    assert err.value.field == "reason"


def test_profile_update_lists_changed_fields_and_an_unchanged_profile_emits_nothing():
    org = registered()
    event = org.update_profile(
        ProfileChanges(contact=Contact(email="a@b.cn"), is_support_org=True, domains=(Domain.ELDER_CARE,)), now=NOW
    )
    assert event is not None and event.changed_fields == ["contact", "is_support_org"]
    assert event.org.version == 2 and event.org.contact.email == "a@b.cn"
    assert org.update_profile(ProfileChanges(contact=Contact(email="a@b.cn")), now=NOW) is None
    assert org.version == 2


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (Contact(email="not-an-email"), "contact.email"),
        (Contact(phone="call me"), "contact.phone"),
        (Contact(webhook_url="ftp://x.cn/hook"), "contact.webhook_url"),
    ],
)
def test_unusable_contacts_are_refused_naming_the_field(contact, field):
    with pytest.raises(Invalid) as err:
        registered().update_profile(ProfileChanges(contact=contact), now=NOW)
    assert err.value.field == field


def test_a_filed_group_cannot_be_flagged_a_support_org():
    with pytest.raises(Invalid):
        filed().update_profile(ProfileChanges(is_support_org=True), now=NOW)
