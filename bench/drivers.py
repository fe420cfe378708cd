"""Load drivers shared by the benchmark and the system tests: a district system publishing
demands (aio-pika, confirms, retried until confirmed) and an operator issuing registry
commands over HTTP (retried after an unknown outcome only once the effect is known absent)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import httpx

from testkit import token

DISTRICT_USER = "district-demo"
DISTRICT_SOURCE = "district-demo"
ADMIN = token("district_admin", sub="system-test")
STREET = "110101006"  # 东四街道


def district_url(vhost: str) -> str:
    return f"amqp://{DISTRICT_USER}:{DISTRICT_USER}-dev-password@127.0.0.1:5672/{vhost}"


def admin_url(vhost: str) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def demand(ref: str, *, source_system: str = DISTRICT_SOURCE, **over: Any) -> dict[str, Any]:
    """A valid `district.demand_published.v1` body (docs/architecture.md §2) from a district department."""
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime.now(UTC).isoformat(),
        "source_system": source_system,
        "demand_ref": ref,
        "purchaser": {"code": "11010100MZJ", "name": "东城区民政局", "kind": "district_department"},
        "street_code": STREET,
        "title": "东四街道居家养老助餐服务",
        "description": "为辖区高龄独居老人提供助餐、探访服务",
        "domain": "elder_care",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": "2027-06-30",
    }
    body.update(over)
    return body


class Publisher:
    """Publishes to exchange `events` with confirms; a publish is retried (same message_id)
    until the broker confirms it, across connection losses and broker restarts."""

    def __init__(self, url: str, *, give_up_after: float = 180.0) -> None:
        self.url, self.give_up_after = url, give_up_after
        self.user = urlsplit(url).username
        self.retries = 0

    async def __aenter__(self) -> Publisher:
        self._conn = await aio_pika.connect_robust(self.url, reconnect_interval=0.5)
        self._channel: aio_pika.abc.AbstractChannel = await self._conn.channel(publisher_confirms=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._conn.close()

    async def publish(
        self,
        body: bytes,
        routing_key: str,
        *,
        message_id: str | None = None,
        content_type: str = "application/json",
        headers: dict[str, Any] | None = None,
    ) -> None:
        """Publish with user_id = the login (a district system must set it; the broker checks it)."""
        deadline = time.monotonic() + self.give_up_after
        message_id = message_id or str(uuid.uuid4())
        while True:
            try:
                if self._channel.is_closed:
                    self._channel = await self._conn.channel(publisher_confirms=True)
                exchange = await self._channel.get_exchange("events", ensure=False)
                await exchange.publish(
                    aio_pika.Message(
                        body,
                        message_id=message_id,
                        type=routing_key,
                        content_type=content_type,
                        user_id=self.user,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        headers=headers or {},
                    ),
                    routing_key=routing_key,
                    timeout=10,
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                # Unconfirmed: the broker may or may not have it. Publishing again with the same
                # message_id is safe, consumers are idempotent on event_id.
                self.retries += 1
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def publish_demand(self, body: dict[str, Any]) -> None:
        await self.publish(
            json.dumps(body, ensure_ascii=False).encode(), "district.demand_published.v1", message_id=body["event_id"]
        )


_serial = itertools.count(1)


def new_code(run: int, i: int | None = None) -> str:
    """A valid credit code unique within a run (民非, Dongcheng)."""
    from registry.domain.uscc import make_code  # the registry's own generator: valid checksums

    n = next(_serial) if i is None else i
    return make_code("52", "110101", f"{run % 100:02d}{n:06d}")


@dataclass
class Outcome:
    accepted: bool
    status: int
    body: Any = None
    attempts: int = 1


@dataclass
class Commands:
    """Registry commands over HTTP, the way a careful operator's client issues them.

    After an unknown outcome (connection lost, 5xx) the client first asks whether the effect
    happened (`verify`) and only sends again when it did not, so a retry never doubles it.
    """

    client: httpx.AsyncClient
    give_up_after: float = 180.0
    unknown_outcomes: int = 0
    log: list[str] = field(default_factory=list)

    async def run(
        self,
        method: str,
        url: str,
        body: Any,
        verify: Callable[[], Awaitable[Any]] | None = None,
    ) -> Outcome:
        deadline = time.monotonic() + self.give_up_after
        attempts = 0
        while True:
            attempts += 1
            try:
                r = await self.client.request(method, url, json=body, headers=ADMIN, timeout=30)
                if r.status_code < 500:
                    ok = r.status_code < 300
                    if not ok and attempts > 1 and verify is not None and (found := await self._verify(verify)):
                        return Outcome(True, 200, found, attempts)
                    return Outcome(ok, r.status_code, r.json() if r.content else None, attempts)
            except httpx.HTTPError:
                pass
            self.unknown_outcomes += 1
            if time.monotonic() > deadline:
                return Outcome(False, 0, None, attempts)
            await asyncio.sleep(0.5)
            if verify is not None and (found := await self._verify(verify)):
                return Outcome(True, 200, found, attempts)

    async def _verify(self, verify: Callable[[], Awaitable[Any]]) -> Any:
        while True:  # the service may still be down: ask until it answers
            try:
                return await verify()
            except httpx.HTTPError:
                await asyncio.sleep(0.5)

    async def _find(self, params: dict[str, Any]) -> Any:
        r = await self.client.get("/orgs", params=params, headers=ADMIN, timeout=30)
        if r.status_code >= 500:
            raise httpx.HTTPError(f"search answered {r.status_code}")
        items = r.json()["items"] if r.status_code == 200 else []
        return items[0] if items else None

    async def register(self, name: str, code: str, **over: Any) -> Outcome:
        body = {
            "name": name,
            "org_type": "private_non_enterprise",
            "credit_code": code,
            "registered_on": "2015-06-01",
            "street_code": STREET,
            "domains": ["elder_care"],
            "contact": {"name": "王敏", "email": "contact@example.org"},
            **over,
        }
        return await self.run("POST", "/orgs", body, lambda: self._find({"q": code}))

    async def file(self, name: str, **over: Any) -> Outcome:
        body = {
            "name": name,
            "street_code": STREET,
            "community": "钱粮胡同社区",
            "filed_on": "2019-03-15",
            "domains": ["mutual_aid"],
            **over,
        }
        return await self.run("POST", "/filings", body, lambda: self._find({"q": name}))

    async def update_profile(self, org_id: str, **changes: Any) -> Outcome:
        # Setting a value is idempotent: resending after an unknown outcome changes nothing more
        # than the first send would have (a newer version with the same content at worst).
        return await self.run("PATCH", f"/orgs/{org_id}", changes)

    async def graduate(self, org_id: str, code: str) -> Outcome:
        body = {"org_type": "private_non_enterprise", "credit_code": code, "registered_on": "2026-01-15"}
        return await self.run("POST", f"/orgs/{org_id}/graduation", body, lambda: self._find({"q": code}))
