"""How the demo talks to the running system: HTTP as staff, orgs, reviewers and monitors (JWTs
minted with the issuer's key ring: `SOGC_ISSUER_KEYS`, else the development ring), and AMQP as a
district system (aio-pika only)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aio_pika
import httpx

from ops.tokens import operator_issuer, operator_ring
from shared.auth import mint
from shared.clock import DISTRICT_ZONE

ANSWER_KEYS = ("procurement.demand_accepted.v1", "procurement.demand_rejected.v1")


@dataclass(frozen=True)
class Endpoints:
    registry: str = "http://127.0.0.1:8001"
    venture: str = "http://127.0.0.1:8002"
    procurement: str = "http://127.0.0.1:8003"
    notify: str = "http://127.0.0.1:8004"
    amqp: str = "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/"
    amqp_user: str = "district-demo"

    def url(self, service: str) -> str:
        return str(getattr(self, service)).rstrip("/")


class DemoError(RuntimeError):
    """A step of the story was refused: the message names the call and the service's answer."""


class Api:
    """One HTTP client for all four services, at most `concurrency` requests in flight to each."""

    def __init__(self, endpoints: Endpoints, *, concurrency: int = 12, tick: Callable[[int], None] | None = None):
        self.endpoints = endpoints
        self.ring, self.issuer = operator_ring(), operator_issuer()
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(60.0))
        # One budget per service: venture's year-by-year steps must not queue behind hundreds of
        # procurement requests running beside them.
        self.sems = {s: asyncio.Semaphore(concurrency) for s in ("registry", "venture", "procurement", "notify")}
        self.tick = tick or (lambda n: None)
        self.calls = 0
        self.server_errors = 0
        self._tokens: dict[tuple[str, str, str | None, str | None], str] = {}

    async def close(self) -> None:
        await self.client.aclose()

    def token(self, role: str, sub: str = "demo", *, street: str | None = None, org_id: object = None) -> str:
        key = (role, sub, street, None if org_id is None else str(org_id))
        if key not in self._tokens:
            self._tokens[key] = mint(
                self.ring, issuer=self.issuer, sub=sub, role=role, street=street, org_id=key[3], ttl_seconds=4 * 3600
            )
        return self._tokens[key]

    def admin(self) -> str:
        return self.token("district_admin", "demo-admin")

    def org(self, org_id: object) -> str:
        return self.token("org", f"org-{org_id}", org_id=org_id)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        files: Any = None,
        params: dict[str, Any] | None = None,
        retry: Iterable[str] = (),
        attempts: int = 60,
    ) -> Any:
        """One request; answers in `retry` (e.g. "org_not_eligible", a read model still catching up)
        are retried with a pause, anything else not 2xx stops the demo with the answer."""
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        retry = tuple(retry)
        url = f"{self.endpoints.url(service)}{path}"
        for attempt in range(attempts):
            try:
                async with self.sems[service]:
                    response = await self.client.request(
                        method, url, headers=headers, json=body, files=files, params=params
                    )
            except httpx.TransportError as exc:
                if attempt >= 5:
                    raise DemoError(f"{method} {service}{path}: {exc!r}") from exc
                await asyncio.sleep(1 + attempt)
                continue
            self.calls += 1
            if response.is_success:
                self.tick(1)
                return response.json() if response.content else None
            text = response.text
            if response.status_code >= 500 and attempt < 5:
                # A busy machine (e.g. PostgreSQL out of connection slots) fails a request before
                # it does anything; try again after a pause.
                self.server_errors += 1
                await asyncio.sleep(1 + attempt)
                continue
            if retry and any(r in text for r in retry) and attempt < attempts - 1:
                await asyncio.sleep(min(0.25 * (attempt + 1), 2.0))
                continue
            raise DemoError(f"{method} {service}{path} → {response.status_code}: {text[:800]}")
        raise AssertionError("unreachable")

    async def get(self, service: str, path: str, **kw: Any) -> Any:
        kw.setdefault("token", self.admin())
        return await self.call(service, "GET", path, **kw)

    async def metrics(self, service: str) -> str:
        response = await self.client.get(f"{self.endpoints.url(service)}/metrics")
        response.raise_for_status()
        return response.text


class District:
    """District systems publishing demands (`district.demand_published.v1`) and reading the answers."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.system = endpoints.amqp_user  # the login is the demands' source_system
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self._arrived = asyncio.Event()

    async def __aenter__(self) -> District:
        # A broker that takes the TCP connection and never answers the handshake fails the run
        # here, naming the broker, instead of holding it silently.
        try:
            self.connection = await aio_pika.connect_robust(self.endpoints.amqp, timeout=60)
        except TimeoutError as exc:
            raise RuntimeError(f"the broker at {self.endpoints.amqp.split('@')[-1]} did not answer in 60 s") from exc
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.exchange = await self.channel.get_exchange("events", ensure=False)
        # A private queue for this run's answers (the broker lets the user name queues `<user>.*`).
        name = f"{self.endpoints.amqp_user}.demo-{uuid.uuid4().hex[:8]}"
        self.queue = await self.channel.declare_queue(name, exclusive=True, auto_delete=True)
        for key in ANSWER_KEYS:  # its own copies: the only answer keys its login may bind
            await self.queue.bind(self.exchange, f"procurement.to.{self.system}.{key.split('.', 1)[1]}")
        await self.queue.consume(self._on_answer)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def _on_answer(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            if message.routing_key not in ANSWER_KEYS:
                return  # not procurement's: only it may publish these keys
            answer = json.loads(message.body)
            answer["routing_key"] = message.routing_key
            self.answers[(answer.get("source_system"), answer.get("demand_ref"))] = answer
            self._arrived.set()

    async def publish(self, demand: dict[str, Any]) -> None:
        body = json.dumps(demand, ensure_ascii=False).encode()
        await self.exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(demand["event_id"]),
                correlation_id=str(demand["event_id"]),
                user_id=self.system,
                type="district.demand_published.v1",
                timestamp=datetime.now(DISTRICT_ZONE),
            ),
            routing_key="district.demand_published.v1",
        )

    async def wait_for(self, keys: list[tuple[str, str]], timeout: float = 180.0) -> dict[tuple[str, str], Any]:
        async with asyncio.timeout(timeout):
            while any(k not in self.answers for k in keys):
                self._arrived.clear()
                await self._arrived.wait()
        return {k: self.answers[k] for k in keys}


def demand_message(
    *,
    source_system: str,
    demand_ref: str,
    purchaser: dict[str, str],
    street_code: str | None,
    title: str,
    description: str,
    domain: str,
    budget_cny: str,
    expected_beneficiaries: int,
    published_on: date,
    wanted_by: date,
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime(
            published_on.year, published_on.month, published_on.day, 9, 30, tzinfo=DISTRICT_ZONE
        ).isoformat(),
        "source_system": source_system,
        "demand_ref": demand_ref,
        "purchaser": purchaser,
        "street_code": street_code,
        "title": title,
        "description": description,
        "domain": domain,
        "budget_cny": budget_cny,
        "expected_beneficiaries": expected_beneficiaries,
        "wanted_by": wanted_by.isoformat(),
    }
