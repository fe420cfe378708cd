"""The runtime every service shares, wired once by its composition root: settings, database pool
and migrations, broker connection and consumers, outbox relay, units of work, and the HTTP app with
/health, /ready and /metrics (the parts are in `shared/runtime/`).

A service starts even when PostgreSQL or RabbitMQ is not up yet: it keeps trying in the
background, /ready says what is missing, and HTTP commands answer 503 until the database
is there. aio-pika's robust connection restores consumers after a broker restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Generic

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI
from faststream.rabbit import Channel, RabbitBroker

from shared import db
from shared.clock import DemoClock
from shared.messaging import outbox
from shared.messaging.consumer import Consumers
from shared.runtime import revocation
from shared.runtime.broker import BrokerConnection
from shared.runtime.database import ServiceUnavailable, connect_database
from shared.runtime.http import build_app
from shared.runtime.operations import readiness
from shared.runtime.settings import ServiceSettings, configure_logging
from shared.uow import S, StoresFactory, UnitOfWork

log = structlog.get_logger("shared.service")


class Service(Generic[S]):
    """One service's moving parts, wired once by its composition root.

    `stores` builds the service's stores on a connection: what `unit_of_work` and `reading` hand
    to routes, and what each consumer's handler receives (without it, the connection itself)."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        *,
        migrations: Path,
        stores: StoresFactory[S] | None = None,
    ) -> None:
        settings.check_production()
        self.name, self.settings = name, settings
        self._stores: StoresFactory[S] = stores if stores is not None else _the_connection
        self.demo_clock = DemoClock(demo_mode=settings.demo_mode, timezone=settings.timezone)
        self.migration_dirs = [db.KIT_MIGRATIONS, migrations]
        # Never started: the service's consumers and publishers described for AsyncAPI (shared/docs.py).
        self.broker = RabbitBroker(
            settings.amqp_url,
            default_channel=Channel(prefetch_count=settings.prefetch_count),
            logger=logging.getLogger(f"{name}.faststream"),
            log_level=logging.DEBUG,
            app_id=name,
            description=f"{name} service of the social-organisation guidance centre",
        )
        self.pool: asyncpg.Pool | None = None
        self.consumers = Consumers(name, lambda: self.pool, retry_delay=settings.retry_delay, stores=self._stores)
        revocation.register(self.consumers)
        self.disabled_accounts = revocation.DisabledAccounts(lambda: self.pool)
        self.relay: outbox.OutboxRelay | None = None
        self.amqp = BrokerConnection(name, settings.amqp_url)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def broker_ready(self) -> bool:
        return self.amqp.ready

    # --- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._connect_database(), name=f"{self.name}-db"),
            asyncio.create_task(self._connect_broker(), name=f"{self.name}-broker"),
        ]

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the database and the broker are connected (tests and tools)."""
        deadline = time.monotonic() + timeout
        while not (self.pool is not None and self.broker_ready):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready: db={self.pool is not None} broker={self.broker_ready}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self.amqp.close()
        if self.relay is not None:
            await self.relay.stop()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    @contextlib.contextmanager
    def outbox_held(self, *, at_most: float = 120.0) -> Iterator[None]:
        """This process's relay publishes nothing while the block runs (see `OutboxRelay.held`)."""
        relay = self.relay
        if relay is None:
            yield
            return
        with relay.held(at_most=at_most):
            yield

    async def _connect_database(self) -> None:
        self.pool = await connect_database(
            self.settings.database_url, self.migration_dirs, pool_size=self.settings.db_pool_size
        )
        self.relay = outbox.OutboxRelay(
            self.pool,
            lambda: self.amqp.events,
            app_id=self.name,
            dsn=self.settings.database_url,
            batch_size=self.settings.outbox_batch_size,
            poll_interval=self.settings.outbox_poll_interval,
        )
        self.relay.start()
        log.info("database_ready")

    async def _connect_broker(self) -> None:
        await self.amqp.connect(self.consumers, prefetch_count=self.settings.prefetch_count)

    # --- units of work -------------------------------------------------------------

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise ServiceUnavailable("数据库尚未就绪，请稍后再试")
        return self.pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside one transaction: state changes and their outbox rows commit together."""
        async with self.require_pool().acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork[S]]:
        """The stores of one transaction; the events emitted into it reach the outbox in it."""
        async with self.transaction() as conn:
            uow = UnitOfWork(conn, self._stores(conn))
            yield uow
            await uow.flush()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[S]:
        """The stores on a pooled connection, outside a transaction: for queries."""
        async with self.connection() as conn:
            yield self._stores(conn)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.require_pool().acquire() as conn:
            yield conn

    # --- HTTP ---------------------------------------------------------------------------

    async def readiness(self) -> dict[str, Any]:
        return await readiness(self)

    def http_app(
        self,
        *,
        title: str,
        description: str,
        routers: Sequence[APIRouter] = (),
        body_limits: Mapping[str, int] | None = None,
    ) -> FastAPI:
        """The service's FastAPI app; `body_limits` raises the body limit of routes by path."""
        return build_app(self, title=title, description=description, routers=routers, body_limits=body_limits)


def _the_connection(conn: asyncpg.Connection) -> Any:
    return conn


__all__ = ["Service", "ServiceSettings", "ServiceUnavailable", "configure_logging"]
