"""HTTP routes of platforms (district, 17 streets, communities)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from registry.access import READERS, WRITERS
from registry.api.common import now, service_of
from registry.api.models import CommunityPlatformIn, PlatformOut
from registry.domain.platform import Platform
from registry.handlers import orgs as handlers
from shared.auth import Principal, require
from shared.paging import PAGED, PagingDep
from shared.reference import PlatformLevel

router = APIRouter(tags=["platforms"])


def platform_out(p: Platform) -> PlatformOut:
    return PlatformOut(
        code=p.code, level=str(p.level), name=p.name, street_code=p.street_code, parent_code=p.parent_code
    )


@router.get("/platforms", summary="Platforms, optionally by level or street", responses=PAGED)
async def list_platforms(
    paging: PagingDep,
    request: Request,
    level: PlatformLevel | None = None,
    street: str | None = None,
    _: Principal = Depends(require(*READERS)),
) -> list[PlatformOut]:
    async with service_of(request).reading() as stores:
        platforms = await stores.orgs.platforms(level=level, street_code=street)
    return paging.of([platform_out(p) for p in platforms.values()])


@router.post("/platforms/community", status_code=201, summary="Add a community platform under a street")
async def add_community_platform(
    body: CommunityPlatformIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> PlatformOut:
    async with service_of(request).unit_of_work() as uow:
        platform, events = await handlers.add_community_platform(
            uow.stores.orgs, body.street_code, body.name, principal=who, now=now()
        )
        uow.emit(events)
    return platform_out(platform)
