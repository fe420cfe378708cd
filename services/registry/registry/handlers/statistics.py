"""Statistics queries, shaped for people: stock by type per year with growth, streets, statuses."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.domain.party import Coverage
from registry.domain.statistics import YearFigures, growth
from registry.handlers.ports import Figures
from shared.errors import Invalid
from shared.reference import ORG_TYPE_NAMES, STREETS, OrgType

TYPES = [t.value for t in OrgType]


def _pct(value: Any) -> str | None:
    return None if value is None else str(value)


async def by_year(stats: Figures, from_year: int, to_year: int | None, *, today: date) -> dict[str, Any]:
    """Organisations existing at the end of each year by type, new ones per year, and growth;
    up to `to_year`, or this year (of `today`, a Beijing date) when it is None."""
    if to_year is None:
        to_year = today.year
    if to_year < from_year:
        raise Invalid("to_year", "结束年份不能早于起始年份")
    if to_year - from_year > 100:
        raise Invalid("from_year", "年份跨度不能超过100年")
    rows = await stats.by_year(from_year, to_year)
    figures = {y: YearFigures(y, {}, {}) for y in range(from_year, to_year + 1)}
    for r in rows:
        figures[r["year"]].by_type[r["org_type"]] = int(r["stock"])
        figures[r["year"]].new_by_type[r["org_type"]] = int(r["new"])
    g = growth(figures[from_year], figures[to_year], TYPES)
    return {
        "years": [
            {
                "year": f.year,
                "by_type": {t: f.by_type.get(t, 0) for t in TYPES},
                "new_by_type": {t: f.new_by_type.get(t, 0) for t in TYPES},
                "registered_total": f.registered_total,
            }
            for f in figures.values()
        ],
        "growth": {
            "from_year": g.from_year,
            "to_year": g.to_year,
            "from_registered_total": g.from_total,
            "to_registered_total": g.to_total,
            "registered_total_pct": _pct(g.total_pct),
            "by_type": {t: {"from": a, "to": b, "pct": _pct(p)} for t, (a, b, p) in g.by_type.items()},
        },
        "type_names": ORG_TYPE_NAMES,
    }


async def by_street(stats: Figures) -> list[dict[str, Any]]:
    """Active organisations per street by type (district-level orgs under street_code null)."""
    out: dict[str, dict[str, Any]] = {
        code: {"street_code": code, "street_name": name, "by_type": {t: 0 for t in TYPES}, "total": 0}
        for code, name in STREETS.items()
    }
    out[""] = {"street_code": None, "street_name": "区级（无街道）", "by_type": {t: 0 for t in TYPES}, "total": 0}
    for r in await stats.by_street():
        entry = out.setdefault(
            r["street_code"], {"street_code": r["street_code"], "street_name": None, "by_type": {}, "total": 0}
        )
        entry["by_type"][r["org_type"]] = int(r["n"])
        entry["total"] += int(r["n"])
    return list(out.values())


async def by_status(stats: Figures) -> dict[str, Any]:
    table: dict[str, dict[str, int]] = {}
    for r in await stats.by_status():
        table.setdefault(r["status"], {})[r["org_type"]] = int(r["n"])
    return {"by_status": table, "totals": {s: sum(v.values()) for s, v in table.items()}}


async def party_coverage(stats: Figures) -> dict[str, Any]:
    c = Coverage(**await stats.coverage())
    return {
        "branches": c.branches,
        "active_orgs": c.active_orgs,
        "covered_orgs": c.covered_orgs,
        "coverage_pct": _pct(c.coverage_pct),
    }


async def support(stats: Figures) -> dict[str, Any]:
    """Grants (venture) and contracts (procurement) the registry's organisations received."""
    out: dict[str, Any] = {}
    for r in await stats.support():
        out[r["kind"]] = {"count": int(r["n"]), "amount_cny": f"{r['amount']:.2f}", "orgs": int(r["orgs"])}
    out["alliance_by_category"] = await stats.alliance()
    return out
