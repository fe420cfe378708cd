"""Use cases: an event arrives → learn recipients → notices, pending notices, reminders,
feed entries; a reminder falls due → notices. Each runs inside the caller's transaction and
returns the events to publish through the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import structlog

from notify import domain
from notify.domain import Target
from notify.rendering import SIGNATURE, Renderer
from notify.rules import RecipientSpec, Rules
from notify.store import Entry, Store
from shared.contracts.base import IntegrationEvent
from shared.contracts.notify import NotificationSent
from shared.reference import STREETS
from shared.workdays import WorkCalendar

log = structlog.get_logger("notify.handlers")

WAITING_ROLES = {"org", "sponsor", "mentor", "applicant", "demand_purchaser"}


@dataclass(frozen=True)
class Toolkit:
    """What the use cases need besides the store: rules, templates, calendar, reminder hour."""

    rules: Rules
    renderer: Renderer
    calendar: WorkCalendar
    reminder_hour: int = 9


# --- the directory, learned from events ----------------------------------------------------


def _epoch_version(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


async def learn(store: Store, routing_key: str, payload: dict[str, Any], occurred_at: datetime) -> list[Entry]:
    """Directory entries this event teaches; returns those that changed (pending notices may wait on them)."""
    learned: list[Entry] = []
    org = payload.get("org")
    if routing_key.startswith("registry.") and isinstance(org, dict) and org.get("org_id"):
        await store.lock_recipient("org", str(org["org_id"]))
        contact = org.get("contact") or {}
        entry = Entry(
            kind="org",
            key=str(org["org_id"]),
            name=org.get("name"),
            email=contact.get("email"),
            webhook_url=contact.get("webhook_url"),
            street_code=org.get("street_code"),
            status=org.get("status"),
        )
        if await store.learn(entry, version=int(org["version"]), domains=list(org.get("domains") or [])):
            learned.append(entry)
    if routing_key == "district.demand_published.v1":
        purchaser = payload["purchaser"]
        street = payload.get("street_code") if purchaser.get("kind") == "street_office" else None
        demand = Entry(
            kind="demand",
            key=f"{payload['source_system']}/{payload['demand_ref']}",
            name=purchaser["name"],
            street_code=street,
            ref=purchaser["code"],
        )
        await store.lock_recipient(demand.kind, demand.key)
        if await store.learn(demand, version=_epoch_version(occurred_at)):
            learned.append(demand)
    purchaser = payload.get("purchaser")
    if isinstance(purchaser, dict) and purchaser.get("code") and purchaser.get("name"):
        street = payload.get("street_code") if purchaser.get("kind") == "street_office" else None
        entry = Entry(kind="purchaser", key=purchaser["code"], name=purchaser["name"], street_code=street)
        await store.learn(entry, version=_epoch_version(occurred_at))
    return learned


# --- from rules to notices ---------------------------------------------------------------


def _recipient(target: Target, entry: Entry | None) -> dict[str, Any]:
    if target.kind == "street":
        name = STREETS.get(target.key, target.key) + "社会组织服务平台"
    elif target.kind == "district":
        name = SIGNATURE
    elif target.kind == "reviewer":
        name = "评审专家"
    else:
        name = (entry.name if entry and entry.name else None) or target.key
    return {"role": target.role, "kind": target.kind, "key": target.key, "name": name}


async def _deliver(
    kit: Toolkit,
    store: Store,
    *,
    source_id: UUID,
    routing_key: str,
    template: str,
    payload: dict[str, Any],
    spec: RecipientSpec,
    target: Target,
    entry: Entry | None,
    now: datetime,
) -> list[IntegrationEvent]:
    """One notice per channel for a known recipient; the unique key absorbs repeats."""
    out: list[IntegrationEvent] = []
    recipient = _recipient(target, entry)
    scope_street = target.scope_street
    if target.kind == "purchaser":
        scope_street = entry.street_code if entry else None
    elif target.kind == "org" and entry is not None:
        scope_street = entry.street_code or scope_street
    for channel in spec.channels:
        rendered = kit.renderer.render(template, channel, payload, recipient)
        address = None
        if channel == "email" and entry is not None:
            address = entry.email
        elif channel == "webhook" and entry is not None:
            address = entry.webhook_url
        if channel == "inbox":
            status = "sent"
        else:
            status = "queued" if address else "no_address"
        nid = domain.notice_id(source_id, target.kind, target.key, channel)
        created = await store.add_notice(
            notice_id=nid,
            source_id=source_id,
            routing_key=routing_key,
            kind=target.kind,
            key=target.key,
            scope_street=scope_street,
            channel=channel,
            subject=rendered.subject,
            body=rendered.body,
            status=status,
        )
        if not created:
            continue
        if channel == "inbox":
            out.append(_sent(nid, source_id, routing_key, target, channel, 1, now))
        elif address:
            await store.add_delivery(
                nid,
                channel,
                address,
                {
                    "subject": rendered.subject,
                    "body": rendered.body,
                    "to_name": recipient["name"],
                    "event_type": routing_key,
                    "source_event_id": str(source_id),
                    "recipient": {"kind": target.kind, "key": target.key},
                    "data": payload,
                },
            )
        else:
            log.info("notice_without_address", notice_id=str(nid), channel=channel, recipient_kind=target.kind)
    return out


def _sent(
    nid: UUID, source_id: UUID, routing_key: str, target: Target, channel: str, attempts: int, now: datetime
) -> NotificationSent:
    return NotificationSent(
        notice_id=nid,
        source_event_id=source_id,
        source_routing_key=routing_key,
        recipient_kind=target.kind,
        recipient_key=target.key,
        channel=channel,
        attempts=attempts,
        sent_at=now,
    )


async def _resolve(store: Store, target: Target) -> tuple[Target, Entry | None, tuple[str, str] | None]:
    """The directory entry of a target, or what it waits for when the directory does not know it yet."""
    # Without this lock a recipient learned by a concurrent transaction could miss this pending notice.
    if target.role == "demand_purchaser":
        await store.lock_recipient("demand", target.key)
        demand = await store.entry("demand", target.key)
        if demand is None or not demand.ref:
            return target, None, ("demand", target.key)
        purchaser = Target("purchaser", "purchaser", demand.ref, demand.street_code)
        entry = await store.entry("purchaser", demand.ref) or Entry(
            "purchaser", demand.ref, name=demand.name, street_code=demand.street_code
        )
        return purchaser, entry, None
    if target.role in WAITING_ROLES:
        await store.lock_recipient(target.kind, target.key)
    entry = await store.entry(target.kind, target.key)
    if entry is None and target.role in WAITING_ROLES:
        return target, None, (target.kind, target.key)
    return target, entry, None


async def fan_out(
    kit: Toolkit,
    store: Store,
    *,
    source_id: UUID,
    routing_key: str,
    template: str,
    payload: dict[str, Any],
    specs: tuple[RecipientSpec, ...],
    now: datetime,
) -> list[IntegrationEvent]:
    out: list[IntegrationEvent] = []
    for index, spec in enumerate(specs):
        found = domain.targets(spec, payload)
        if spec.to == "orgs_in_domain":
            found = [
                Target("orgs_in_domain", "org", e.key, e.street_code)
                for key in {t.key for t in found}
                for e in await store.orgs_in_domain(key)
            ]
        for target in found:
            resolved, entry, wait = await _resolve(store, target)
            if wait is not None:
                await store.add_pending(
                    source_id=source_id,
                    routing_key=routing_key,
                    template=template,
                    payload=payload,
                    spec=spec.as_json(),
                    spec_index=index,
                    wait_kind=wait[0],
                    wait_key=wait[1],
                )
                log.info("notice_pending", source_id=str(source_id), wait_kind=wait[0], wait_key=wait[1])
                continue
            out += await _deliver(
                kit,
                store,
                source_id=source_id,
                routing_key=routing_key,
                template=template,
                payload=payload,
                spec=spec,
                target=resolved,
                entry=entry,
                now=now,
            )
    return out


async def release_pending(kit: Toolkit, store: Store, entry: Entry, now: datetime) -> list[IntegrationEvent]:
    """The directory learned a recipient: deliver the notices that waited for it."""
    out: list[IntegrationEvent] = []
    for row in await store.waiting_for(entry.kind, entry.key):
        spec = RecipientSpec.from_json(_json(row["spec"]))
        payload = _json(row["payload"])
        target = next(t for t in domain.targets(spec, payload) if t.key == entry.key)
        resolved, known, wait = await _resolve(store, target)
        if wait is not None:
            continue
        out += await _deliver(
            kit,
            store,
            source_id=row["source_id"],
            routing_key=row["routing_key"],
            template=row["template"],
            payload=payload,
            spec=spec,
            target=resolved,
            entry=known,
            now=now,
        )
        await store.resolved(row["id"])
        log.info("notice_released", source_id=str(row["source_id"]), kind=entry.kind, key=entry.key)
    return out


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# --- the use case every consumer runs ------------------------------------------------------


async def on_event(kit: Toolkit, store: Store, event: IntegrationEvent, *, now: datetime) -> list[IntegrationEvent]:
    """Learn from the event, cancel reminders it completes, notify per the rules, schedule reminders."""
    payload = event.model_dump(mode="json")
    key = event.routing_key
    out: list[IntegrationEvent] = []
    learned = await learn(store, key, payload, event.occurred_at)
    rule = kit.rules.rule(key)
    if rule is not None:
        for cancel in rule.cancels:
            thing = domain.thing_key(payload, cancel.thing)
            if thing is not None:
                await store.cancel(cancel.reminder, thing, event.event_id)
                log.info("reminders_cancelled", reminder=cancel.reminder, thing=thing)
        if domain.condition_holds(payload, rule.when):
            out += await fan_out(
                kit,
                store,
                source_id=event.event_id,
                routing_key=key,
                template=key,
                payload=payload,
                specs=rule.recipients,
                now=now,
            )
            if rule.feed is not None and domain.condition_holds(payload, rule.feed.when):
                await _publish_feed(kit, store, event, payload, now)
            await _schedule_reminders(kit, store, event, payload, now)
    for entry in learned:
        out += await release_pending(kit, store, entry, now)
    return out


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


async def fire_due_reminders(kit: Toolkit, store: Store, *, now: datetime, limit: int = 50) -> list[IntegrationEvent]:
    """Turn reminders whose time has come into notices (the caller's transaction holds the rows)."""
    out: list[IntegrationEvent] = []
    for row in await store.due_reminders(now, limit):
        payload = {
            **_json(row["payload"]),
            "deadline": row["deadline"].isoformat(),
            "workdays_left": row["workdays_before"],
            "remind_on": row["remind_on"].isoformat(),
        }
        specs = tuple(RecipientSpec.from_json(r) for r in _json(row["recipients"]))
        out += await fan_out(
            kit,
            store,
            source_id=row["id"],
            routing_key=row["routing_key"],
            template=f"reminder.{row['name']}",
            payload=payload,
            specs=specs,
            now=now,
        )
        await store.fired(row["id"], now)
        log.info("reminder_fired", reminder=row["name"], thing=row["thing_key"], workdays_left=row["workdays_before"])
    return out
