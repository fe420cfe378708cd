"""Public figures: statistics and the 360Giving export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from venture import giving360
from venture.api.deps import Ctx
from venture.api.views import money
from venture.store import queries

router = APIRouter(tags=["public"])

_COUNTS = (
    "applications",
    "funded_projects",
    "social_orgs_cultivated",
    "community_orgs_cultivated",
    "community_orgs_graduated",
)
_MONEY = ("awarded_cny", "disbursed_cny", "recovered_cny")


def _figures(row: Any) -> dict[str, Any]:
    return {**{k: int(row[k]) for k in _COUNTS}, **{k: money(row[k]) for k in _MONEY}}


@router.get("/statistics", summary="Cultivation statistics per round and overall (public)")
async def statistics(ctx: Ctx = Depends()) -> dict[str, Any]:
    async with ctx.read() as conn:
        per_round, overall = await queries.statistics(conn)
    return {
        "rounds": [
            {"round_id": str(r["id"]), "number": r["number"], "year": r["year"], "title": r["title"], **_figures(r)}
            for r in per_round
        ],
        "overall": {"rounds": int(overall["rounds"]), **_figures(overall)},
    }


@router.get("/exports/360giving", summary="Grants as a 360Giving data package, currency CNY (public)")
async def export_360giving(ctx: Ctx = Depends()) -> dict[str, Any]:
    async with ctx.read() as conn:
        rows = await queries.export_rows(conn)
        paid = await queries.disbursements(conn)
    return giving360.package(rows, paid, funder_id=ctx.settings.funder_id, funder_name=ctx.settings.funder_name)
