"""The census rules and the two coverages, on plain values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.domain.party_depth import BranchForm, Census, coverages
from shared.errors import Invalid


def _census(**over):
    fields = dict(year=2016, members=3, branch_form=None, instructor=None, liaison=None)
    fields.update(over)
    return Census.record(**fields, today=date(2020, 1, 1), registered_year=2015)


def test_a_census_for_a_future_year_or_before_registration_is_refused_on_year():
    for year in (2021, 2014):
        with pytest.raises(Invalid) as refused:
            _census(year=year)
        assert refused.value.field == "year"


def test_an_org_without_members_has_no_branch_form():
    with pytest.raises(Invalid) as refused:
        _census(members=0, branch_form=BranchForm.SINGLE)
    assert refused.value.field == "branch_form"


def test_blank_instructor_names_count_as_none():
    assert _census(instructor="  ", liaison=" 陈  红 ").instructor is None
    assert _census(liaison=" 陈  红 ").liaison == "陈 红"


def test_coverages_count_members_in_branches_and_reached_orgs_without_one():
    rows = [
        {"members": 5, "branch_form": "joint", "instructor": None, "liaison": None},
        {"members": 2, "branch_form": None, "instructor": "刘", "liaison": None},
        {"members": 0, "branch_form": None, "instructor": None, "liaison": "陈"},
        {"members": 0, "branch_form": None, "instructor": None, "liaison": None},
    ]
    got = coverages(rows)
    assert got["organisation_coverage_pct"] == Decimal("50.0")
    assert (got["orgs_without_branch"], got["orgs_reached"], got["work_coverage_pct"]) == (3, 2, Decimal("66.7"))
    assert coverages([])["organisation_coverage_pct"] is None
