"""HTTP routes of statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from registry.api.common import READERS, service_of
from registry.handlers import statistics as handlers
from registry.store import StatisticsStore
from shared.auth import Principal, require

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("/by-year", summary="Organisations by type at each year's end, new per year, growth")
async def by_year(
    request: Request,
    from_year: int = Query(ge=1950, le=2100),
    to_year: int | None = Query(default=None, ge=1950, le=2100, description="default: this year"),
    _: Principal = Depends(require(*READERS)),
) -> dict[str, Any]:
    async with service_of(request).connection() as conn:
        return await handlers.by_year(StatisticsStore(conn), from_year, to_year or date.today().year)


@router.get("/by-street", summary="Active organisations per street by type")
async def by_street(request: Request, _: Principal = Depends(require(*READERS))) -> list[dict[str, Any]]:
    async with service_of(request).connection() as conn:
        return await handlers.by_street(StatisticsStore(conn))


@router.get("/by-status", summary="Organisations by status and type")
async def by_status(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).connection() as conn:
        return await handlers.by_status(StatisticsStore(conn))


@router.get("/party-coverage", summary="Party organisation coverage: covered active orgs / active orgs")
async def party_coverage(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).connection() as conn:
        return await handlers.party_coverage(StatisticsStore(conn))


@router.get("/support", summary="Grants and contracts received, alliance members by category")
async def support(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).connection() as conn:
        return await handlers.support(StatisticsStore(conn))
