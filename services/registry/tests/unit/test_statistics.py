"""Figures from data: growth and coverage arithmetic."""

from __future__ import annotations

from decimal import Decimal

from registry.domain.party import Coverage
from registry.domain.statistics import YearFigures, growth, growth_pct


def test_the_articles_growth_from_330_to_687_is_108_percent():
    first = YearFigures(2007, {"social_association": 116, "private_non_enterprise": 214}, {})
    last = YearFigures(2026, {"social_association": 224, "private_non_enterprise": 463, "community_org": 50}, {})
    g = growth(first, last, ["social_association", "private_non_enterprise"])
    assert (g.from_total, g.to_total) == (330, 687)
    assert g.total_pct == Decimal("108.2")
    assert round(g.total_pct) == 108


def test_growth_from_nothing_is_undefined_not_infinite():
    assert growth_pct(0, 5) is None


def test_coverage_is_covered_over_active():
    assert Coverage(branches=2, active_orgs=8, covered_orgs=3).coverage_pct == Decimal("37.5")
    assert Coverage(branches=0, active_orgs=0, covered_orgs=0).coverage_pct is None
