from uuid import uuid4

import pytest

from shared.errors import Conflict, Invalid
from venture.domain.orgs import Org, check_applicant, check_mentor, is_newer, title_key


def org(org_type="private_non_enterprise", status="registered"):
    return Org(org_id=uuid4(), version=1, name="x", org_type=org_type, status=status)


def test_only_a_newer_snapshot_version_applies():
    assert is_newer(None, 1)
    assert is_newer(2, 3)
    assert not is_newer(3, 3)
    assert not is_newer(3, 2)


def test_same_project_ignores_spacing_punctuation_and_full_width_forms():
    assert title_key("社区 “老街坊”互助（二期）") == title_key("社区老街坊互助(二期)")
    assert title_key("ABC 项目") == title_key("ａｂｃ项目")
    assert title_key("老街坊互助") != title_key("老街坊互助二期")


def test_a_registered_org_applies_in_its_own_name():
    assert check_applicant(org(), None, sponsor_org_id=None) == "registered"
    with pytest.raises(Invalid) as exc:
        check_applicant(org(), org(), sponsor_org_id=uuid4())
    assert exc.value.field == "sponsor_org_id"


def test_a_filed_group_needs_a_registered_active_sponsor():
    sponsor = org()
    group = Org(uuid4(), 1, "g", "community_org", "filed", sponsor_org_id=sponsor.org_id)
    with pytest.raises(Invalid):
        check_applicant(group, None, sponsor_org_id=None)
    suspended = Org(sponsor.org_id, 2, "x", "private_non_enterprise", "suspended")
    with pytest.raises(Invalid):
        check_applicant(group, suspended, sponsor_org_id=sponsor.org_id)
    assert check_applicant(group, sponsor, sponsor_org_id=sponsor.org_id) == "community"


def test_a_filed_group_without_a_recorded_sponsor_cannot_apply_through_anyone():
    """Imports record no sponsor: any registered org could otherwise apply in the group's name."""
    group = org("community_org", "filed")
    with pytest.raises(Invalid) as exc:
        check_applicant(group, org(), sponsor_org_id=uuid4())
    assert exc.value.field == "sponsor_org_id" and "工作人员" in exc.value.message


def test_suspended_or_deregistered_orgs_cannot_apply():
    for status in ("suspended", "deregistered"):
        with pytest.raises(Conflict):
            check_applicant(org(status=status), None, sponsor_org_id=None)
    with pytest.raises(Conflict):
        check_applicant(org("community_org", "deregistered"), org(), sponsor_org_id=uuid4())


def test_a_filed_group_registered_under_a_sponsor_applies_only_through_that_sponsor():
    sponsor, stranger = org(), org()
    group = Org(
        org_id=uuid4(), version=1, name="g", org_type="community_org", status="filed", sponsor_org_id=sponsor.org_id
    )
    assert check_applicant(group, sponsor, sponsor_org_id=sponsor.org_id) == "community"
    with pytest.raises(Invalid) as exc:
        check_applicant(group, stranger, sponsor_org_id=stranger.org_id)
    assert exc.value.field == "sponsor_org_id"


def test_a_mentor_is_a_registered_support_org():
    check_mentor(
        Org(
            org_id=uuid4(),
            version=1,
            name="m",
            org_type="private_non_enterprise",
            status="registered",
            is_support_org=True,
        )
    )
    for bad in (None, org()):
        with pytest.raises(ValueError):
            check_mentor(bad)
