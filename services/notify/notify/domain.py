"""Pure decisions of the notify service: who an event reaches, reminder dates in working
days, retry backoff, webhook signatures and key rotation. No I/O; time comes in as an argument."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notify.rules import RecipientSpec, ReminderSpec
from shared.reference import DISTRICT_CODE
from shared.workdays import WorkCalendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
NOTICE_NAMESPACE = uuid.UUID("6f0c6a52-4a55-4d1e-9a43-5f0b8d9c1e70")


@dataclass(frozen=True)
class Target:
    """One recipient an event names: its role in the rule, directory kind and key."""

    role: str
    kind: str
    key: str
    scope_street: str | None = None


def values_at(payload: Any, path: str) -> list[Any]:
    """Every value at a dotted path; lists on the way fan out, missing or null values vanish."""
    current: list[Any] = [payload]
    for part in path.split(".") if path else []:
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, list):
                nxt += [x.get(part) for x in item if isinstance(x, dict)]
            elif isinstance(item, dict):
                nxt.append(item.get(part))
        current = [x for x in nxt if x is not None]
    flat: list[Any] = []
    for item in current:
        flat += item if isinstance(item, list) else [item]
    return [x for x in flat if x is not None and x != ""]


def first(payload: Any, path: str | None) -> Any:
    found = values_at(payload, path) if path else []
    return found[0] if found else None


def condition_holds(payload: dict[str, Any], when: str | None) -> bool:
    """`field` must be truthy, `!field` falsy; no condition always holds."""
    if not when:
        return True
    negate = when.startswith("!")
    value = first(payload, when.lstrip("!"))
    return not value if negate else bool(value)


def targets(spec: RecipientSpec, payload: dict[str, Any]) -> list[Target]:
    """The recipients a rule entry names in this event (deduplicated, in order)."""
    street = first(payload, spec.street_field) if spec.street_field else first(payload, "street_code")
    role = spec.to
    if spec.to == "district":
        keys = [DISTRICT_CODE]
    elif spec.to == "demand_purchaser":
        # Procurement's answer names the demand's purchaser (an answer from before it did names
        # nobody to address); the purchaser's directory row is learned from the same event.
        named = payload.get("purchaser")
        role = "purchaser"
        keys = [str(named["code"])] if isinstance(named, dict) and named.get("code") else []
    else:
        keys = [str(v) for v in values_at(payload, spec.field)]
    seen: set[str] = set()
    out: list[Target] = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            out.append(Target(role=role, kind=spec.kind, key=key, scope_street=street))
    return out


def notice_id(source_id: uuid.UUID, kind: str, key: str, channel: str) -> uuid.UUID:
    """Deterministic: the same (source event, recipient, channel) is always the same notice."""
    return uuid.uuid5(NOTICE_NAMESPACE, f"{source_id}|{kind}|{key}|{channel}")


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
        planned[n] = PlannedReminder(n, day, datetime.combine(day, time(hour), LOCAL_TZ))
    return list(planned.values())


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """Wait after the `attempts`-th failure: base, 2·base, 4·base … capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class SigningKey:
    """One of an organisation's webhook signing secrets (never shown in a repr or a log)."""

    key_id: str
    secret: str = field(repr=False)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(keys: Sequence[SigningKey], timestamp: int, body: bytes) -> str:
    """The X-SOGC-Signature header: `t=<unix seconds>,v1=<key id>:<hex HMAC-SHA256 of "<t>.<body>">`,
    one `v1` per key that signs (the new one first while a replaced one is in its grace period)."""
    return ",".join([f"t={timestamp}", *(f"v1={k.key_id}:{_mac(k.secret, timestamp, body)}" for k in keys)])


def verify_signature(
    header: str, body: bytes, secrets: Mapping[str, str], *, now: int, tolerance: int = 300
) -> str | None:
    """A receiver's check: the id of the key whose signature matches, when the signed timestamp is
    within `tolerance` seconds of `now` (older ones are replays); None otherwise."""
    items = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in items if name == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return None
    timestamp = int(stamps[0])
    for name, _, value in items:
        key_id, _, mac = value.partition(":")
        secret = secrets.get(key_id) if name == "v1" else None
        if secret is not None and hmac.compare_digest(mac, _mac(secret, timestamp, body)):
            return key_id
    return None


def retirements(valid_newest_first: Sequence[str], *, now: datetime, grace: timedelta) -> dict[str, datetime]:
    """When a new key is issued: the key that signed until now keeps signing for the grace period
    (receivers move to the new one meanwhile); any older key still in its own grace stops now."""
    return {key_id: now + grace if i == 0 else now for i, key_id in enumerate(valid_newest_first)}


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
