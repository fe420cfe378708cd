"""Procurement tests run against the real PostgreSQL (database procurement_test) and RabbitMQ (vhost sogc_test)."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import asyncpg
import httpx
import jsonschema
import pytest
import requests
import urllib3
from asgi_lifespan import LifespanManager
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from requests.adapters import HTTPAdapter

from procurement.app import create_app
from procurement.config import Settings
from shared import logging as kit_logging
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import OrgRegistered, OrgSnapshot
from testkit import (
    ADMIN_AMQP_URL,
    eventually,
    fresh_database,
    publish_message,
    purge_queues,
    service_amqp_url,
    service_migrations,
)

kit_logging.configure("procurement-test", level="WARNING", cache=False)


async def _with_retry(make: Any, attempts: int = 20) -> Any:
    """The PostgreSQL server is shared with other suites running at the same time; when its
    connection slots are momentarily full, wait rather than fail the test's setup."""
    for attempt in range(attempts):
        try:
            return await make()
        except asyncpg.TooManyConnectionsError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5)
    return None


POLICY_URL = "https://procurement.test/publication-policy"


@pytest.fixture
async def settings() -> Settings:
    await purge_queues("procurement.")
    dsn = await _with_retry(
        lambda: fresh_database("procurement_test", "procurement", migrations=service_migrations("procurement"))
    )
    return Settings(
        database_url=dsn,
        amqp_url=service_amqp_url("procurement"),
        retry_delay=0.05,
        outbox_poll_interval=0.2,
        db_pool_size=4,  # the test server is shared with other services' suites: be frugal with connections
        demo_mode=True,  # steps are dated with the demo clock, moved by the district admin
        ocds_publication_policy_url=POLICY_URL,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The procurement app running in-process with its real lifespan (pool, broker, relay)."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await app.state.service.wait_ready(timeout=90)  # a shared, busy PostgreSQL may be full for a while
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://procurement.test") as c:
            yield c


@pytest.fixture
async def db(settings: Settings, client: httpx.AsyncClient) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the service database, for asserting on read models and kept messages."""
    conn = await _with_retry(lambda: asyncpg.connect(settings.database_url))
    try:
        yield conn
    finally:
        await conn.close()


async def publish_raw(
    body: bytes, routing_key: str, *, message_id: str | None = None, url: str = ADMIN_AMQP_URL, **properties: Any
) -> str:
    """Publish bytes to exchange `events` as an external system would (a district system sets
    user_id to its login); returns the message id."""
    message_id = message_id or str(uuid4())
    login = urlsplit(url).username
    sender = {"user_id": login} if login and login != "guest" else {}
    props = {"message_id": message_id, "content_type": "application/json", **sender, **properties}
    await publish_message(url, routing_key, body, **props)
    return message_id


async def publish_event(event: IntegrationEvent) -> None:
    await publish_raw(event.model_dump_json().encode(), event.routing_key, message_id=str(event.event_id))


def org_snapshot(org_id: UUID | None = None, *, version: int = 1, **overrides: Any) -> OrgSnapshot:
    data: dict[str, Any] = {
        "org_id": org_id or uuid4(),
        "version": version,
        "name": "东城区阳光为老服务中心",
        "org_type": "private_non_enterprise",
        "status": "registered",
        "credit_code": "52110101MJ0123456W",
        "street_code": "110101006",
        "registered_on": date(2020, 5, 1),
    }
    data.update(overrides)
    return OrgSnapshot.model_validate(data)


async def registered_org(db: asyncpg.Connection, **overrides: Any) -> OrgSnapshot:
    """An org registered through a real registry event, once procurement's read model has it."""
    snapshot = org_snapshot(**overrides)
    await publish_event(OrgRegistered(org=snapshot))

    async def present() -> bool:
        return bool(await db.fetchval("SELECT version FROM orgs WHERE org_id = $1", snapshot.org_id))

    await eventually(present, timeout=30)
    return snapshot


STREET = "110101006"
STAGES = [
    "sorting",
    "solicitation",
    "screening",
    "review",
    "announcement",
    "optimisation",
    "signing",
    "monitoring",
    "evaluated",
]


async def on_day(client: httpx.AsyncClient, day: str) -> None:
    """Move the demo clock to `day`, as only a district admin may; every caller's request then happens on it."""
    from testkit import token

    r = await client.put("/clock", json={"today": day}, headers=token("district_admin", sub="clock"))
    assert r.status_code == 200, r.text


async def drive(client: httpx.AsyncClient, db: asyncpg.Connection, *, until: str) -> dict[str, Any]:
    """A street-office project (东四街道) entered over HTTP and driven by the street officer up to `until`.

    Two registered orgs propose; reviewers rev-1 and rev-2 (rev-2 conflicted with org B) score;
    org A is selected; mon-1 monitors. Returns the ids and tokens a test needs.
    """
    from testkit import token

    officer = token("street_officer", sub="bob", street=STREET)
    a = await registered_org(db, name="甲社工事务所")
    b = await registered_org(db, name="乙公益服务中心")
    out: dict[str, Any] = {
        "officer": officer,
        "org_a": token("org", sub="a", org_id=a.org_id),
        "org_b": token("org", sub="b", org_id=b.org_id),
        "a": a,
        "b": b,
    }

    async def call(path: str, body: Any = None, headers: Any = officer, when: str = "2026-03-02") -> Any:
        await on_day(client, when)
        r = await client.post(path, json=body or {}, headers=headers)
        assert r.status_code in (200, 201), (path, r.status_code, r.text)
        return r.json()

    demand = await call(
        "/demands",
        {
            "purchaser": {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"},
            "street_code": STREET,
            "title": f"东四街道助老服务{uuid4().hex[:6]}",
            "domain": "elder_care",
            "budget_cny": "100000.00",
            "expected_beneficiaries": 500,
        },
    )
    project = await call("/projects", {"demand_ids": [demand["demand_id"]]})
    pid = out["project_id"] = project["id"]
    base = out["base"] = f"/projects/{pid}"
    if until == "sorting":
        return out
    await call(f"{base}/solicitation", {"closes_on": "2026-03-20"})
    if until == "solicitation":
        return out
    pa = await call(f"{base}/proposals", {"title": "甲方案", "plan": "p", "budget_cny": "90000.00"}, out["org_a"])
    pb = await call(f"{base}/proposals", {"title": "乙方案", "plan": "p", "budget_cny": "80000.00"}, out["org_b"])
    out["proposal_a"], out["proposal_b"] = pa["id"], pb["id"]
    await call(f"{base}/solicitation/close", when="2026-03-21")
    if until == "screening":
        return out
    await call(f"{base}/proposals/{pa['id']}/screening", {"valid": True}, when="2026-03-23")
    await call(f"{base}/proposals/{pb['id']}/screening", {"valid": True}, when="2026-03-23")
    await call(f"{base}/review", when="2026-03-23")
    rev1, rev2 = token("reviewer", sub="rev-1"), token("reviewer", sub="rev-2")
    out["rev1"], out["rev2"] = rev1, rev2
    await call(f"{base}/reviewers", {"reviewer": "rev-1"})
    await call(f"{base}/reviewers", {"reviewer": "rev-2"})
    await call(f"{base}/conflicts", {"org_ids": []}, rev1)
    await call(f"{base}/conflicts", {"org_ids": [str(b.org_id)], "note": "曾任乙理事"}, rev2)
    hi = {"need_fit": "90", "plan_quality": "90", "capacity": "90", "budget_value": "90"}
    lo = {"need_fit": "70", "plan_quality": "70", "capacity": "70", "budget_value": "70"}
    await call(f"{base}/proposals/{pa['id']}/scores", {"criteria": hi}, rev1)
    await call(f"{base}/proposals/{pb['id']}/scores", {"criteria": lo}, rev1)
    await call(f"{base}/proposals/{pa['id']}/scores", {"criteria": hi, "comment": "好"}, rev2)
    if until == "review":
        return out
    await call(f"{base}/approval", when="2026-03-24")  # 5 working days: ends 2026-03-31
    if until == "announcement":
        return out
    await call(f"{base}/announcement/close", when="2026-04-01")
    if until == "optimisation":
        return out
    await call(f"{base}/optimisation", {"changes": "按评审意见调整", "amount_cny": "88000.00"}, when="2026-04-02")
    if until == "signing":
        return out
    await call(f"{base}/contract", {"starts_on": "2026-05-01", "ends_on": "2027-04-30"}, when="2026-04-10")
    await call(f"{base}/monitors", {"monitor": "mon-1"})
    out["mon1"] = token("monitor", sub="mon-1")
    if until == "monitoring":
        return out
    await call(f"{base}/reports", {"milestone": "中期", "summary": "s"}, out["mon1"], "2026-10-01")
    await call(
        f"{base}/evaluation",
        {"grade": "good", "beneficiary_person_times": 1000, "summary": "s"},
        out["mon1"],
        "2027-05-10",
    )
    return out


OCDS = Path(__file__).parent / "data" / "ocds"


def ocds_validator(schema_file: str) -> jsonschema.Draft4Validator:
    """A validator for an OCDS 1.1 package schema, resolving its $refs locally (no network)."""
    resources = []
    for path in OCDS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    # The record-package schema refers to the versioned-release schema, which we never emit;
    # it is bound to a schema that rejects anything, so emitting a versionedRelease would fail.
    versioned = "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
    resources.append((versioned, Resource.from_contents({"not": {}}, default_specification=DRAFT4)))
    schema = json.loads((OCDS / schema_file).read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(
        schema, registry=Registry().with_resources(resources), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


STANDARD_URL = "https://standard.open-contracting.org/schema/1__1__5/"
BID_EXTENSION_ZIP = "https://github.com/open-contracting-extensions/ocds_bid_extension/archive/v1.1.5.zip"


def _zip(folder: Path, root: str, *, under: str = "", skip: tuple[str, ...] = ()) -> bytes:
    """A folder's files as a ZIP whose first entry is its root directory (how GitHub archives are laid out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{root}/", b"")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder)
            if relative.parts[0] not in skip:
                z.write(path, f"{root}/{under}{relative.as_posix()}")
    return out.getvalue()


@pytest.fixture
def cove(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The official validator (libcoveocds, OCDS 1.1.5) run offline: it gets the standard as a local
    ZIP and the bid extension and schema URLs from tests/data/ocds; any other URL fails the test."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    served = {BID_EXTENSION_ZIP: _zip(OCDS / "ocds_bid_extension", "ocds_bid_extension-1.1.5")}
    served.update({STANDARD_URL + p.name: p.read_bytes() for p in OCDS.glob("*-schema.json")})

    def send(adapter: HTTPAdapter, request: requests.PreparedRequest, **_: Any) -> requests.Response:
        url = str(request.url)
        if url not in served:
            raise requests.ConnectionError(f"the OCDS validation must not use the network: {url}")
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(served[url]), status=200, preload_content=False, request_method="GET", request_url=url
        )
        return adapter.build_response(request, raw)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    standard = _zip(OCDS, "standard-1__1__5", under="schema/", skip=("ocds_bid_extension",))

    def validate(package: dict[str, Any]) -> dict[str, Any]:
        config = LibCoveOCDSConfig({"standard_zip": standard, "context": "api"})
        context: dict[str, Any] = ocds_json_output(str(tmp_path), json_data=package, lib_cove_ocds_config=config)
        return context

    return validate


async def wait_mine(tap: Any, routing_key: str, timeout: float = 30.0, **match: Any) -> list[dict[str, Any]]:
    """Bodies on the tap with `routing_key` whose fields equal `match` (others' events are ignored)."""

    async def found() -> list[dict[str, Any]]:
        return [b for b in tap.bodies(routing_key) if all(b.get(k) == v for k, v in match.items())]

    return await eventually(found, timeout=timeout)


class Kit:
    """Test helpers handed to tests as a fixture (conftest modules cannot be imported under importlib mode)."""

    publish_raw = staticmethod(publish_raw)
    publish_event = staticmethod(publish_event)
    org_snapshot = staticmethod(org_snapshot)
    registered_org = staticmethod(registered_org)
    drive = staticmethod(drive)
    on_day = staticmethod(on_day)
    ocds_validator = staticmethod(ocds_validator)
    policy_url = POLICY_URL
    wait_mine = staticmethod(wait_mine)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
