"""A failed delivery is recorded as a class and fixed words: the recipient's address and what the
remote side answered appear nowhere — not in the logs, the delivery log API, the events or the
metrics — even when the SMTP server's and the receiver's answers quote them."""

from __future__ import annotations

import json
import uuid

from receivers import MailCatcher, WebhookReceiver, webhook_secret
from samples import eventually, org_registered

from shared.messaging.publish import publish_event
from testkit import EventTap, token

REMOTE = "stack trace from db-internal-7.corp: password=hunter2"


async def test_a_failure_quoting_the_recipient_and_the_remote_answer_is_kept_and_published_redacted(
    running, publisher, logged
):
    org_id = uuid.uuid4()
    victim = f"victim.{org_id.hex[:8]}@example.org"
    refusal = "550 5.1.1 <{address}>: mailbox unavailable; " + REMOTE
    with (
        MailCatcher(refuse=refusal) as mail,
        WebhookReceiver({}, status=500, answer=f"{victim} {REMOTE}".encode()) as hook,
    ):
        async with running(smtp_port=mail.port, max_attempts=2) as client, EventTap("notify.#") as tap:
            hook.secrets = await webhook_secret(client, org_id)
            event = org_registered(org_id, email=victim, webhook=hook.url())
            await publish_event(publisher, event)

            async def both_failed() -> list[dict]:
                response = await client.get(
                    "/deliveries", params={"source_event_id": str(event.event_id)}, headers=token("district_admin")
                )
                rows = response.json()
                return rows if len(rows) == 2 and {r["status"] for r in rows} == {"failed"} else []

            rows = await eventually(both_failed, timeout=45)
            failed = await tap.wait_for("notify.delivery_failed.v1", 2, timeout=30)
            metrics = (await client.get("/metrics")).text

    # the attempts really did meet the quoting answers
    assert mail.messages == [] and len(hook.attempts) == 2 and hook.rejected_signatures == 0
    classes = {r["channel"]: (r["last_error_class"], r["last_error"]) for r in rows}
    assert classes["email"][0] == "smtp_recipient_refused" and "550" in classes["email"][1]
    assert classes["webhook"][0] == "http_5xx" and "500" in classes["webhook"][1]

    # the delivery's own address is the delivery log's business; nothing else may quote it
    without_address = [{k: v for k, v in r.items() if k != "address"} for r in rows]
    places = {
        "delivery log API": json.dumps(without_address, ensure_ascii=False),
        "events": json.dumps(tap.bodies(), ensure_ascii=False),
        "logs": "\n".join(logged),
        "metrics": metrics,
    }
    assert [f for f in failed if f["source_event_id"] == str(event.event_id)]
    assert 'error_class="smtp_recipient_refused"' in metrics and 'error_class="http_5xx"' in metrics
    for place, text in places.items():
        for leaked in (victim, "hunter2", "db-internal-7"):
            assert leaked not in text, f"{leaked!r} leaked into the {place}"
    assert any("delivery_failed" in line for line in logged)  # the logs were captured at all
