"""The use case every consumer runs: learn from the event, cancel the reminders it completes,
notify per the rules, publish on the feed, schedule reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from notify import domain
from notify.domain import FeedItem
from notify.handlers.directory import learn
from notify.handlers.notices import fan_out, release_pending
from notify.handlers.ports import EventWork, Feed
from notify.handlers.reminders import as_date, schedule_reminders
from notify.handlers.toolkit import Toolkit
from shared.contracts.base import IntegrationEvent

log = structlog.get_logger("notify.handlers")


async def on_event(
    kit: Toolkit, stores: EventWork, event: IntegrationEvent, *, now: datetime
) -> list[IntegrationEvent]:
    """Learn from the event, cancel reminders it completes, notify per the rules, schedule reminders."""
    payload = event.model_dump(mode="json")
    key = event.routing_key
    learned = await learn(stores.directory, key, payload, event.occurred_at, kit.targets)
    rule = kit.rules.rule(key)
    if rule is not None:
        for cancel in rule.cancels:
            thing = domain.thing_key(payload, cancel.thing)
            if thing is not None:
                await stores.reminders.cancel(cancel.reminder, thing, event.event_id)
                log.info("reminders_cancelled", reminder=cancel.reminder, thing=thing)
        if domain.condition_holds(payload, rule.when):
            await fan_out(
                kit,
                stores,
                source_id=event.event_id,
                routing_key=key,
                template=key,
                payload=payload,
                specs=rule.recipients,
            )
            if rule.feed is not None and domain.condition_holds(payload, rule.feed.when):
                await _publish_feed(kit, stores.feed, event, payload)
            await schedule_reminders(kit, stores.reminders, event, payload)
    for entry in learned:
        await release_pending(kit, stores, entry)
    return []  # notices cause no events; deliveries leaving the system are announced by the worker


async def _publish_feed(kit: Toolkit, feed_items: Feed, event: IntegrationEvent, payload: dict[str, Any]) -> None:
    rule = kit.rules.events[event.routing_key]
    assert rule.feed is not None
    feed = rule.feed
    rendered = kit.renderer.render(
        event.routing_key, "feed", payload, {"role": "public", "kind": "public", "key": "public", "name": "公众"}
    )
    await feed_items.add(
        FeedItem(
            id=domain.notice_id(event.event_id, "public", "feed", "feed"),
            source_id=event.event_id,
            routing_key=event.routing_key,
            kind=feed.kind,
            title=rendered.subject,
            body=rendered.body,
            street_code=domain.first(payload, feed.street_field),
            published_on=domain.local_today(event.occurred_at),
            starts_on=as_date(domain.first(payload, feed.starts)),
            ends_on=as_date(domain.first(payload, feed.ends)),
            objection_deadline=as_date(domain.first(payload, feed.objection_deadline)),
        )
    )
