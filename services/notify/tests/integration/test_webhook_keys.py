"""Each organisation signs with its own secret: issued on its request and shown once, out of reach
of other organisations, rotated with a grace period during which both keys sign, and never found
in a log line or an event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from receivers import WebhookReceiver, webhook_secret
from samples import eventually, org_registered

from shared.messaging.publish import publish_event
from testkit import EventTap, token


async def test_an_org_gets_its_secret_once_and_can_neither_rotate_nor_see_another_orgs(client):
    a, b = uuid.uuid4(), uuid.uuid4()
    as_a = token("org", org_id=a)
    issued = await client.post(f"/orgs/{a}/webhook-secret", headers=as_a)
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    secret = issued.json()["secret"]
    assert secret.startswith("whsec_") and issued.json()["previous_key_id"] is None

    for method, path in (("POST", f"/orgs/{b}/webhook-secret"), ("GET", f"/orgs/{b}/webhook-keys")):
        refused = await client.request(method, path, headers=as_a)
        assert refused.status_code == 403, refused.text
        assert "本组织" in refused.json()["detail"]
    street = await client.post(f"/orgs/{a}/webhook-secret", headers=token("street_officer", street="110101006"))
    assert street.status_code == 403
    assert (await client.post(f"/orgs/{b}/webhook-secret", headers=token("district_admin"))).status_code == 201

    listed = await client.get(f"/orgs/{a}/webhook-keys", headers=as_a)
    assert [k["key_id"] for k in listed.json()] == [issued.json()["key_id"]]
    assert secret not in listed.text and "secret" not in listed.json()[0]
    async with client.app.state.service.connection() as conn:
        sealed = await conn.fetch("SELECT sealed FROM webhook_keys")
    assert len(sealed) == 2 and all(secret.encode() not in bytes(r["sealed"]) for r in sealed)


async def test_a_rotation_signs_with_both_keys_for_the_grace_period_then_with_the_new_one_only(
    running, publisher, logged
):
    org_id, other = uuid.uuid4(), uuid.uuid4()
    shift = timedelta(0)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    with (
        WebhookReceiver({}, now=lambda: clock().timestamp()) as hook,
        WebhookReceiver({}, now=lambda: clock().timestamp()) as others_hook,
    ):
        async with running(webhook_key_grace_hours=72) as client, EventTap("#") as tap:
            client.app.state.service.clock = clock
            old = await webhook_secret(client, org_id)
            others_hook.secrets = await webhook_secret(client, other)
            hook.secrets = dict(old)  # the receiver knows only the first secret

            async def deliver(version: int, url: str) -> None:
                await publish_event(publisher, org_registered(org_id, email=None, webhook=url, version=version))
                await eventually(lambda: _attempted(hook, others_hook, version))

            await deliver(1, hook.url("/1"))
            assert hook.accepted[-1]["key_id"] == next(iter(old))

            rotated = await client.post(f"/orgs/{org_id}/webhook-secret", headers=token("org", org_id=org_id))
            new = {rotated.json()["key_id"]: rotated.json()["secret"]}
            assert rotated.json()["previous_key_id"] == next(iter(old))
            await deliver(2, hook.url("/2"))  # within the grace period: both keys sign
            signature = hook.attempts[-1]["signature"]
            assert [part.split(":")[0] for part in signature.split(",")[1:]] == [f"v1={k}" for k in (*new, *old)]
            assert hook.accepted[-1]["path"] == "/2" and hook.accepted[-1]["key_id"] == next(iter(old))

            shift = timedelta(hours=73)  # the grace period is over: only the new key signs
            await deliver(3, hook.url("/3"))
            assert hook.attempts[-1]["key_id"] is None and next(iter(old)) not in hook.attempts[-1]["signature"]
            hook.secrets = new
            # org A's payloads do not verify with org B's secret
            await deliver(4, others_hook.url("/4"))
            assert others_hook.rejected_signatures == 1 and others_hook.accepted == []

            published = json.dumps(tap.bodies(), ensure_ascii=False)
    for secret in (*old.values(), *new.values(), *others_hook.secrets.values()):
        assert secret not in published
        assert not [line for line in logged if secret in line]
    assert any("webhook_secret_issued" in line for line in logged)


async def _attempted(hook: WebhookReceiver, others: WebhookReceiver, version: int) -> bool:
    return any(a["path"] == f"/{version}" for a in (*hook.attempts, *others.attempts))
