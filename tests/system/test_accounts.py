"""A disabled person's token, still minutes from its expiry, against each running service: the
console's `console.account_disabled.v1` reaches every service, and each refuses the token at once;
re-enabled, the same token works again."""

from __future__ import annotations

import time
import uuid

import httpx
from faststream.rabbit import RabbitBroker

from bench.drivers import admin_url
from ops.system import System
from shared.contracts.console import AccountDisabled, AccountEnabled, AccountSnapshot, RoleGrant
from shared.messaging.publish import publish_event
from testkit import eventually, token
from tests.system.conftest import VHOST

# One route per service that needs a token and answers a district admin.
GUARDED = {"registry": "/orgs", "venture": "/grants", "procurement": "/demands", "notify": "/inbox"}


async def test_a_disabled_accounts_token_is_refused_by_every_service_and_accepted_again_when_re_enabled(
    system: System, http: dict[str, httpx.AsyncClient]
) -> None:
    account_id = uuid.uuid4()
    login = f"staff{account_id.hex[:6]}"
    old_token = token("district_admin", sub=str(account_id), ttl_seconds=900)

    async def answers(expected: int) -> bool:
        codes = {s: (await http[s].get(path, headers=old_token)).status_code for s, path in GUARDED.items()}
        return set(codes.values()) == {expected}

    assert await answers(200)
    snapshot = AccountSnapshot(
        account_id=account_id,
        version=2,
        login=login,
        display_name="赵敏",
        roles=[RoleGrant(role="district_admin")],
        status="disabled",
    )
    broker = RabbitBroker(admin_url(VHOST), logger=None)
    await broker.start()
    try:
        await publish_event(broker, AccountDisabled(account=snapshot, reason="离职", actor="alice"))
        started = time.monotonic()
        await eventually(lambda: answers(401), timeout=30)
        print(f"\nrefused by all four services {time.monotonic() - started:.2f} s after the event was published")
        refused = await http["procurement"].get("/demands", headers=old_token)
        assert "账号已停用" in refused.json()["detail"]

        active = snapshot.model_copy(update={"version": 3, "status": "active"})
        await publish_event(broker, AccountEnabled(account=active, actor="alice"))
        await eventually(lambda: answers(200), timeout=30)
    finally:
        await broker.stop()
