"""Venture tests run against the real PostgreSQL (database venture_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from shared import logging as kit_logging
from shared.auth import Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgSnapshot
from shared.messaging.publish import cloud_event_headers
from shared.service import Service
from testkit import (
    ADMIN_AMQP_URL,
    EventTap,
    eventually,
    fresh_database,
    purge_queues,
    service_amqp_url,
    service_migrations,
    token,
)
from venture.app import create_app
from venture.config import Settings
from venture.handlers import registry as registry_uc
from venture.store import Stores

kit_logging.configure("venture-test", level="WARNING", cache=False)

TODAY = date(2026, 3, 2)  # a Monday, far from holidays
STREET = "110101006"  # 东四街道
OTHER_STREET = "110101001"

ADMIN = token(Role.DISTRICT_ADMIN, sub="admin")


@pytest.fixture
async def settings() -> Settings:
    await purge_queues("venture.")
    dsn = await fresh_database("venture_test", "venture", migrations=service_migrations("venture"))
    # A small pool: many suites share this PostgreSQL server (max_connections 100) at once.
    return Settings(
        database_url=dsn,
        amqp_url=service_amqp_url("venture"),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        db_pool_size=2,  # min = max: every connection is opened (with retries) at start-up
        demo_mode=True,  # the district admin moves the demo clock (PUT /clock) to the round's dates
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The venture app running in-process with its real lifespan (pool, broker, relay)."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=120)  # the shared server may be busy
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://venture.test") as c:
        r = await c.put("/clock", json={"today": TODAY.isoformat()}, headers=ADMIN)
        assert r.status_code == 200, r.text
        yield c


@dataclass
class Orgs:
    """Seeds the organisation read model as registry's events would."""

    service: Service[Stores]

    async def add(
        self,
        name: str,
        *,
        org_type: str = "private_non_enterprise",
        status: str | None = None,
        street_code: str = STREET,
        is_support_org: bool = False,
        sponsor_org_id: UUID | None = None,
    ) -> UUID:
        org_id = uuid4()
        status = status or ("filed" if org_type == "community_org" else "registered")
        await self.put(
            OrgSnapshot(
                org_id=org_id,
                version=1,
                name=name,
                org_type=org_type,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                street_code=street_code,
                credit_code=None if org_type == "community_org" else "52110101MJ0123456W",
                is_support_org=is_support_org,
                sponsor_org_id=sponsor_org_id,
            )
        )
        return org_id

    async def put(self, snap: OrgSnapshot) -> None:
        async with self.service.unit_of_work() as uow:
            await registry_uc.record_org(uow.stores.orgs, snap)


@pytest.fixture
async def orgs(app: FastAPI) -> Orgs:
    return Orgs(app.state.service)


async def publish(event: IntegrationEvent) -> None:
    """Publish another context's event as that context would (admin user on the test vhost)."""
    conn = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await conn.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        await exchange.publish(
            aio_pika.Message(
                json.dumps(event.model_dump(mode="json")).encode(),
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


def round_body(number: int | None = None, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": number or (uuid4().int % 900 + 1),
        "year": 2026,
        "title": "公益创投大赛",
        "priority_domains": ["elder_care", "community_governance", "mutual_aid"],
        "total_budget_cny": "300000.00",
        "grant_cap_cny": "100000.00",
        "call_opens_on": "2026-02-20",
        "call_closes_on": "2026-03-31",
        "notice_workdays": 5,
        "tranche_percents": [50, 30, 20],
    }
    body.update(over)
    return body


def application_body(title: str = "老街坊互助", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": title,
        "street_code": STREET,
        "community": "钱粮胡同社区",
        "domain": "mutual_aid",
        "requested_cny": "80000.00",
        "plan": "组织邻里互助小组，为独居老人提供探访与代办服务。",
        "milestones": [{"title": "组建志愿者队伍", "due_on": "2026-06-30"}],
    }
    body.update(over)
    return body


RUBRIC_FULL = {"need": "90", "design": "85", "capacity": "80", "sustainability": "75"}


def scores(value: int) -> dict[str, Any]:
    return {"criteria": {k: str(value) for k in RUBRIC_FULL}}


class Flow:
    """Drives a round through HTTP, as the district, orgs and reviewers would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.c = client

    async def ok(self, method: str, url: str, headers: dict[str, str], json_body: Any = None, status: int = 200) -> Any:
        r = await self.c.request(method, url, headers=headers, json=json_body)
        assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
        return r.json()

    async def open_round(self, **over: Any) -> str:
        return (await self.ok("POST", "/rounds", ADMIN, round_body(**over), 201))["id"]

    async def apply(self, round_id: str, org_id: UUID, title: str = "老街坊互助", **over: Any) -> str:
        h = token(Role.ORG, sub=f"org-{org_id}", org_id=org_id)
        return (await self.ok("POST", f"/rounds/{round_id}/applications", h, application_body(title, **over), 201))[
            "id"
        ]

    async def close(self, round_id: str) -> None:
        await self.ok("POST", f"/rounds/{round_id}/call-closure", ADMIN)

    async def screen_in(self, app_id: str) -> None:
        await self.ok("POST", f"/applications/{app_id}/screening", ADMIN, {"passed": True, "reason": "材料齐全"})

    async def review(self, round_id: str, app_scores: dict[str, int], reviewer: str = "rev-1") -> None:
        await self.ok(
            "POST",
            f"/rounds/{round_id}/assignments",
            ADMIN,
            {"reviewer": reviewer, "application_ids": list(app_scores)},
            201,
        )
        h = token(Role.REVIEWER, sub=reviewer)
        await self.ok("POST", f"/rounds/{round_id}/declarations", h, {"statement": "本人与申报组织无利益关系"}, 201)
        for app_id, value in app_scores.items():
            await self.ok("PUT", f"/applications/{app_id}/scores/mine", h, scores(value))

    async def set_today(self, day: str) -> None:
        await self.ok("PUT", "/clock", ADMIN, {"today": day})

    async def through_notice(self, round_id: str) -> dict[str, Any]:
        notice = await self.ok("POST", f"/rounds/{round_id}/notice", ADMIN)
        await self.set_today("2026-04-30")
        return notice

    async def award(self, round_id: str) -> list[dict[str, Any]]:
        return (await self.ok("POST", f"/rounds/{round_id}/awards", ADMIN))["grants"]

    async def funded(self, round_id: str, app_scores: dict[str, int]) -> list[dict[str, Any]]:
        """Screen in, review, announce, wait out the notice and award (the call must be open)."""
        await self.close(round_id)
        for app_id in app_scores:
            await self.screen_in(app_id)
        await self.review(round_id, app_scores)
        await self.through_notice(round_id)
        return await self.award(round_id)


@pytest.fixture
def flow(client: httpx.AsyncClient) -> Flow:
    return Flow(client)


async def wait_event(tap: EventTap, routing_key: str, timeout: float = 60, **match: Any) -> list[dict[str, Any]]:
    """The events on `tap` with this key whose fields equal `match` (at least one): other sessions
    may publish to the same vhost, so tests look only at their own ids."""

    async def found() -> list[dict[str, Any]]:
        return [b for b in tap.bodies(routing_key) if all(b.get(k) == v for k, v in match.items())]

    return await eventually(found, timeout=timeout)
