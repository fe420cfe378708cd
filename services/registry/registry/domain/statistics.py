"""Figures computed from loaded data: stock by type per year and growth between two years."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registry.domain.party import percent


@dataclass(frozen=True)
class YearFigures:
    year: int
    by_type: dict[str, int]
    new_by_type: dict[str, int]

    @property
    def registered_total(self) -> int:
        """Registered (coded) organisations, the article's headline figure (社团 + 民非 + 基金会)."""
        return sum(n for t, n in self.by_type.items() if t != "community_org")


def growth_pct(before: int, after: int) -> Decimal | None:
    """Growth from `before` to `after` in percent (one decimal); None when `before` is zero."""
    change = percent(after - before, before)
    return change


@dataclass(frozen=True)
class Growth:
    from_year: int
    to_year: int
    from_total: int
    to_total: int
    by_type: dict[str, tuple[int, int, Decimal | None]]

    @property
    def total_pct(self) -> Decimal | None:
        return growth_pct(self.from_total, self.to_total)


def growth(first: YearFigures, last: YearFigures, types: list[str]) -> Growth:
    return Growth(
        from_year=first.year,
        to_year=last.year,
        from_total=first.registered_total,
        to_total=last.registered_total,
        by_type={
            t: (
                first.by_type.get(t, 0),
                last.by_type.get(t, 0),
                growth_pct(first.by_type.get(t, 0), last.by_type.get(t, 0)),
            )
            for t in types
        },
    )
