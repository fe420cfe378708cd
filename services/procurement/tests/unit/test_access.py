"""Who manages and who sees a project, as pure functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from procurement.access import can_view, manages, require_street
from procurement.domain.model import Purchaser, Reviewer, Rules
from procurement.domain.project import Project
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.reference import Domain


def project(kind: str = "street_office", street: str | None = "110101006") -> Project:
    p, _ = Project.create(
        ocid_prefix="o",
        title="t",
        description="",
        domain=Domain.OTHER,
        purchaser=Purchaser(code="c", name="n", kind=kind),
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


def test_involvement_decides_who_sees_a_project():
    p = project()
    p.reviewers.append(Reviewer(sub="rev"))
    p.monitors.append("mon")
    assert can_view(Principal(sub="rev", role=Role.REVIEWER), p)
    assert not can_view(Principal(sub="other", role=Role.REVIEWER), p)
    assert can_view(Principal(sub="mon", role=Role.MONITOR), p)
    assert not can_view(Principal(sub="x", role=Role.MONITOR), p)
    assert not can_view(Principal(sub="o", role=Role.ORG, org_id=uuid4()), p)


def test_street_officer_enters_demands_only_for_its_own_street_office():
    require_street(officer("110101006"), purchaser_kind="street_office", street_code="110101006")
    with pytest.raises(Forbidden):
        require_street(officer("110101006"), purchaser_kind="street_office", street_code="110101001")
    with pytest.raises(Forbidden):
        require_street(officer("110101006"), purchaser_kind="district_department", street_code="110101006")
    require_street(Principal(sub="a", role=Role.DISTRICT_ADMIN), purchaser_kind="district_department", street_code=None)
