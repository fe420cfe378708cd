"""The route × caller matrix: who gets which status on every HTTP route (docs/architecture.md §4).

Each service's test module holds a table `MATRIX = {"METHOD /path": Row(...)}` with one expected
status per caller, in the column order of CALLERS, and a `prepare` that creates a realistic resource
as district_admin (so "allowed" means 2xx and "denied" means 401/403, or 404 where hiding a resource
is the design, noted in the table). A route of the app without a row fails the module, so a new
route cannot ship without its expectations.

Callers:
- none      no Authorization header
- admin     district_admin
- street    street_officer of the resource's street (110101006, 东四街道)
- street_x  street_officer of another street (110101001)
- reviewer  reviewer `rev-sec` (assigned to the resource wherever assignment exists)
- monitor   monitor `mon-sec` (assigned to the resource wherever assignment exists)
- org       org token of the organisation the resource belongs to
- org_x     org token of another organisation
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from shared.auth import Role
from shared.contracts.base import IntegrationEvent
from shared.messaging.publish import cloud_event_headers
from testkit import (
    ADMIN_AMQP_URL,
    forged_token,
    fresh_database,
    purge_queues,
    service_amqp_url,
    service_migrations,
    token,
)

CALLERS = ("none", "admin", "street", "street_x", "reviewer", "monitor", "org", "org_x")
STREET = "110101006"
OTHER_STREET = "110101001"
REVIEWER = "rev-sec"
MONITOR = "mon-sec"
OTHER_ORG = UUID("0000000a-0000-4000-8000-0000000000ff")
ADMIN = token(Role.DISTRICT_ADMIN, sub="admin-sec", ttl_seconds=4 * 3600)


@dataclass
class Call:
    """One request against a prepared resource; `org` is the organisation the resource belongs to."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    files: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    org: UUID | None = None
    secret: str | None = None  # the resource's id, for rows that say who may (not) see it in a 200


@dataclass
class Env:
    """What a prepare function gets: the running app and a client for it."""

    app: FastAPI
    client: httpx.AsyncClient
    extra: dict[str, Any] = field(default_factory=dict)


Prepare = Callable[[Env], Awaitable[Call]]


@dataclass
class Row:
    """Expected statuses, one per caller in CALLERS order, and how to make the request."""

    statuses: str
    prepare: Prepare
    note: str = ""
    hidden: str = ""  # callers whose 2xx answer must not contain the resource's id (a scoped list)
    shown: str = ""  # callers whose 2xx answer must contain it

    def expected(self) -> dict[str, int]:
        codes = [int(c) for c in self.statuses.split()]
        assert len(codes) == len(CALLERS), f"a row needs {len(CALLERS)} statuses: {self.statuses!r}"
        return dict(zip(CALLERS, codes, strict=True))


# Tokens that must never pass where a token is needed: admin claims, but forged or expired.
FORGED = {
    "forged": forged_token(Role.DISTRICT_ADMIN, sub="mallory"),
    "expired": token(Role.DISTRICT_ADMIN, sub="admin-sec", ttl_seconds=-60),
}


def caller_headers(caller: str, org: UUID | None) -> dict[str, str]:
    own = org or uuid4()
    return {
        "none": {},
        "admin": ADMIN,
        "street": token(Role.STREET_OFFICER, sub="street-sec", street=STREET),
        "street_x": token(Role.STREET_OFFICER, sub="street-x-sec", street=OTHER_STREET),
        "reviewer": token(Role.REVIEWER, sub=REVIEWER),
        "monitor": token(Role.MONITOR, sub=MONITOR),
        "org": token(Role.ORG, sub=f"org-{own}", org_id=own),
        "org_x": token(Role.ORG, sub="org-x-sec", org_id=OTHER_ORG),
        **FORGED,
    }[caller]


def routes_of(app: FastAPI) -> set[str]:
    """Every "METHOD /path" the app answers, hidden or not, walking included routers."""
    found: set[str] = set()

    def walk(routes: Iterable[Any], prefix: str) -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                walk(original.routes, prefix + route.include_context.prefix)
            elif hasattr(route, "routes") and getattr(route, "methods", None) is None:
                walk(route.routes, prefix + getattr(route, "path", ""))
            else:
                for method in sorted(getattr(route, "methods", None) or {"*"}):
                    if method != "HEAD":
                        found.add(f"{method} {prefix}{route.path}")

    walk(app.router.routes, "")
    return found


def route_of(key: str) -> str:
    """A matrix key may carry a variant after ' #' (several resources for one route)."""
    return key.split(" #", 1)[0]


async def _send(client: httpx.AsyncClient, call: Call, caller: str) -> tuple[int, str, str]:
    try:
        r = await client.request(
            call.method,
            call.path,
            json=call.json,
            params=call.params,
            files=call.files,
            headers={**call.headers, **caller_headers(caller, call.org)},
        )
    except Exception:  # an app exception surfaces through ASGITransport: that is a 500
        return 500, traceback.format_exc(limit=-6), ""
    return r.status_code, r.text[:300], r.text


