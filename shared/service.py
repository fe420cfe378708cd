"""The runtime every service shares: settings, database pool and migrations, broker and
consumers, outbox relay, and the HTTP app with /health, /ready and /metrics.

A service starts even when PostgreSQL or RabbitMQ is not up yet: it keeps trying in the
background, /ready says what is missing, and HTTP commands answer 503 until the database
is there. aio-pika's robust connection restores consumers after a broker restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Generic, Literal
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.rabbit import Channel, RabbitBroker
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import context, db
from shared import logging as kit_logging
from shared.auth import DEV_SECRET, TokenVerifier
from shared.clock import DemoClock, refuse_foreign_demo_dates
from shared.edge import RequestEdge
from shared.errors import DomainError, Invalid
from shared.messaging import outbox
from shared.messaging.consumer import Consumers
from shared.messaging.topology import DLX, EVENTS, dead_letter_queue
from shared.uow import S, StoresFactory, UnitOfWork

log = structlog.get_logger("shared.service")

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"])
OUTBOX_PENDING = Gauge("outbox_pending", "Outbox rows not yet published")
OUTBOX_OLDEST = Gauge("outbox_oldest_pending_seconds", "Age of the oldest unpublished outbox row (0 when none)")


class ServiceSettings(BaseSettings):
    """Settings common to every service; each subclass sets its own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    jwt_secret: str = DEV_SECRET
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    prefetch_count: int = 64
    db_pool_size: int = 10
    outbox_batch_size: int = 500
    outbox_poll_interval: float = 1.0
    retry_delay: float = 1.0
    log_level: str = "INFO"
    log_json: bool = True
    # The district's time zone: "today" for use cases and the demo clock (shared/clock.py).
    timezone: str = "Asia/Shanghai"
    # Demo mode: a district admin may move the service's clock (PUT /clock, X-Demo-Today).
    # Explicit and off by default, even in development; refused in production.
    demo_mode: bool = False
    # The largest request body a route reads unless the app names a larger limit for it
    # (`http_app(body_limits=…)`): the largest JSON body of any route is about 200 KB (5,000 ids).
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)

    def check_production(self) -> None:
        """Refuse empty or development secrets in production mode, naming the variables to set."""
        if self.environment != "production":
            return
        problems = []
        if self.jwt_secret == DEV_SECRET or len(self.jwt_secret) < 32:
            problems.append(f"{self.env_name('jwt_secret')}（为空、是开发密钥或短于 32 个字符）")
        for name in ("database_url", "amqp_url"):
            if why := _credential_problem(getattr(self, name)):
                problems.append(f"{self.env_name(name)}（{why}）")
        if self.demo_mode:
            problems.append(f"{self.env_name('demo_mode')}=false（演示模式允许区级管理员改动系统日期）")
        if problems:
            raise RuntimeError("生产模式下拒绝启动，请设置：" + "；".join(problems))

    def env_name(self, field: str) -> str:
        """The environment variable that sets `field` (its prefix is the service's)."""
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()


