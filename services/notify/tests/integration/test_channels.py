"""A real published event ends in the inbox, the SMTP server and the webhook receiver exactly
once, even when delivered twice; webhooks retry with backoff; the last failure is parked."""

from __future__ import annotations

import asyncio
import time
import uuid
from email.header import decode_header, make_header

import httpx
from receivers import MailCatcher, WebhookReceiver, webhook_secret
from samples import STREET, eventually, org_registered, sample_dict

from shared.contracts.venture import GrantAwarded
from shared.messaging.publish import publish_event
from testkit import EventTap, token


async def inbox(client: httpx.AsyncClient, **claims: object) -> list[dict]:
    role = claims.pop("role", "org")
    response = await client.get("/inbox", headers=token(role, **claims))  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()


async def deliveries(client: httpx.AsyncClient, source_id: uuid.UUID) -> list[dict]:
    response = await client.get(
        "/deliveries", params={"source_event_id": str(source_id)}, headers=token("district_admin")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_published_org_registered_reaches_inbox_mail_and_webhook_exactly_once_even_when_delivered_twice(
    running, publisher
):
    org_id = uuid.uuid4()
    with MailCatcher() as mail, WebhookReceiver({}) as hook:
        async with (
            running(smtp_port=mail.port) as client,
            EventTap("notify.notification_sent.v1") as tap,
        ):
            hook.secrets = await webhook_secret(client, org_id)
            event = org_registered(org_id, email=f"{org_id.hex[:8]}@example.org", webhook=hook.url(f"/{org_id}"))
            await publish_event(publisher, event)
            await publish_event(publisher, event)  # a redelivery: same event_id

            async def all_sent() -> bool:
                rows = await deliveries(client, event.event_id)
                return len(rows) == 2 and all(r["status"] == "sent" for r in rows)

            await eventually(all_sent)
            # A marker through the same consumer and channels, published after the redelivery: once
            # its deliveries are sent, a duplicate of the first event's would have been too.
            marker_org = uuid.uuid4()
            marker = org_registered(marker_org, email=f"{marker_org.hex[:8]}@example.org", webhook=None)
            await publish_event(publisher, marker)

            async def marker_sent() -> bool:
                rows = await deliveries(client, marker.event_id)
                return len(rows) == 1 and rows[0]["status"] == "sent"

            await eventually(marker_sent)
            assert len(await deliveries(client, event.event_id)) == 2

            # other tests share the vhost (e.g. a solicitation for the org's domain): look at this event only
            own = [n for n in await inbox(client, org_id=org_id) if n["source_event_id"] == str(event.event_id)]
            assert [n["event_type"] for n in own] == ["registry.org_registered.v1"]
            assert "登记" in own[0]["subject"]
            street = [
                n
                for n in await inbox(client, role="street_officer", street=STREET)
                if n["source_event_id"] == str(event.event_id)
            ]
            assert len(street) == 1 and "辖区" in street[0]["subject"]

            # (a solicitation from a test elsewhere may also mail this elder-care org: count this event's mail)
            mails = [m for m in mail.to(f"{org_id.hex[:8]}@example.org") if "登记完成通知" in str(m["Subject"])]
            assert len(mails) == 1
            subject = str(make_header(decode_header(mails[0]["Subject"])))
            assert subject == "登记完成通知：东四阳光助老服务中心"
            assert "=?utf-8?" in mails[0].as_string().lower()  # the header travelled RFC 2047-encoded
            assert "东四阳光助老服务中心" in mails[0].get_content()
            assert mails[0].get_content_charset() == "utf-8"
            assert "王主任" not in mails[0]["From"]

            mine = [a for a in hook.accepted if a["path"] == f"/{org_id}"]
            assert len(mine) == 1 and hook.rejected_signatures == 0
            assert mine[0]["type"] == "registry.org_registered.v1"
            assert mine[0]["data"]["org"]["org_id"] == str(org_id)

            sent = await tap.wait_for("notify.notification_sent.v1", 2, timeout=45)
            channels = sorted(
                b["channel"]
                for b in sent
                if b["source_event_id"] == str(event.event_id) and b["recipient_key"] == str(org_id)
            )
            # Deliveries that left the system are announced; the inbox notice is not a delivery.
            assert channels == ["email", "webhook"]

            stats = (await client.get("/statistics", headers=token("district_admin"))).json()
            assert stats["sent"] >= 4 and stats["deliveries"]["email"]["sent"] >= 1
            denied = await client.get("/statistics", headers=token("org", org_id=org_id))
            assert denied.status_code == 403


async def test_webhook_is_retried_with_backoff_until_the_receiver_accepts(running, publisher):
    org_id = uuid.uuid4()
    with WebhookReceiver({}, fail_first=2) as hook:
        async with running() as client:
            hook.secrets = await webhook_secret(client, org_id)
            event = org_registered(org_id, email=None, webhook=hook.url())
            await publish_event(publisher, event)

            async def sent() -> list[dict]:
                rows = await deliveries(client, event.event_id)
                return [r for r in rows if r["status"] == "sent"]

            [row] = await eventually(sent)
            assert row["channel"] == "webhook" and row["attempts"] == 3
            assert len(hook.accepted) == 1 and len(hook.attempts) == 3
            # the timestamps are signed afresh for each attempt and all verified
            assert hook.rejected_signatures == 0


async def test_the_last_failed_attempt_parks_the_delivery_and_emits_delivery_failed(running, publisher):
    org_id = uuid.uuid4()
    with WebhookReceiver({}, always_fail=True) as hook:
        async with running() as client, EventTap("notify.delivery_failed.v1") as tap:
            hook.secrets = await webhook_secret(client, org_id)
            event = org_registered(org_id, email=None, webhook=hook.url())
            await publish_event(publisher, event)
            failed = await tap.wait_for("notify.delivery_failed.v1", timeout=45)
            mine = [f for f in failed if f["source_event_id"] == str(event.event_id)]
            assert mine and mine[0]["attempts"] == 4 and "503" in mine[0]["last_error"]
            assert mine[0]["error_class"] == "http_5xx"

            [row] = await deliveries(client, event.event_id)
            assert row["status"] == "failed" and row["attempts"] == 4 and "503" in row["last_error"]
            assert row["last_error_class"] == "http_5xx"
            assert len(hook.attempts) == 4

            # an operator retries the parked delivery once the receiver is fixed
            hook.always_fail = False
            response = await client.post(f"/deliveries/{row['id']}/retry", headers=token("district_admin"))
            assert response.status_code == 202, response.text

            async def sent() -> bool:
                return (await deliveries(client, event.event_id))[0]["status"] == "sent"

            await eventually(sent)
            again = await client.post(f"/deliveries/{row['id']}/retry", headers=token("district_admin"))
            assert again.status_code == 409


async def test_a_tampered_webhook_body_fails_the_receivers_signature_check():
    from notify.domain import SigningKey, signature_header

    secrets = {"whk_a": "whsec_a-secret"}
    with WebhookReceiver(secrets) as hook:
        body = b'{"type":"x","data":{"amount_cny":"100.00"}}'
        headers = {
            "X-SOGC-Signature": signature_header([SigningKey("whk_a", "whsec_a-secret")], int(time.time()), body)
        }
        async with httpx.AsyncClient() as http:
            tampered = await http.post(hook.url(), content=body.replace(b"100", b"900"), headers=headers)
            genuine = await http.post(hook.url(), content=body, headers=headers)
        assert tampered.status_code == 401 and genuine.status_code == 204
        assert hook.rejected_signatures == 1


async def test_a_notice_for_an_org_not_known_yet_waits_and_is_sent_when_the_org_registers(running, publisher):
    org_id = uuid.uuid4()
    with MailCatcher() as mail:
        async with running(smtp_port=mail.port) as client:
            grant = GrantAwarded.model_validate(
                sample_dict(
                    GrantAwarded,
                    org_id=str(org_id),
                    sponsor_org_id=None,
                    mentor_org_id=None,
                    project_title="邻里守望互助计划",
                    street_code=STREET,
                )
            )
            await publish_event(publisher, grant)

            async def pending() -> bool:
                async with client.app.state.service.connection() as conn:  # type: ignore[attr-defined]
                    return bool(
                        await conn.fetchval(
                            "SELECT count(*) FROM pending_notices WHERE source_id = $1 AND resolved_at IS NULL",
                            grant.event_id,
                        )
                    )

            await eventually(pending)
            assert await inbox(client, org_id=org_id) == []

            await publish_event(publisher, org_registered(org_id, email=f"{org_id.hex[:8]}@example.org", webhook=None))

            async def notified() -> list[dict]:
                return [n for n in await inbox(client, org_id=org_id) if n["source_event_id"] == str(grant.event_id)]

            [notice] = await eventually(notified)
            assert "邻里守望互助计划" in notice["body"]

            def grant_mails() -> list:
                return [m for m in mail.to(f"{org_id.hex[:8]}@example.org") if "公益创投资助确认" in str(m["Subject"])]

            await eventually(lambda: asyncio.sleep(0, result=len(grant_mails()) == 1))
            assert not await pending()


async def test_an_older_snapshot_arriving_late_does_not_overwrite_the_directory(running, publisher):
    org_id = uuid.uuid4()
    async with running() as client:
        newer = org_registered(org_id, email="new@example.org", webhook=None, version=3)
        older = org_registered(org_id, email="old@example.org", webhook=None, version=2)
        await publish_event(publisher, newer)
        await publish_event(publisher, older)

        async def email_of_org() -> str | None:
            async with client.app.state.service.connection() as conn:  # type: ignore[attr-defined]
                return await conn.fetchval("SELECT email FROM directory WHERE kind = 'org' AND key = $1", str(org_id))

        await eventually(lambda: _both_handled(client, [newer.event_id, older.event_id]))
        assert await email_of_org() == "new@example.org"


async def _both_handled(client: httpx.AsyncClient, source_ids: list[uuid.UUID]) -> bool:
    async with client.app.state.service.connection() as conn:  # type: ignore[attr-defined]
        got = await conn.fetchval(
            "SELECT count(DISTINCT source_id) FROM notices WHERE source_id = ANY($1::uuid[])", source_ids
        )
    return bool(got == len(source_ids))


async def test_a_webhook_url_on_a_private_address_is_not_kept_unless_the_operator_allows_it(running, publisher):
    org_id = uuid.uuid4()
    with WebhookReceiver({}) as hook:
        async with running(webhook_private_allowlist="") as client:
            hook.secrets = await webhook_secret(client, org_id)
            event = org_registered(org_id, email=None, webhook=hook.url())
            await publish_event(publisher, event)

            async def webhook_notice() -> list[dict]:
                async with client.app.state.service.connection() as conn:  # type: ignore[attr-defined]
                    rows = await conn.fetch(
                        "SELECT status FROM notices WHERE source_id = $1 AND channel = 'webhook'", event.event_id
                    )
                return [dict(r) for r in rows]

            assert await eventually(webhook_notice) == [{"status": "no_address"}]
            async with client.app.state.service.connection() as conn:  # type: ignore[attr-defined]
                kept = await conn.fetchval(
                    "SELECT webhook_url FROM directory WHERE kind = 'org' AND key = $1", str(org_id)
                )
            assert kept is None
            assert await deliveries(client, event.event_id) == []
            assert hook.attempts == []
