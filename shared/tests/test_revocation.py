"""A disabled account's token is refused at once by every service, whatever time it has left:
each service learns from the console's events (on a queue of its own) which accounts are
disabled; duplicates and late, older snapshots change nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Depends

from shared.auth import Principal, current_principal, optional_principal
from shared.contracts.console import AccountDisabled, AccountEnabled, AccountSnapshot, RoleGrant
from shared.messaging.publish import publish_event
from shared.service import Service, ServiceSettings
from testkit import eventually, token

from .conftest import EMPTY_MIGRATIONS


def snapshot(account_id: uuid.UUID, login: str, *, version: int, status: str) -> AccountSnapshot:
    return AccountSnapshot(
        account_id=account_id,
        version=version,
        login=login,
        display_name="李强",
        roles=[RoleGrant(role="district_admin")],
        status=status,
    )


@pytest.fixture
async def kit(kit_dsn: str, amqp_url: str) -> AsyncIterator[httpx.AsyncClient]:
    router = APIRouter()

    @router.get("/mine")
    async def mine(who: Principal = Depends(current_principal)) -> dict[str, str]:
        return {"sub": who.sub}

    @router.get("/public/maybe")
    async def maybe(who: Principal | None = Depends(optional_principal)) -> dict[str, str | None]:
        return {"sub": who.sub if who else None}

    settings = ServiceSettings(database_url=kit_dsn, amqp_url=amqp_url, retry_delay=0.05)
    service = Service("kit", settings, migrations=EMPTY_MIGRATIONS)
    service.disabled_accounts._every = 0.05  # read the table at every request but one in twenty
    app = service.http_app(title="kit", description="kit", routers=[router])
    await service.start()
    await service.wait_ready()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
            yield client
    finally:
        await service.stop()


async def _status(client: httpx.AsyncClient, headers: dict[str, str], path: str = "/mine") -> int:
    return (await client.get(path, headers=headers)).status_code


async def test_a_disabled_accounts_live_token_is_refused_at_once_and_works_again_when_re_enabled(kit, publisher):
    account_id, login = uuid.uuid4(), f"li{uuid.uuid4().hex[:6]}"
    by_id = token("district_admin", sub=str(account_id), ttl_seconds=600)
    by_login = token("district_admin", sub=login, ttl_seconds=600)
    bystander = token("district_admin", sub=str(uuid.uuid4()))
    assert await _status(kit, by_id) == 200

    disabled = AccountDisabled(
        account=snapshot(account_id, login, version=2, status="disabled"), reason="离职", actor="a"
    )
    await publish_event(publisher, disabled)
    await publish_event(publisher, disabled)  # a redelivery
    await eventually(lambda: _refused(kit, by_id))
    answer = await kit.get("/mine", headers=by_login)
    assert answer.status_code == 401 and "账号已停用" in answer.json()["detail"]
    assert await _status(kit, by_id, "/public/maybe") == 401  # a public route does not take it either
    assert await _status(kit, bystander) == 200
    assert await _status(kit, {}, "/public/maybe") == 200

    enabled = AccountEnabled(account=snapshot(account_id, login, version=3, status="active"), actor="a")
    await publish_event(publisher, enabled)
    await eventually(lambda: _accepted(kit, by_id))
    # The disabling snapshot again, and an older one arriving late: version 3 stands.
    await publish_event(publisher, disabled)
    older = AccountDisabled(account=snapshot(account_id, login, version=1, status="disabled"), reason="旧", actor="a")
    await publish_event(publisher, older)
    marker_id = uuid.uuid4()
    marker = AccountDisabled(account=snapshot(marker_id, "marker", version=1, status="disabled"), reason="x", actor="a")
    await publish_event(publisher, marker)  # consumed after the two above (one queue, in order)
    await eventually(lambda: _refused(kit, token("district_admin", sub=str(marker_id))))
    assert await _status(kit, by_id) == 200 and await _status(kit, by_login) == 200


async def _refused(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    return await _status(client, headers) == 401


async def _accepted(client: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    return await _status(client, headers) == 200


def test_every_service_consumes_the_account_events_on_queues_of_its_own() -> None:
    service = Service("kit", ServiceSettings(), migrations=EMPTY_MIGRATIONS)
    assert {
        "kit.kit.console.account_disabled.v1",
        "kit.kit.console.account_enabled.v1",
    } <= set(service.consumers.queue_names)


def test_a_kit_queue_must_belong_to_its_service() -> None:
    from shared.messaging.topology import consumer_queue

    with pytest.raises(ValueError, match="registry"):
        consumer_queue("registry", "console.account_disabled.v1", name="venture.kit.console.account_disabled.v1")
