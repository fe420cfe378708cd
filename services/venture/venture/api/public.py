"""Public figures: statistics and the 360Giving export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from shared.paging import PAGED, PagingDep
from shared.reference import STREETS
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


@router.get("/statistics", summary="The district's rounds per round and overall (public; streets: /statistics/streets)")
async def statistics(request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        per_round, overall = await s.queries.statistics()
    return {
        "rounds": [
            {
                "round_id": str(r["id"]),
                "number": r["number"],
                "year": r["year"],
                "title": r["title"],
                "level": r["level"],
                "street_code": r["street_code"],
                **_figures(r),
            }
            for r in per_round
        ],
        "overall": {"rounds": int(overall["rounds"]), **_figures(overall)},
    }


@router.get("/statistics/streets", summary="Street micro-venture (社区微创投) per street (public)", responses=PAGED)
async def street_statistics(paging: PagingDep, request: Request) -> list[dict[str, Any]]:
    async with service_of(request).reading() as s:
        rows = await s.queries.street_statistics()
    return paging.of(
        [
            {
                "street_code": r["street_code"],
                "street_name": STREETS.get(r["street_code"], r["street_code"]),
                "rounds": int(r["rounds"]),
                "applications": int(r["applications"]),
                "funded_projects": int(r["funded_projects"]),
                "groups_cultivated": int(r["groups_cultivated"]),
                "community_groups_cultivated": int(r["community_groups_cultivated"]),
                "awarded_cny": money(r["awarded_cny"]),
            }
            for r in rows
        ]
    )


@router.get("/exports/360giving", summary="Grants as a 360Giving data package, currency CNY (public)")
async def export_360giving(request: Request) -> dict[str, Any]:
    async with service_of(request).reading() as s:
        rows = await s.queries.export_rows()
        paid = await s.queries.disbursements()
    settings = settings_of(request)
    return giving360.package(rows, paid, funder_id=settings.funder_id, funder_name=settings.funder_name)
