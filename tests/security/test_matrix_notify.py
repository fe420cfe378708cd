"""Notify: every route × caller (see matrix.py for the callers and how a row is checked).

Notices come from real events on the broker: an org's registration gives a notice to the org and
one to its street platform. Marking someone else's notice read is a 404, exactly like a missing
notice (the design: notice ids leak nothing), so every caller but the addressee gets 404.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from shared.contracts.registry import OrgRegistered, OrgSnapshot
from testkit import eventually
from tests.security.matrix import (
    ADMIN,
    OPERATIONS,
    STREET,
    Call,
    Env,
    Row,
    assert_complete,
    caller_headers,
    check_nul_in_body,
    check_row,
    ok,
    public_rows,
    publish,
    write_routes,
)


async def _registered(webhook: str | None = None) -> tuple[UUID, OrgRegistered]:
    org_id = uuid4()
    snapshot = OrgSnapshot(
        org_id=org_id,
        version=1,
        name="东四阳光助老服务中心",
        org_type="private_non_enterprise",
        status="registered",
        credit_code="52110101MJ0123456W",
        street_code=STREET,
        registered_on=date(2020, 5, 1),
        contact={"name": "王主任", "webhook_url": webhook},  # type: ignore[arg-type]
    )
    event = OrgRegistered(org=snapshot)
    await publish(event)
    return org_id, event


async def _notice(env: Env, caller: str, org_id: UUID, event: OrgRegistered) -> dict[str, Any]:
    async def found() -> list[dict[str, Any]]:
        r = await env.client.get("/inbox", headers=caller_headers(caller, org_id))
        return [n for n in r.json() if n["source_event_id"] == str(event.event_id)]

    return (await eventually(found, timeout=45))[0]


async def org_notice(env: Env) -> Call:
    org_id, event = await _registered()
    notice = await _notice(env, "org", org_id, event)
    return Call("POST", f"/inbox/{notice['id']}/read", org=org_id)


async def street_notice(env: Env) -> Call:
    org_id, event = await _registered()
    notice = await _notice(env, "street", org_id, event)
    return Call("POST", f"/inbox/{notice['id']}/read", org=org_id)


async def inbox(env: Env) -> Call:
    org_id, event = await _registered()
    notice = await _notice(env, "org", org_id, event)
    return Call("GET", "/inbox", org=org_id, secret=notice["id"])


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def failed_delivery(env: Env) -> Call:
    """A webhook to a closed port (on loopback, which this env allow-lists) fails every attempt and is parked."""
    org_id, event = await _registered(webhook=f"http://127.0.0.1:{_closed_port()}/hook")

    async def parked() -> list[dict[str, Any]]:
        params = {"status": "failed", "source_event_id": str(event.event_id)}
        return list(await ok(env.client, "GET", "/deliveries", ADMIN, params=params))

    delivery = (await eventually(parked, timeout=45))[0]
    return Call("POST", f"/deliveries/{delivery['id']}/retry", org=org_id)


def org_route(method: str, suffix: str) -> Any:
    """A route about one organisation: `org` is that organisation, `org_x` another one."""

    async def prepare(env: Env) -> Call:
        org_id = uuid4()
        return Call(method, f"/orgs/{org_id}/{suffix}", org=org_id)

    return prepare


org_secret, org_keys = org_route("POST", "webhook-secret"), org_route("GET", "webhook-keys")


def get(path: str) -> Any:
    async def prepare(env: Env) -> Call:
        return Call("GET", path)

    return prepare


# --- the table ------------------------------------------------------------------------------------
#                                                    none admin street street_x reviewer monitor org org_x
MATRIX: dict[str, Row] = {
    **public_rows(OPERATIONS),
    **public_rows(["/public/announcements", "/public/announcements.atom"]),
    "GET /inbox":                              Row("401 200 200 200 200 200 200 200", inbox,
                                                   "each caller sees only its own notices",
                                                   hidden="admin street street_x reviewer monitor org_x", shown="org"),
    "POST /inbox/{notice_id}/read #org's":     Row("401 404 404 404 404 404 200 404", org_notice,
                                                   "404, not 403: someone else's notice looks missing"),
    "POST /inbox/{notice_id}/read #street's":  Row("401 404 200 404 404 404 404 404", street_notice,
                                                   "404, not 403: someone else's notice looks missing"),
    "GET /deliveries":                         Row("401 200 403 403 403 403 403 403", get("/deliveries")),
    "POST /deliveries/{delivery_id}/retry":    Row("401 202 403 403 403 403 403 403", failed_delivery),
    "GET /reminders":                          Row("401 200 403 403 403 403 403 403", get("/reminders")),
    "GET /statistics":                         Row("401 200 403 403 403 403 403 403", get("/statistics")),
    "POST /orgs/{org_id}/webhook-secret":      Row("401 201 403 403 403 403 201 403", org_secret,
                                                   "an org rotates only its own secret; district staff any"),
    "GET /orgs/{org_id}/webhook-keys":         Row("401 200 403 403 403 403 200 403", org_keys),
}  # fmt: skip


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[Env]:
    from tests.security.matrix import running_app

    overrides = {
        "worker_poll_interval": 0.1,
        "retry_base_seconds": 0.05,
        "retry_max_seconds": 0.2,
        "max_attempts": 2,
        "webhook_private_allowlist": "127.0.0.1/32",  # failed_delivery's receiver is on loopback
    }
    async with running_app("notify", **overrides) as running:
        yield running


async def test_every_notify_route_has_a_matrix_row(env: Env) -> None:
    assert_complete(env.app, MATRIX)


@pytest.mark.parametrize("key", list(MATRIX))
async def test_notify_route_answers_each_caller_as_the_matrix_says(env: Env, key: str) -> None:
    mismatches = await check_row(env, key, MATRIX[key])
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", write_routes(MATRIX))
async def test_notify_route_refuses_a_nul_in_any_body_string_without_a_server_error(env: Env, key: str) -> None:
    problems = await check_nul_in_body(env, key, MATRIX[key])
    assert not problems, "\n".join(problems)