def _credential_problem(url: str) -> str | None:
    """Why a connection URL's credential is not fit for production, or None."""
    parts = urlsplit(url)
    if not parts.password:  # Compose renders an unset password as `user:@host`
        return "密码为空"
    if "-dev-password" in parts.password or (parts.username, parts.password) == ("guest", "guest"):
        return "使用开发用的凭据"
    return None


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
        self.relay: outbox.OutboxRelay | None = None
        self.broker_ready = False
        self._amqp: aio_pika.abc.AbstractRobustConnection | None = None
        self._events_exchange: aio_pika.abc.AbstractExchange | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._on_ready: list[Any] = []

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
        await self._close_consumers()
        if self.relay is not None:
            await self.relay.stop()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self.pool is not None:
            await self.pool.close()
            self.pool = None
        self.broker_ready = False

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
        delay = 0.5
        while True:
            try:
                conn = await db.connect(self.settings.database_url)
                try:
                    await db.migrate(conn, self.migration_dirs)
                finally:
                    await conn.close()
                self.pool = await db.create_pool(self.settings.database_url, max_size=self.settings.db_pool_size)
                break
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("database_unavailable", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        self.relay = outbox.OutboxRelay(
            self.pool,
            lambda: self._events_exchange,
            app_id=self.name,
            dsn=self.settings.database_url,
            batch_size=self.settings.outbox_batch_size,
            poll_interval=self.settings.outbox_poll_interval,
        )
        self.relay.start()
        log.info("database_ready")

    async def _close_consumers(self) -> None:
        self._events_exchange = None
        if self._amqp is not None:
            with contextlib.suppress(Exception):
                await self._amqp.close()
            self._amqp = None

    async def _connect_broker(self) -> None:
        delay = 0.5
        while True:
            try:
                await self.broker.start()
                await self.broker.declare_exchange(DLX)
                dlq = await self.broker.declare_queue(dead_letter_queue(self.name))
                await dlq.bind(DLX.name, routing_key=f"{self.name}.#")
                # The outbox relay and the consumers use aio-pika directly on their own robust
                # connection (FastStream's per-message layers cost CPU and add nothing there).
                self._amqp = await aio_pika.connect_robust(
                    self.settings.amqp_url, client_properties={"connection_name": f"{self.name} events"}
                )
                confirmed = await self._amqp.channel(publisher_confirms=True)
                self._events_exchange = await confirmed.declare_exchange(
                    EVENTS.name, aio_pika.ExchangeType.TOPIC, durable=True
                )
                await self.consumers.start(self._amqp, prefetch_count=self.settings.prefetch_count)
                break
            except Exception as exc:
                log.warning("broker_unavailable", error=str(exc), retry_in=delay)
                await self._close_consumers()
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        self.broker_ready = True
        log.info("broker_ready", consumes=self.consumers.routing_keys)

    # --- units of work -------------------------------------------------------------

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise ServiceUnavailable("database not ready yet")
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
        checks: dict[str, Any] = {"database": False, "broker": False}
        if self.pool is not None:
            with contextlib.suppress(Exception):
                async with self.pool.acquire(timeout=2) as conn:
                    checks["database"] = await conn.fetchval("SELECT 1") == 1
                    checks["outbox_pending"] = await outbox.pending_count(conn)
        with contextlib.suppress(Exception):
            consuming = self._amqp is not None and not self._amqp.is_closed
            checks["broker"] = self.broker_ready and consuming and await self.broker.ping(timeout=2)
        return checks

    def http_app(
        self,
        *,
        title: str,
        description: str,
        routers: Sequence[APIRouter] = (),
        body_limits: Mapping[str, int] | None = None,
    ) -> FastAPI:
        """The service's FastAPI app; `body_limits` raises the body limit of routes by path."""

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            # Everything imported and built so far (the app, schemas, templates, libraries) lives
            # as long as the process: frozen out of the cyclic collector's reach, so a full
            # collection walks only what was made since. Measured in notify at 100 demands/s: a
            # full collection paused the event loop for 195 ms before, 5 ms after.
            if gc.get_freeze_count() == 0:
                gc.collect()
                gc.freeze()
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(
            title=title,
            description=description,
            version="0.1.0",
            lifespan=lifespan,
            dependencies=[Depends(refuse_foreign_demo_dates)],  # only a district admin in demo mode dates requests
        )
        app.state.service = self
        app.state.token_verifier = TokenVerifier(self.settings.jwt_secret)
        app.include_router(_ops_router(self))
        for router in routers:
            app.include_router(router)
        _check_paths(body_limits or {}, routers)
        # The innermost middleware: the correlation middleware (Starlette's BaseHTTPMiddleware)
        # calls `receive` inside a task group, which would wrap the edge's 401/413 in an exception
        # group (a 400 by the time FastAPI saw it); inside it they are answered and counted as usual.
        app.add_middleware(RequestEdge, max_body_bytes=self.settings.max_body_bytes, route_limits=body_limits)
        _install_handlers(app)
        return app


def _check_paths(limits: Mapping[str, int], routers: Sequence[APIRouter]) -> None:
    """A limit for a path no route has is a typo that would leave the route at the default."""
    paths = {getattr(route, "path", None) for router in routers for route in router.routes}
    unknown = sorted(set(limits) - paths)
    if unknown:
        raise ValueError(f"body limits for paths no route has: {unknown}")


def _the_connection(conn: asyncpg.Connection) -> Any:
    return conn


class ServiceUnavailable(Exception):
    pass


def _ops_router(service: Service) -> APIRouter:
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
        if service.pool is not None:
            with contextlib.suppress(Exception):
                async with service.pool.acquire(timeout=2) as conn:
                    pending, oldest = await conn.fetchrow(
                        """SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)
                           FROM outbox WHERE published_at IS NULL"""
                    )
                OUTBOX_PENDING.set(pending)
                OUTBOX_OLDEST.set(float(oldest))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _install_handlers(app: FastAPI) -> None:
    @app.middleware("http")
    async def correlate(request: Request, call_next: Any) -> Response:
        cid = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        started = time.perf_counter()
        with context.bound(correlation_id=cid[:200]):
            response: Response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, path).observe(time.perf_counter() - started)
        response.headers["x-correlation-id"] = cid[:200]
        return response

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Invalid):
            body: dict[str, Any] = {
                "detail": [{"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": exc.code}]
            }
        else:
            body = {"detail": exc.message, "code": exc.code}
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(asyncpg.DataError)
    async def data_error(_: Request, exc: asyncpg.DataError) -> JSONResponse:
        # Input PostgreSQL cannot hold (a U+0000 in text, an out-of-range number) is the
        # caller's error, not a server failure; nothing was written (the transaction rolled back).
        log.info("request_data_rejected", error=str(exc))
        body = {"detail": [{"loc": ["request"], "msg": f"invalid input: {exc}", "type": "invalid_data"}]}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_: Request, exc: ServiceUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "2"})


def configure_logging(settings: ServiceSettings, name: str) -> None:
    kit_logging.configure(name, level=settings.log_level, json=settings.log_json)


__all__ = ["Service", "ServiceSettings", "ServiceUnavailable", "configure_logging"]
