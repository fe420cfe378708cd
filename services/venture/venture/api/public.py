"""Public figures: statistics and the 360Giving export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from venture import giving360
from venture.api.deps import service_of, settings_of
from venture.api.views import money

router = APIRouter(tags=["public"])

_COUNTS = (
    "applications",
    "funded_projects",
    "social_orgs_cultivated",
    "community_orgs_cultivated",
    "community_orgs_graduated",
)
_MONEY = ("awarded_cny", "disbursed_cny", "recovered_cny")


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: int(row[k]) for k in _COUNTS}, **{k: money(row[k]) for k in _MONEY}}


@router.get("/statistics", summary="Cultivation statistics per round and overall (public)")
async def statistics(request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        per_round, overall = await s.queries.statistics()
    return {
        "rounds": [
            {"round_id": str(r["id"]), "number": r["number"], "year": r["year"], "title": r["title"], **_figures(r)}
            for r in per_round
        ],
        "overall": {"rounds": int(overall["rounds"]), **_figures(overall)},
    }


@router.get("/exports/360giving", summary="Grants as a 360Giving data package, currency CNY (public)")
async def export_360giving(request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        rows = await s.queries.export_rows()
        paid = await s.queries.disbursements()
    settings = settings_of(request)
    return giving360.package(rows, paid, funder_id=settings.funder_id, funder_name=settings.funder_name)
