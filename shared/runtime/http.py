"""A service's FastAPI app: its lifespan (start and stop the service), the operations routes, the
request edge (body limits, token check), correlation ids and request metrics, and one mapping of
errors to HTTP answers."""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram

from shared import context
from shared.auth import TokenVerifier
from shared.clock import refuse_foreign_demo_dates
from shared.edge import RequestEdge
from shared.errors import DomainError, Invalid
from shared.runtime.database import ServiceUnavailable
from shared.runtime.operations import ops_router
from shared.runtime.ports import RunningService
from shared.validation_text import translated

log = structlog.get_logger("shared.service")

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"])


def build_app(
    service: RunningService,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    body_limits: Mapping[str, int] | None,
) -> FastAPI:
    """The service's FastAPI app; `body_limits` raises the body limit of routes by path."""
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        servers=_servers(service.settings.public_url, service.settings.http_port),
        lifespan=_lifespan(service),
        dependencies=[Depends(refuse_foreign_demo_dates)],  # only a district admin in demo mode dates requests
    )
    app.state.service = service
    app.state.token_verifier = TokenVerifier.from_settings(service.settings)
    app.state.disabled_accounts = service.disabled_accounts
    app.include_router(ops_router(service))
    for router in routers:
        app.include_router(router)
    _check_paths(body_limits or {}, routers)
    # The innermost middleware: the correlation middleware (Starlette's BaseHTTPMiddleware)
    # calls `receive` inside a task group, which would wrap the edge's 401/413 in an exception
    # group (a 400 by the time FastAPI saw it); inside it they are answered and counted as usual.
    app.add_middleware(RequestEdge, max_body_bytes=service.settings.max_body_bytes, route_limits=body_limits)
    app.middleware("http")(_correlate)
    _map_errors(app)
    return app


def _servers(public_url: str | None, port: int) -> list[dict[str, str]]:
    """OpenAPI `servers`: the deployment's address (when configured), then `make run`'s."""
    local = {"url": f"http://127.0.0.1:{port}", "description": "make run on this machine"}
    return [{"url": public_url.rstrip("/"), "description": "this deployment"}, local] if public_url else [local]


def _lifespan(service: RunningService) -> Any:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Everything imported and built so far (the app, schemas, templates, libraries) lives
        # as long as the process: frozen out of the cyclic collector's reach, so a full
        # collection walks only what was made since. Measured in notify at 100 demands/s: a
        # full collection paused the event loop for 195 ms before, 5 ms after.
        if gc.get_freeze_count() == 0:
            gc.collect()
            gc.freeze()
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    return lifespan


def _check_paths(limits: Mapping[str, int], routers: Sequence[APIRouter]) -> None:
    """A limit for a path no route has is a typo that would leave the route at the default."""
    paths = {getattr(route, "path", None) for router in routers for route in router.routes}
    unknown = sorted(set(limits) - paths)
    if unknown:
        raise ValueError(f"body limits for paths no route has: {unknown}")


async def _correlate(request: Request, call_next: Any) -> Response:
    """Bind the request's correlation id (the caller's, or a new one), echo it, count the request."""
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


def _map_errors(app: FastAPI) -> None:
    """Domain errors, input PostgreSQL cannot hold, and a service not ready yet, answered alike everywhere."""

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Invalid):
            body: dict[str, Any] = {
                "detail": [{"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": exc.code}]
            }
        else:
            body = {"detail": exc.message, "code": exc.code}
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, with each message in the users' language (shared/validation_text.py).
        return JSONResponse({"detail": jsonable_encoder(translated(list(exc.errors())))}, status_code=422)

    @app.exception_handler(asyncpg.DataError)
    async def data_error(_: Request, exc: asyncpg.DataError) -> JSONResponse:
        # Input PostgreSQL cannot hold (a U+0000 in text, an out-of-range number) is the
        # caller's error, not a server failure; nothing was written (the transaction rolled back).
        log.info("request_data_rejected", error=str(exc))
        body = {"detail": [{"loc": ["request"], "msg": f"输入无法保存：{exc}", "type": "invalid_data"}]}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_: Request, exc: ServiceUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "2"})
