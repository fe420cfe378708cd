"""Thin: one consumer per event type the rules, the directory or a reminder cancellation need,
each named as it has always been (`on_<routing key with underscores>`), so the inbox rows of
events consumed before keep deduplicating."""

from __future__ import annotations

import structlog

from notify import handlers
from notify.store import Stores
from shared.clock import Now
from shared.contracts import EVENT_TYPES
from shared.contracts.base import IntegrationEvent
from shared.messaging.consumer import Consumers

log = structlog.get_logger("notify.subscribers")

# Events that feed the recipient directory even when no rule sends a notice for them.
DIRECTORY_SOURCES = frozenset(
    {
        "registry.org_registered.v1",
        "registry.org_filed.v1",
        "registry.org_graduated.v1",
        "registry.org_status_changed.v1",
        "registry.org_profile_updated.v1",
        "console.account_invited.v1",
        "console.account_activated.v1",
        "console.password_reset_issued.v1",
        "console.account_roles_changed.v1",
        "console.account_disabled.v1",
        "console.account_enabled.v1",
    }
)


def consumed_keys(kit: handlers.Toolkit) -> list[str]:
    wanted = set(kit.rules.events) | DIRECTORY_SOURCES
    unknown = sorted(k for k in wanted if k not in EVENT_TYPES)
    if unknown:
        log.warning("rules_name_unknown_events", routing_keys=unknown)
    return sorted(k for k in wanted if k in EVENT_TYPES and not k.startswith("notify."))


def consumer_name(routing_key: str) -> str:
    """The consumer's identity in the inbox: what the function that consumed the event was called."""
    return "on_" + routing_key.replace(".", "_")


def register(consumers: Consumers, kit: handlers.Toolkit, clock: Now) -> list[str]:
    keys = consumed_keys(kit)
    for key in keys:

        async def handle(event: IntegrationEvent, stores: Stores) -> list[IntegrationEvent]:
            return await handlers.on_event(kit, stores, event, now=clock())

        handle.__doc__ = f"Notices, reminders and directory updates for {key}."
        consumers.on(EVENT_TYPES[key], name=consumer_name(key))(handle)
    consumers.retire(
        "notify.district.demand_published.v1",
        why="procurement's answer names the purchaser now; the demand itself is not consumed",
    )
    return keys
