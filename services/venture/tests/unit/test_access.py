"""Venture's scoping rules (venture/access.py), one form: may_… answers, check_… raises Forbidden."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from shared.auth import Principal, Role
from shared.errors import Forbidden, Invalid
from venture import access
from venture.domain.review import Assignment

STREET, OTHER_STREET = "110101006", "110101001"


@dataclass(frozen=True)
class Project:
    org_id: UUID
    sponsor_org_id: UUID | None
    street_code: str


def who(role: Role, *, org_id: UUID | None = None, street: str | None = None) -> Principal:
    return Principal(sub="x", role=role, org_id=org_id, street=street)


def test_an_org_sees_its_own_and_sponsored_projects_and_a_street_its_street():
    org, sponsor = uuid4(), uuid4()
    project = Project(org, sponsor, STREET)
    assert access.may_see_project(who(Role.ORG, org_id=org), project)
    assert access.may_see_project(who(Role.ORG, org_id=sponsor), project)
    assert not access.may_see_project(who(Role.ORG, org_id=uuid4()), project)
    assert access.may_see_project(who(Role.STREET_OFFICER, street=STREET), project)
    assert access.may_see_project(who(Role.MONITOR), project)
    assert not access.may_see_project(who(Role.REVIEWER), project)
    with pytest.raises(Forbidden, match="无权查看"):
        access.check_may_see_project(who(Role.STREET_OFFICER, street=OTHER_STREET), project)


def test_an_org_applies_in_its_own_name_or_as_the_sponsor_it_names():
    me, group = uuid4(), uuid4()
    assert access.applying_org(who(Role.ORG, org_id=me), None, None) == me
    assert access.applying_org(who(Role.ORG, org_id=me), group, me) == group
    with pytest.raises(Forbidden):
        access.applying_org(who(Role.ORG, org_id=me), group, None)
    with pytest.raises(Invalid) as exc:
        access.applying_org(who(Role.DISTRICT_ADMIN), None, None)
    assert exc.value.field == "org_id"


def test_a_street_officer_pledges_only_for_its_street_and_the_district_for_any():
    project = Project(uuid4(), None, STREET)
    access.check_may_pledge_followup(who(Role.STREET_OFFICER, street=STREET), project)
    access.check_may_pledge_followup(who(Role.DISTRICT_ADMIN), project)
    with pytest.raises(Forbidden):
        access.check_may_pledge_followup(who(Role.STREET_OFFICER, street=OTHER_STREET), project)


def test_a_reviewer_opens_an_assigned_unconflicted_application_after_declaring():
    assigned = Assignment(uuid4(), uuid4(), "rev", conflicted=False)
    access.check_reviewer_may_open(assigned, declared=True)
    with pytest.raises(Forbidden, match="没有分配"):
        access.check_reviewer_may_open(None, declared=True)
    with pytest.raises(Forbidden, match="利益冲突声明"):
        access.check_reviewer_may_open(assigned, declared=False)
    with pytest.raises(Forbidden, match="存在利益冲突"):
        access.check_reviewer_may_open(Assignment(uuid4(), uuid4(), "rev", conflicted=True), declared=True)


def test_grant_listings_are_narrowed_to_the_callers_org_or_street():
    org = uuid4()
    assert access.grant_scope(who(Role.ORG, org_id=org)) == (org, None)
    assert access.grant_scope(who(Role.STREET_OFFICER, street=STREET)) == (None, STREET)
    assert access.grant_scope(who(Role.MONITOR)) == (None, None)
