"""Write the RabbitMQ definitions file Docker Compose loads: users (hashed passwords from the
environment, development defaults otherwise), permissions, topic permissions, exchanges.

    python -m ops.rabbitmq_definitions > ops/rabbitmq/definitions.json
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys

from ops.provision import (
    ARCHIVE,
    ARCHIVE_QUEUE_ARGS,
    DISTRICT_SYSTEMS,
    SERVICES,
    UNROUTED,
    UNROUTED_POLICY,
    UNROUTED_QUEUE_ARGS,
    password,
    service_permissions,
    service_topic_permissions,
    system_permissions,
    system_topic_permissions,
)
from shared.contracts import contract_events


def password_hash(plain: str, salt: bytes) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    return base64.b64encode(salt + hashlib.sha256(salt + plain.encode()).digest()).decode()


def _user(name: str, tags: list[str]) -> dict[str, object]:
    return {
        "name": name,
        "password_hash": password_hash(password(name, "AMQP"), os.urandom(4)),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": tags,
    }


def definitions(vhosts: list[str] | None = None, *, admin_user: str | None = None) -> dict[str, object]:
    """Users, vhosts, permissions, topic permissions, the unrouted-events policy, exchanges
    and the unrouted queue, for each vhost. With `admin_user`, an administrator is defined
    (Compose); local provisioning grants the existing `guest` full rights on the test vhosts."""
    vhosts = vhosts or ["/"]
    names = [*SERVICES, *DISTRICT_SYSTEMS]
    users = [_user(n, []) for n in names]
    if admin_user:
        users.insert(0, _user(admin_user, ["administrator"]))
    permissions: list[dict[str, object]] = []
    topic_permissions: list[dict[str, object]] = []
    policies, exchanges, queues, bindings = [], [], [], []
    for vhost in vhosts:
        full = admin_user or ("guest" if vhost != "/" else None)
        if full:
            permissions.append({"user": full, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"})
        for name in names:
            perms = service_permissions(name) if name in SERVICES else system_permissions(name)
            topics = service_topic_permissions(name) if name in SERVICES else system_topic_permissions(name)
            permissions.append(
                {"user": name, "vhost": vhost, "configure": perms[0], "write": perms[1], "read": perms[2]}
            )
            topic_permissions += [
                {"user": name, "vhost": vhost, "exchange": ex, "write": w, "read": r} for ex, w, r in topics
            ]
        policies.append(
            {
                "vhost": vhost,
                "name": "events-unrouted",
                "pattern": "^events$",
                "apply-to": "exchanges",
                "definition": UNROUTED_POLICY,
                "priority": 0,
            }
        )
        exchanges += [
            {
                "name": n,
                "vhost": vhost,
                "type": t,
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for n, t in (("events", "topic"), ("events.dlx", "topic"), (UNROUTED, "fanout"))
        ]
        queues.append(
            {"name": UNROUTED, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": UNROUTED_QUEUE_ARGS}
        )
        queues.append(
            {"name": ARCHIVE, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": ARCHIVE_QUEUE_ARGS}
        )
        bindings += [
            {
                "source": "events",
                "vhost": vhost,
                "destination": ARCHIVE,
                "destination_type": "queue",
                "routing_key": key,
                "arguments": {},
            }
            for key in contract_events()
        ]
        bindings.append(
            {
                "source": UNROUTED,
                "vhost": vhost,
                "destination": UNROUTED,
                "destination_type": "queue",
                "routing_key": "",
                "arguments": {},
            }
        )
    return {
        "rabbit_version": "3.10.8",
        "users": users,
        "vhosts": [{"name": v} for v in vhosts],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "policies": policies,
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
    }


def main() -> None:
    admin = os.environ.get("RABBITMQ_ADMIN_USER", "admin")
    json.dump(definitions(["/"], admin_user=admin), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
