"""The kit maps input PostgreSQL refuses to a 422, not a 500."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
from fastapi import APIRouter

from shared.service import Service, ServiceSettings
from testkit import eventually

from .conftest import EMPTY_MIGRATIONS


async def test_a_nul_character_reaching_postgres_is_a_422(kit_dsn, amqp_url):
    router = APIRouter()
    service = Service("kit", ServiceSettings(database_url=kit_dsn, amqp_url=amqp_url), migrations=EMPTY_MIGRATIONS)

    @router.get("/echo")
    async def echo(text: str) -> dict[str, str]:
        async with service.transaction() as conn:
            return {"text": await conn.fetchval("SELECT $1::text", text)}

    app = service.http_app(title="kit", description="kit", routers=[router])
    await service.start()
    try:
        await service.wait_ready()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
            ok = await client.get("/echo", params={"text": "东城"})
            assert ok.status_code == 200 and ok.json() == {"text": "东城"}
            bad = await client.get("/echo", params={"text": "a\x00b"})
            assert bad.status_code == 422, bad.text
            assert bad.json()["detail"][0]["type"] == "invalid_data"
    finally:
        await service.stop()
    assert issubclass(asyncpg.CharacterNotInRepertoireError, asyncpg.DataError)


async def test_metrics_report_outbox_backlog_and_age(kit_dsn):
    from shared.contracts.base import IntegrationEvent
    from shared.messaging import outbox

    class KitMeasured(IntegrationEvent):
        routing_key = "kit.measured.v1"

    # No broker reachable: the rows stay pending, and /metrics says so.
    service = Service(
        "kit",
        ServiceSettings(database_url=kit_dsn, amqp_url="amqp://guest:guest@127.0.0.1:5999/"),
        migrations=EMPTY_MIGRATIONS,
    )
    app = service.http_app(title="kit", description="kit")
    await service.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=service.pool is not None))
        async with service.transaction() as conn:
            await outbox.add(conn, [KitMeasured(), KitMeasured()])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
            text = (await client.get("/metrics")).text
        assert "outbox_pending 2.0" in text
        assert "outbox_oldest_pending_seconds" in text
        assert "events_consumed_total" in text or "http_requests_total" in text
    finally:
        await service.stop()
