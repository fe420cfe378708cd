"""Reminders: scheduled from the events that carry a deadline, fired by the worker when due."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import structlog

from notify import domain
from notify.domain import NewReminder, StoredReminder
from notify.handlers.notices import fan_out
from notify.handlers.ports import Reminders, ReminderWork
from notify.handlers.toolkit import Toolkit
from notify.rules import RecipientSpec
from shared.contracts.base import IntegrationEvent

log = structlog.get_logger("notify.handlers")


def as_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


async def schedule_reminders(
    kit: Toolkit, reminders: Reminders, event: IntegrationEvent, payload: dict[str, Any]
) -> None:
    """The reminders the event's deadlines call for (already cancelled when their thing was done)."""
    rule = kit.rules.events[event.routing_key]
    today = domain.local_today(event.occurred_at)
    for spec in rule.reminders:
        deadline = as_date(domain.first(payload, spec.deadline))
        thing = domain.thing_key(payload, spec.thing)
        if deadline is None or thing is None:
            continue
        cancelled = await reminders.is_cancelled(spec.name, thing)
        # A newer deadline for the same thing replaces the reminders still scheduled for the old one.
        await reminders.supersede(spec.name, thing, event.event_id)
        plan = domain.plan_reminders(spec, deadline, today=today, calendar=kit.calendar, hour=kit.reminder_hour)
        for p in plan:
            await reminders.add(
                NewReminder(
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
            )
        log.info("reminders_scheduled", reminder=spec.name, thing=thing, deadline=str(deadline), count=len(plan))


async def fire_due_reminders(
    kit: Toolkit, stores: ReminderWork, *, now: datetime, limit: int = 50
) -> list[IntegrationEvent]:
    """Turn reminders whose time has come into notices (the caller's transaction holds the rows)."""
    due = {r.id: r for r in await stores.reminders.due(now, limit)}
    today = domain.local_today(now)
    send, drop = domain.choose_due(
        [domain.DueReminder(r.id, r.source_id, r.name, r.deadline, r.workdays_before) for r in due.values()],
        today,
    )
    for stale in drop:
        await stores.reminders.skipped(stale.id, now)
        log.info("reminder_skipped", reminder=stale.name, workdays_before=stale.workdays_before)
    for chosen in send:
        await _fire(kit, stores, due[chosen.id], today=today, now=now)
    return []  # reminder notices cause no events, like every notice


async def _fire(kit: Toolkit, stores: ReminderWork, r: StoredReminder, *, today: date, now: datetime) -> None:
    payload = {
        **r.payload,
        "deadline": r.deadline.isoformat(),
        "workdays_left": domain.workdays_left(today, r.deadline, kit.calendar),
        "remind_on": r.remind_on.isoformat(),
    }
    await fan_out(
        kit,
        stores,
        source_id=r.id,
        routing_key=r.routing_key,
        template=f"reminder.{r.name}",
        payload=payload,
        specs=tuple(RecipientSpec.from_json(x) for x in r.recipients),
    )
    await stores.reminders.fired(r.id, now)
    log.info("reminder_fired", reminder=r.name, thing=r.thing_key, workdays_left=payload["workdays_left"])
