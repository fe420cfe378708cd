"""One slow receiver delays nothing but its own delivery: while a receiver answers a byte every two
seconds, other webhooks, e-mail and reminders go out; the slow attempt ends at the deadline and is
retried, then parked, by the usual policy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from receivers import MailCatcher, TricklingReceiver, WebhookReceiver, webhook_secret
from samples import eventually, org_registered, sample_dict

from notify.domain import local_today
from shared.clock import DISTRICT_ZONE
from shared.contracts.venture import ReportDue
from shared.messaging.publish import publish_event
from testkit import EventTap, token

DEADLINE = 10.0


def report_due_today(org_id: uuid.UUID, today: datetime) -> ReportDue:
    return ReportDue.model_validate(
        sample_dict(
            ReportDue,
            grant_id=str(uuid.uuid4()),
            org_id=str(org_id),
            mentor_org_id=None,
            sponsor_org_id=None,
            project_title="社区长者食堂",
            tranche_number=1,
            final=False,
            report_due_on=today.date().isoformat(),
        )
        | {"occurred_at": today.isoformat()}
    )


async def delivery(client, source_id: uuid.UUID) -> dict:
    response = await client.get(
        "/deliveries", params={"source_event_id": str(source_id)}, headers=token("district_admin")
    )
    rows = response.json()
    return rows[0] if rows else {}


async def test_a_receiver_trickling_a_byte_every_two_seconds_delays_no_other_delivery_and_times_out(running, publisher):
    # The clock stands at 10:00 tomorrow (Shanghai) and runs on, so a reminder due "today at 09:00" fires at once.
    tomorrow_ten = datetime.combine(local_today(datetime.now(UTC)) + timedelta(days=1), clock_time(10), DISTRICT_ZONE)
    shift = tomorrow_ten - datetime.now(UTC)

    def clock() -> datetime:
        return datetime.now(UTC) + shift

    slow_org, fast_org, mail_org = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with (
        TricklingReceiver(interval=2.0) as slow,
        WebhookReceiver({}, now=lambda: clock().timestamp()) as fast,
        MailCatcher() as mail,
    ):
        async with (
            running(
                smtp_port=mail.port, delivery_deadline_seconds=DEADLINE, worker_lease_seconds=30, max_attempts=2
            ) as client,
            EventTap("notify.delivery_failed.v1") as tap,
        ):
            client.app.state.service.clock = clock
            await webhook_secret(client, slow_org)
            fast.secrets = await webhook_secret(client, fast_org)

            stuck = org_registered(slow_org, email=None, webhook=slow.url())
            await publish_event(publisher, stuck)
            await eventually(lambda: _true(slow.in_flight() == 1))  # the slow attempt has begun

            others = [
                org_registered(fast_org, email=None, webhook=fast.url()),
                org_registered(mail_org, email=f"{mail_org.hex[:8]}@example.org", webhook=None),
            ]
            due = report_due_today(mail_org, clock().astimezone(DISTRICT_ZONE))
            for event in (*others, due):
                await publish_event(publisher, event)

            async def all_others_done() -> bool:
                sent = [(await delivery(client, e.event_id)).get("status") for e in others]
                fired = await _reminder_fired(client, due.event_id)
                return sent == ["sent", "sent"] and fired

            await eventually(all_others_done, timeout=DEADLINE - 2)
            # ... all while the slow receiver's first attempt was still going on
            assert slow.in_flight() == 1 and len(slow.connections) == 1
            first = await delivery(client, stuck.event_id)
            assert first["attempts"] == 1 and first["last_error"] is None
            assert len(fast.accepted) == 1 and mail.to(f"{mail_org.hex[:8]}@example.org")

            async def parked() -> dict:
                row = await delivery(client, stuck.event_id)
                return row if row.get("status") == "failed" else {}

            row = await eventually(parked, timeout=3 * DEADLINE)
            assert row["attempts"] == 2 and row["last_error_class"] == "timeout"
            for opened, closed in slow.connections:
                assert closed is not None and closed - opened < DEADLINE + 1.5
            [failed] = [
                b
                for b in await tap.wait_for("notify.delivery_failed.v1")
                if b["source_event_id"] == str(stuck.event_id)
            ]
            assert failed["error_class"] == "timeout"


async def _true(value: bool) -> bool:
    return value


async def _reminder_fired(client, source_id: uuid.UUID) -> bool:
    async with client.app.state.service.connection() as conn:
        return bool(
            await conn.fetchval(
                "SELECT count(*) FROM reminders r JOIN notices n ON n.source_id = r.id"
                " WHERE r.source_id = $1 AND r.status = 'fired' AND n.channel = 'inbox'",
                source_id,
            )
        )
