"""The statistics use cases on canned counts: shaped for people, "this year" from the caller's today."""

from __future__ import annotations

from datetime import date

import pytest

from registry.handlers import statistics as handlers
from shared.errors import Invalid

from .fakes import FakeFigures


def year_row(year: int, org_type: str, stock: int, new: int) -> dict[str, object]:
    return {"year": year, "org_type": org_type, "stock": stock, "new": new}


async def test_by_year_runs_to_this_year_of_the_given_today_when_no_end_is_asked():
    figures = FakeFigures()
    answer = await handlers.by_year(figures, 2025, None, today=date(2027, 1, 1))
    assert figures.asked == [(2025, 2027)]
    assert [y["year"] for y in answer["years"]] == [2025, 2026, 2027]


async def test_the_articles_growth_from_330_to_687():
    figures = FakeFigures(
        by_year=[
            year_row(2007, "social_association", 116, 10),
            year_row(2007, "private_non_enterprise", 214, 20),
            year_row(2026, "social_association", 224, 5),
            year_row(2026, "private_non_enterprise", 463, 7),
            year_row(2026, "community_org", 50, 3),
        ]
    )
    answer = await handlers.by_year(figures, 2007, 2026, today=date(2026, 5, 1))
    growth = answer["growth"]
    assert (growth["from_registered_total"], growth["to_registered_total"]) == (330, 687)
    assert growth["registered_total_pct"] == "108.2"
    last = answer["years"][-1]
    assert last["by_type"]["community_org"] == 50 and last["registered_total"] == 687
    assert answer["years"][1]["by_type"]["social_association"] == 0  # a year without rows is zeros


@pytest.mark.parametrize(("from_year", "to_year", "field"), [(2020, 2019, "to_year"), (1950, 2051, "from_year")])
async def test_a_backwards_or_over_long_span_is_invalid(from_year, to_year, field):
    with pytest.raises(Invalid) as refused:
        await handlers.by_year(FakeFigures(), from_year, to_year, today=date(2026, 5, 1))
    assert refused.value.field == field


async def test_coverage_and_support_are_shaped_as_strings_of_money_and_percent():
    figures = FakeFigures()
    figures.coverage_row = {"branches": 2, "active_orgs": 8, "covered_orgs": 3}
    figures.support_rows = [{"kind": "grants", "n": 2, "amount": 180000, "orgs": 1}]
    figures.alliance_counts = {"legal": 3}
    assert (await handlers.party_coverage(figures))["coverage_pct"] == "37.5"
    support = await handlers.support(figures)
    assert support["grants"] == {"count": 2, "amount_cny": "180000.00", "orgs": 1}
    assert support["alliance_by_category"] == {"legal": 3}


async def test_by_street_lists_every_street_and_the_district_level():
    figures = FakeFigures()
    figures.street_rows = [{"street_code": "110101006", "org_type": "social_association", "n": 4}]
    rows = await handlers.by_street(figures)
    assert len(rows) == 18
    dongsi = next(r for r in rows if r["street_code"] == "110101006")
    assert dongsi["total"] == 4 and dongsi["by_type"]["social_association"] == 4
