"""The public announcement feed (公示): an HTML page and an Atom feed, no login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from notify import domain, feed
from notify.api.common import service_of

router = APIRouter(tags=["public"])


@router.get("/public/announcements", response_class=HTMLResponse, summary="公示: current announcements (HTML)")
async def announcements_page(request: Request) -> HTMLResponse:
    service = service_of(request)
    today = domain.local_today(service.clock())
    async with service.reading() as stores:
        items = await stores.feed.current(today)
    return HTMLResponse(feed.html_page(items, today=today))


@router.get("/public/announcements.atom", summary="公示: current announcements (Atom feed)")
async def announcements_atom(request: Request) -> Response:
    service = service_of(request)
    today = domain.local_today(service.clock())
    async with service.reading() as stores:
        items = await stores.feed.current(today)
    base = service.notify_settings.public_base_url.rstrip("/")
    return Response(feed.atom(items, base_url=base, now=service.clock()), media_type="application/atom+xml")
