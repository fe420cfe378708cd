"""Public figures (statistics, the 360Giving export) and the demo clock."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from shared.auth import Principal, Role, require
from shared.errors import Forbidden
from venture import clock, giving360
from venture.api.deps import Ctx
from venture.api.models import ClockIn
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


@router.get("/clock", summary="Today as the service sees it (district_admin)")
async def get_clock(ctx: Ctx = Depends(), _: Principal = Depends(require(Role.DISTRICT_ADMIN))) -> dict[str, Any]:
    async with ctx.read() as conn:
        today = await ctx.today(conn)
    return {"today": today.isoformat(), "environment": ctx.settings.environment}


@router.put("/clock", summary="Set the demo clock (district_admin; development mode only)")
async def set_clock(
    body: ClockIn, ctx: Ctx = Depends(), _: Principal = Depends(require(Role.DISTRICT_ADMIN))
) -> dict[str, Any]:
    if ctx.settings.environment == "production":
        raise Forbidden("the controllable clock is off in production mode", code="clock_disabled")
    async with ctx.tx() as conn:
        today = await clock.set_today(conn, ctx.settings.environment, body.today)
    return {"today": today.isoformat(), "environment": ctx.settings.environment}
