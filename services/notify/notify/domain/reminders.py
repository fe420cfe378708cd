"""Reminders in working days: when to remind before a deadline, which due reminders to send
after a pause, and how many working days are left. Time comes in as an argument."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from notify.domain.recipients import NOTICE_NAMESPACE, first
from notify.rules import ReminderSpec
from shared.clock import DISTRICT_ZONE
from shared.workdays import WorkCalendar


def reminder_id(source_id: uuid.UUID, name: str, workdays_before: int) -> uuid.UUID:
    return uuid.uuid5(NOTICE_NAMESPACE, f"reminder|{source_id}|{name}|{workdays_before}")


def thing_key(payload: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    """What a reminder is about (e.g. grant 7, tranche 2); None when the event lacks a part."""
    parts = [first(payload, f) for f in fields]
    if any(p is None for p in parts):
        return None
    return "/".join(str(p) for p in parts)


@dataclass(frozen=True)
class PlannedReminder:
    workdays_before: int
    remind_on: date
    fire_at: datetime


def plan_reminders(
    spec: ReminderSpec, deadline: date, *, today: date, calendar: WorkCalendar, hour: int = 9
) -> list[PlannedReminder]:
    """Reminders N working days before the deadline and on the day; none for days already past."""
    planned: dict[int, PlannedReminder] = {}
    for n in sorted(set(spec.workdays_before), reverse=True):
        day = deadline if n == 0 else calendar.subtract_workdays(deadline, n)
        if day < today:
            continue
        planned[n] = PlannedReminder(n, day, datetime.combine(day, time(hour), DISTRICT_ZONE))
    return list(planned.values())


def local_today(now: datetime) -> date:
    return now.astimezone(DISTRICT_ZONE).date()


@dataclass(frozen=True)
class DueReminder:
    id: uuid.UUID
    source_id: uuid.UUID
    name: str
    deadline: date
    workdays_before: int


def choose_due(due: list[DueReminder], today: date) -> tuple[list[DueReminder], list[DueReminder]]:
    """Which due reminders to send and which to drop: after a pause only the latest of a thing's
    reminders is worth sending ("3 days left" is wrong when 1 is), and none once the deadline passed."""
    send: dict[tuple[uuid.UUID, str], DueReminder] = {}
    drop: list[DueReminder] = []
    for r in due:
        if r.deadline < today:
            drop.append(r)
            continue
        key = (r.source_id, r.name)
        best = send.get(key)
        if best is None or r.workdays_before < best.workdays_before:
            if best is not None:
                drop.append(best)
            send[key] = r
        else:
            drop.append(r)
    return list(send.values()), drop


def workdays_left(today: date, deadline: date, calendar: WorkCalendar) -> int:
    """Working days from today up to, not including, the deadline (n on the day planned n before)."""
    if today >= deadline:
        return 0
    return calendar.workdays_between(today - timedelta(days=1), deadline - timedelta(days=1))


@dataclass(frozen=True)
class NewReminder:
    """A reminder to keep until its time (scheduled, or cancelled already when its thing was done)."""

    id: uuid.UUID
    source_id: uuid.UUID
    routing_key: str
    name: str
    thing_key: str
    deadline: date
    workdays_before: int
    remind_on: date
    fire_at: datetime
    payload: dict[str, Any]
    recipients: list[dict[str, Any]]
    status: str


@dataclass(frozen=True)
class StoredReminder:
    """A scheduled reminder whose time has come, as kept."""

    id: uuid.UUID
    source_id: uuid.UUID
    routing_key: str
    name: str
    thing_key: str
    deadline: date
    workdays_before: int
    remind_on: date
    payload: dict[str, Any]
    recipients: list[dict[str, Any]]
