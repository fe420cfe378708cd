"""The operations routes every service has: /health (liveness), /ready (database and broker
reachable) and /metrics (Prometheus, with the outbox's backlog)."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from shared.messaging import outbox
from shared.runtime.ports import RunningService

OUTBOX_PENDING = Gauge("outbox_pending", "Outbox rows not yet published")
OUTBOX_OLDEST = Gauge("outbox_oldest_pending_seconds", "Age of the oldest unpublished outbox row (0 when none)")

_BACKLOG = """SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
              FROM outbox WHERE published_at IS NULL"""


async def readiness(service: RunningService) -> dict[str, Any]:
    """What /ready reports: the database and the broker answer, and the outbox's backlog."""
    checks: dict[str, Any] = {"database": False, "broker": False}
    if service.pool is not None:
        with contextlib.suppress(Exception):
            async with service.pool.acquire(timeout=2) as conn:
                checks["database"] = await conn.fetchval("SELECT 1") == 1
                checks["outbox_pending"] = await outbox.pending_count(conn)
    with contextlib.suppress(Exception):
        checks["broker"] = await service.amqp.is_up()
    return checks


async def _observe_outbox(service: RunningService) -> None:
    if service.pool is None:
        return
    with contextlib.suppress(Exception):
        async with service.pool.acquire(timeout=2) as conn:
            pending, oldest = await conn.fetchrow(_BACKLOG)
        OUTBOX_PENDING.set(pending)
        OUTBOX_OLDEST.set(float(oldest))


def ops_router(service: RunningService) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="Liveness: the process is up")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service.name}

    @router.get("/ready", summary="Readiness: database and broker reachable")
    async def ready() -> JSONResponse:
        checks = await service.readiness()
        ok = bool(checks["database"] and checks["broker"])
        return JSONResponse({"ready": ok, **checks}, status_code=200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        await _observe_outbox(service)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
