"""The use case every consumer runs, and the reminders the worker fires."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import structlog

from notify import domain
from notify.handlers.directory import learn
from notify.handlers.notices import as_json, fan_out, release_pending
from notify.handlers.toolkit import Toolkit
from notify.rules import RecipientSpec
from notify.store import Store
from shared.contracts.base import IntegrationEvent

log = structlog.get_logger("notify.handlers")


async def on_event(kit: Toolkit, store: Store, event: IntegrationEvent, *, now: datetime) -> list[IntegrationEvent]:
    """Learn from the event, cancel reminders it completes, notify per the rules, schedule reminders."""
    payload = event.model_dump(mode="json")
    key = event.routing_key
    learned = await learn(store, key, payload, event.occurred_at, kit.targets)
    rule = kit.rules.rule(key)
    if rule is not None:
        for cancel in rule.cancels:
            thing = domain.thing_key(payload, cancel.thing)
            if thing is not None:
                await store.cancel(cancel.reminder, thing, event.event_id)
                log.info("reminders_cancelled", reminder=cancel.reminder, thing=thing)
        if domain.condition_holds(payload, rule.when):
            await fan_out(
                kit,
                store,
                source_id=event.event_id,
                routing_key=key,
                template=key,
                payload=payload,
                specs=rule.recipients,
            )
            if rule.feed is not None and domain.condition_holds(payload, rule.feed.when):
                await _publish_feed(kit, store, event, payload, now)
            await _schedule_reminders(kit, store, event, payload, now)
    for entry in learned:
        await release_pending(kit, store, entry)
    return []  # notices cause no events; deliveries leaving the system are announced by the worker


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


async def _publish_feed(
    kit: Toolkit, store: Store, event: IntegrationEvent, payload: dict[str, Any], now: datetime
) -> None:
    rule = kit.rules.events[event.routing_key]
    assert rule.feed is not None
    feed = rule.feed
    rendered = kit.renderer.render(
        event.routing_key, "feed", payload, {"role": "public", "kind": "public", "key": "public", "name": "公众"}
    )
    await store.add_feed_item(
        id=domain.notice_id(event.event_id, "public", "feed", "feed"),
        source_id=event.event_id,
        routing_key=event.routing_key,
        kind=feed.kind,
        title=rendered.subject,
        body=rendered.body,
        street_code=domain.first(payload, feed.street_field),
        published_on=domain.local_today(event.occurred_at),
        starts_on=_date(domain.first(payload, feed.starts)),
        ends_on=_date(domain.first(payload, feed.ends)),
        objection_deadline=_date(domain.first(payload, feed.objection_deadline)),
    )


async def _schedule_reminders(
    kit: Toolkit, store: Store, event: IntegrationEvent, payload: dict[str, Any], now: datetime
) -> None:
    rule = kit.rules.events[event.routing_key]
    today = domain.local_today(event.occurred_at)
    for spec in rule.reminders:
        deadline = _date(domain.first(payload, spec.deadline))
        thing = domain.thing_key(payload, spec.thing)
        if deadline is None or thing is None:
            continue
        cancelled = await store.is_cancelled(spec.name, thing)
        # A newer deadline for the same thing replaces the reminders still scheduled for the old one.
        await store.supersede(spec.name, thing, event.event_id)
        plan = domain.plan_reminders(spec, deadline, today=today, calendar=kit.calendar, hour=kit.reminder_hour)
        for p in plan:
            await store.add_reminder(
                id=domain.reminder_id(event.event_id, spec.name, p.workdays_before),
                source_id=event.event_id,
                routing_key=event.routing_key,
                name=spec.name,
                thing_key=thing,
                deadline=deadline,
                workdays_before=p.workdays_before,
                remind_on=p.remind_on,
                fire_at=p.fire_at,
                payload=payload,
                recipients=[r.as_json() for r in spec.recipients],
                status="cancelled" if cancelled else "scheduled",
            )
        log.info("reminders_scheduled", reminder=spec.name, thing=thing, deadline=str(deadline), count=len(plan))


async def fire_due_reminders(kit: Toolkit, store: Store, *, now: datetime, limit: int = 50) -> None:
    """Turn reminders whose time has come into notices (the caller's transaction holds the rows)."""
    rows = {row["id"]: row for row in await store.due_reminders(now, limit)}
    today = domain.local_today(now)
    send, drop = domain.choose_due(
        [
            domain.DueReminder(r["id"], r["source_id"], r["name"], r["deadline"], r["workdays_before"])
            for r in rows.values()
        ],
        today,
    )
    for stale in drop:
        await store.skipped(stale.id, now)
        log.info("reminder_skipped", reminder=stale.name, workdays_before=stale.workdays_before)
    for due in send:
        row = rows[due.id]
        payload = {
            **as_json(row["payload"]),
            "deadline": row["deadline"].isoformat(),
            "workdays_left": domain.workdays_left(today, row["deadline"], kit.calendar),
            "remind_on": row["remind_on"].isoformat(),
        }
        specs = tuple(RecipientSpec.from_json(r) for r in as_json(row["recipients"]))
        await fan_out(
            kit,
            store,
            source_id=row["id"],
            routing_key=row["routing_key"],
            template=f"reminder.{row['name']}",
            payload=payload,
            specs=specs,
        )
        await store.fired(row["id"], now)
        log.info("reminder_fired", reminder=row["name"], thing=row["thing_key"], workdays_left=payload["workdays_left"])
