"""Who the broker knows and what each may do, and the topology every vhost holds: the services'
and district systems' users with their permissions and topic permissions, the unrouted-events
policy and the event archive (docs/architecture.md §4). Local provisioning (ops/provision.py) and
the deployment's rendered definitions (ops/rabbitmq_definitions.py) both read them from here.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ops import subscriber_systems
from shared import districts

SERVICES = ("registry", "venture", "procurement", "notify", "console")
# The district systems that get a broker user: those of the systems file, unless DISTRICT_SYSTEMS
# (comma-separated, possibly empty) names which of them a deployment runs.
DISTRICT_SYSTEMS = (
    tuple(s for s in os.environ["DISTRICT_SYSTEMS"].split(",") if s)
    if "DISTRICT_SYSTEMS" in os.environ
    else districts.load().names
)
# The subscribing systems (ops/subscriber-systems.toml); SUBSCRIBER_SYSTEMS picks as above.
SUBSCRIBERS = subscriber_systems.load()
SUBSCRIBER_SYSTEMS = (
    tuple(s for s in os.environ["SUBSCRIBER_SYSTEMS"].split(",") if s)
    if "SUBSCRIBER_SYSTEMS" in os.environ
    else SUBSCRIBERS.names
)
if clash := set(SUBSCRIBERS.names) & set(districts.load().names):
    raise ValueError(f"a subscriber system has the name of a district system: {sorted(clash)}")


def password(name: str, kind: str) -> str:
    env = f"{name.upper().replace('-', '_')}_{kind}_PASSWORD"
    return os.environ.get(env, f"{name}-dev-password")


def service_permissions(service: str) -> tuple[str, str, str]:
    """configure, write, read: the shared exchanges and the service's own `<service>.*` queues.

    No write on the default exchange (`amq.default`): it routes to any queue by name and topic
    permissions do not govern it, so a leaked service credential could put any event into any
    service's queue. Dead letters are replayed by the operator's own broker user."""
    own = re.escape(service) + r"\..*"
    return (
        rf"^(events|events\.dlx|{own})$",
        rf"^(events|events\.dlx|{own})$",
        rf"^(events|events\.dlx|{own})$",
    )


def service_topic_permissions(service: str) -> list[tuple[str, str, str]]:
    """(exchange, write, read): a service publishes only its own context's routing keys."""
    key = "^" + re.escape(service) + r"\."
    return [("events", key, ".*"), ("events.dlx", key, ".*")]


def system_permissions(system: str) -> tuple[str, str, str]:
    """A district system publishes to `events` and may own queues named `<system>.*`."""
    own = re.escape(system) + r"\..*"
    return rf"^{own}$", rf"^(events|{own})$", rf"^(events|{own})$"


def system_topic_permissions(system: str) -> list[tuple[str, str, str]]:
    """A district system publishes only `district.*` and binds only its own answer keys
    (RabbitMQ checks a binding key against the read pattern, so `#` or `procurement.#` is
    refused); names have no dots, so no system's keys match another's."""
    return [("events", r"^district\.", rf"^procurement\.to\.{re.escape(system)}\.")]


def subscriber_permissions(system: str) -> tuple[str, str, str]:
    """configure, write, read: only the system's own `<system>.*` queues, and read on `events`
    to bind them. No write on any exchange: a subscriber publishes nothing (write on its own
    queues is what binding them needs; the default exchange stays closed to it)."""
    own = re.escape(system) + r"\..*"
    return rf"^{own}$", rf"^{own}$", rf"^(events|{own})$"


def subscriber_topic_permissions(system: str) -> list[tuple[str, str, str]]:
    """(exchange, write, read): it binds exactly its entitled keys (no `#`, no `procurement.*`)
    and may publish none."""
    found = SUBSCRIBERS.get(system)
    read = found.topic_read_pattern() if found is not None else "^$"
    return [("events", "^$", read)]


def permissions(name: str) -> tuple[str, str, str]:
    """The configure/write/read permissions of any provisioned user."""
    if name in SERVICES:
        return service_permissions(name)
    if name in SUBSCRIBER_SYSTEMS:
        return subscriber_permissions(name)
    return system_permissions(name)


def topic_permissions(name: str) -> list[tuple[str, str, str]]:
    """The topic permissions of any provisioned user."""
    if name in SERVICES:
        return service_topic_permissions(name)
    if name in SUBSCRIBER_SYSTEMS:
        return subscriber_topic_permissions(name)
    return system_topic_permissions(name)


UNROUTED = "events.unrouted"
UNROUTED_POLICY = {"alternate-exchange": UNROUTED}
UNROUTED_QUEUE_ARGS: dict[str, Any] = {"x-queue-type": "quorum", "x-max-length": 100_000, "x-overflow": "drop-head"}
# The event archive for late subscribers: a stream bound to every contract routing key (only
# those, so an unknown key still falls through to events.unrouted), with size and age limits.
ARCHIVE = "events.archive"
ARCHIVE_QUEUE_ARGS: dict[str, Any] = {
    "x-queue-type": "stream",
    "x-max-length-bytes": int(os.environ.get("ARCHIVE_MAX_BYTES", 5 * 1024**3)),
    "x-max-age": os.environ.get("ARCHIVE_MAX_AGE", "400D"),
    "x-stream-max-segment-size-bytes": 50 * 1024**2,
}
