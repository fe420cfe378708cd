"""HTTP routes of statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from registry.access import READERS
from registry.api.common import service_of
from registry.handlers import statistics as handlers
from shared.auth import Principal, require
from shared.clock import request_today
from shared.paging import PAGED, PagingDep

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("/by-year", summary="Organisations by type at each year's end, new per year, growth")
async def by_year(
    request: Request,
    from_year: int = Query(ge=1950, le=2100),
    to_year: int | None = Query(default=None, ge=1950, le=2100, description="default: this year"),
    _: Principal = Depends(require(*READERS)),
) -> dict[str, Any]:
    # "This year" is the district's: the kit's clock (Beijing; the demo date in demo mode), never the server's zone.
    today = await request_today(request, None)
    async with service_of(request).reading() as stores:
        return await handlers.by_year(stores.statistics, from_year, to_year, today=today)


@router.get("/by-street", summary="Active organisations per street by type", responses=PAGED)
async def by_street(
    paging: PagingDep, request: Request, _: Principal = Depends(require(*READERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await handlers.by_street(stores.statistics))


@router.get("/by-status", summary="Organisations by status and type")
async def by_status(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.by_status(stores.statistics)


@router.get("/party-coverage", summary="Party organisation coverage: covered active orgs / active orgs")
async def party_coverage(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.party_coverage(stores.statistics)


@router.get("/support", summary="Grants and contracts received, alliance members by category")
async def support(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.support(stores.statistics)