async def check_row(env: Env, key: str, row: Row) -> list[str]:
    """Send the request as every caller; denied callers first, then each allowed caller on a fresh
    resource (a write changes the resource, so the next caller would meet another state)."""
    expected = row.expected()
    mutating = key.split()[0] != "GET"
    if expected["none"] == 401:  # where a token is needed, a forged or expired admin token is no token
        expected.update(dict.fromkeys(FORGED, 401))
    order = sorted(expected, key=lambda c: 200 <= expected[c] < 300)
    call = await row.prepare(env)
    used = False
    mismatches = []
    for caller in order:
        allowed = 200 <= expected[caller] < 300
        if allowed and mutating:
            if used:
                call = await row.prepare(env)
            used = True
        status, text, body = await _send(env.client, call, caller)
        if status != expected[caller]:
            mismatches.append(f"{key} as {caller}: expected {expected[caller]}, got {status}: {text}")
        elif allowed and call.secret is not None:
            if caller in row.hidden.split() and call.secret in body:
                mismatches.append(f"{key} as {caller}: the answer shows {call.secret}, which is not theirs")
            if caller in row.shown.split() and call.secret not in body:
                mismatches.append(f"{key} as {caller}: the answer lacks {call.secret}, which is theirs to see")
    return mismatches


def assert_complete(app: FastAPI, matrix: dict[str, Row]) -> None:
    routes = routes_of(app)
    listed = {route_of(k) for k in matrix}
    missing, stale = sorted(routes - listed), sorted(listed - routes)
    assert not missing and not stale, f"routes without a matrix row: {missing}; rows without a route: {stale}"


@asynccontextmanager
async def running_app(name: str, **settings: Any) -> AsyncIterator[Env]:
    """The service app in-process with its real lifespan, on a fresh `<name>_sec` database and the
    test vhost (its queues purged first), like the services' own conftests."""
    app_module = importlib.import_module(f"{name}.app")
    config = importlib.import_module(f"{name}.config")
    await purge_queues(f"{name}.")
    dsn = await fresh_database(f"{name}_sec", name, migrations=service_migrations(name))
    cfg = config.Settings(
        database_url=dsn,
        amqp_url=service_amqp_url(name),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        db_pool_size=4,  # the test server's connection slots are shared with everyone's test runs
        **settings,
    )
    app = app_module.create_app(cfg)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        await app.state.service.wait_ready()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test") as client:
            yield Env(app, client)


async def ok(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str] = ADMIN, **kw: Any) -> Any:
    """A setup request that must succeed."""
    r = await client.request(method, path, headers=headers, **kw)
    assert 200 <= r.status_code < 300, f"setup {method} {path}: {r.status_code} {r.text}"
    return r.json() if r.content and "json" in r.headers.get("content-type", "") else None


def public_rows(paths: Iterable[str]) -> dict[str, Row]:
    """Routes everyone may GET (operations and docs): 200 for every caller."""
    rows = {}
    for path in paths:

        async def prepare(env: Env, path: str = path) -> Call:
            return Call("GET", path)

        rows[f"GET {path}"] = Row("200 200 200 200 200 200 200 200", prepare, "public")
    return rows


OPERATIONS = ("/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


async def publish(event: IntegrationEvent) -> None:
    """Publish another context's event as that context would (guest user on the test vhost)."""
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        await exchange.publish(
            aio_pika.Message(
                event.model_dump_json().encode(),
                message_id=str(event.event_id),
                type=event.routing_key,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers=cloud_event_headers(
                    event_id=str(event.event_id), routing_key=event.routing_key, occurred_at=event.occurred_at
                ),
            ),
            routing_key=event.routing_key,
        )
    finally:
        await conn.close()


def _string_leaves(body: Any, path: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
    if isinstance(body, str):
        yield path
    elif isinstance(body, dict):
        for k, v in body.items():
            yield from _string_leaves(v, (*path, k))
    elif isinstance(body, list):
        for i, v in enumerate(body):
            yield from _string_leaves(v, (*path, i))


def _with(body: Any, path: tuple[Any, ...], value: str) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(body, dict):
        return {**body, head: _with(body[head], rest, value)}
    copy = list(body)
    copy[head] = _with(body[head], rest, value)
    return copy


def write_routes(matrix: dict[str, Row]) -> list[str]:
    """The rows whose route takes a body (POST, PUT, PATCH): each gets the NUL-in-body probe."""
    return [k for k in matrix if k.split()[0] in ("POST", "PUT", "PATCH")]


async def check_nul_in_body(env: Env, key: str, row: Row) -> list[str]:
    """The row's realistic request as district_admin, with a U+0000 added to each string of its JSON
    body in turn: PostgreSQL cannot store U+0000, so a service that lets it through answers 500."""
    call = await row.prepare(env)
    problems = []
    for path in _string_leaves(call.json):
        original: Any = call.json
        for step in path:
            original = original[step]
        nul = Call(call.method, call.path, _with(call.json, path, original + "\x00"), call.params, call.files,
                   call.headers, call.org)  # fmt: skip
        status, text, _ = await _send(env.client, nul, "admin")
        if status >= 500:
            problems.append(f"{key} with U+0000 in {'.'.join(map(str, path))}: {status}: {text}")
    return problems
