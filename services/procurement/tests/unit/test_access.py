"""Who manages and who sees a project, as pure functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from procurement import access
from procurement.access import can_view, check_street, manages
from procurement.domain.model import Purchaser, Reviewer, Rules
from procurement.domain.project import Project
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.reference import Domain, street_office_code


def project(kind: str = "street_office", street: str | None = "110101006", code: str | None = None) -> Project:
    p, _ = Project.create(
        ocid_prefix="o",
        title="t",
        description="",
        domain=Domain.OTHER,
        purchaser=Purchaser(
            code=code or (street_office_code(street) if street else "11010100MZJ"), name="n", kind=kind
        ),
        street_code=street,
        budget_cny=Decimal(1),
        expected_beneficiaries=0,
        demand_ids=[],
        rules=Rules(),
        today=date(2026, 3, 2),
    )
    return p


def officer(street: str) -> Principal:
    return Principal(sub="s", role=Role.STREET_OFFICER, street=street)


def test_street_officer_manages_only_its_own_street_offices_projects():
    assert manages(officer("110101006"), project())
    assert not manages(officer("110101001"), project())
    # A district department's project located in the street is still the district's to run.
    assert not manages(officer("110101006"), project(kind="district_department"))
    assert manages(Principal(sub="a", role=Role.DISTRICT_ADMIN), project(kind="district_department", street=None))
    # Another body's code, even labelled a street office of this street, is not this street's office.
    assert not manages(officer("110101006"), project(code="11010100TYJ"))


def test_involvement_decides_who_sees_a_project():
    p = project()
    p.reviewers.append(Reviewer(sub="rev"))
    p.monitors.append("mon")
    assert can_view(Principal(sub="rev", role=Role.REVIEWER), p)
    assert not can_view(Principal(sub="other", role=Role.REVIEWER), p)
    assert can_view(Principal(sub="mon", role=Role.MONITOR), p)
    assert not can_view(Principal(sub="x", role=Role.MONITOR), p)
    assert not can_view(Principal(sub="o", role=Role.ORG, org_id=uuid4()), p)


def test_street_officer_enters_demands_only_as_its_own_street_office():
    own = street_office_code("110101006")
    check_street(officer("110101006"), purchaser_code=own, purchaser_kind="street_office", street_code="110101006")
    refused = [
        (own, "street_office", "110101001"),  # another street
        (own, "district_department", "110101006"),  # not as a street office
        ("11010100TYJ", "street_office", "110101006"),  # another body's code (the 体育局's)
        (street_office_code("110101001"), "street_office", "110101006"),  # another street's office
    ]
    for code, kind, street in refused:
        with pytest.raises(Forbidden, match=own):
            check_street(officer("110101006"), purchaser_code=code, purchaser_kind=kind, street_code=street)
    admin = Principal(sub="a", role=Role.DISTRICT_ADMIN)
    check_street(admin, purchaser_code="11010100TYJ", purchaser_kind="district_department", street_code=None)


def test_lists_are_scoped_to_what_each_caller_may_see():
    assert access.project_scope(officer("110101006")) == access.ProjectScope(purchaser=street_office_code("110101006"))
    assert access.project_scope(Principal(sub="rev", role=Role.REVIEWER)).contains == {"reviewers": [{"sub": "rev"}]}
    assert access.project_scope(Principal(sub="a", role=Role.DISTRICT_ADMIN)) == access.ProjectScope()
    assert access.demand_scope(officer("110101006")) == street_office_code("110101006")
    assert access.demand_scope(Principal(sub="a", role=Role.DISTRICT_ADMIN)) is None


def test_the_new_roles_see_no_project_yet():
    """district_department and community_worker are recognised but granted nothing here yet."""
    department = Principal(sub="d", role=Role.DISTRICT_DEPARTMENT, purchaser="11010100TYJ")
    worker = Principal(sub="c", role=Role.COMMUNITY_WORKER, street="110101006", community="东四社区")
    p = project()
    for who in (department, worker):
        assert access.project_scope(who).nothing
        assert not access.can_view(who, p) and not access.manages(who, p)
        with pytest.raises(Forbidden):
            access.visible_proposals(who, p)
        with pytest.raises(Forbidden):
            access.visible_scores(who, p)


def test_scores_and_proposals_are_shown_by_role_and_refused_to_the_uninvolved():
    p = project()
    p.reviewers.append(Reviewer(sub="rev"))
    assert access.visible_scores(Principal(sub="a", role=Role.DISTRICT_ADMIN), p) == ([], True)
    assert access.visible_scores(Principal(sub="rev", role=Role.REVIEWER), p) == ([], False)
    assert access.visible_proposals(Principal(sub="rev", role=Role.REVIEWER), p) == []
    for stranger in (Principal(sub="x", role=Role.REVIEWER), officer("110101001")):
        with pytest.raises(Forbidden):
            access.visible_scores(stranger, p)
        with pytest.raises(Forbidden):
            access.visible_proposals(stranger, p)
    # A street officer objects only on the projects it manages; an org on any it may see.
    access.check_objector(officer("110101006"), p)
    access.check_objector(Principal(sub="o", role=Role.ORG, org_id=uuid4()), p)
    with pytest.raises(Forbidden):
        access.check_objector(officer("110101001"), p)
