"""Per-request plumbing shared by the routers: the transaction, today's date, the calendar."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date

import asyncpg
from fastapi import Request

from shared.contracts.base import IntegrationEvent
from shared.messaging import outbox
from shared.service import Service
from shared.workdays import WorkCalendar
from venture.config import Settings


class Ctx:
    """What a route needs from the running service."""

    def __init__(self, request: Request) -> None:
        self.service: Service = request.app.state.service
        self.settings: Settings = request.app.state.settings
        self.calendar: WorkCalendar = request.app.state.calendar

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.service.transaction() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.service.connection() as conn:
            yield conn

    async def today(self, conn: asyncpg.Connection) -> date:
        return await self.service.demo_clock.today(conn)

    @staticmethod
    async def publish(conn: asyncpg.Connection, events: Sequence[IntegrationEvent]) -> None:
        await outbox.add(conn, events)
