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


def password_hash(plain: str, salt: bytes) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    return base64.b64encode(salt + hashlib.sha256(salt + plain.encode()).digest()).decode()


def definitions(vhost: str = "/") -> dict[str, object]:
    admin_user = os.environ.get("RABBITMQ_ADMIN_USER", "admin")
    names = [*SERVICES, *DISTRICT_SYSTEMS]
    users = [
        {
            "name": admin_user,
            "password_hash": password_hash(password(admin_user, "AMQP"), os.urandom(4)),
            "hashing_algorithm": "rabbit_password_hashing_sha256",
            "tags": ["administrator"],
        }
    ]
    permissions = [{"user": admin_user, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}]
    topic_permissions = []
    for name in names:
        users.append(
            {
                "name": name,
                "password_hash": password_hash(password(name, "AMQP"), os.urandom(4)),
                "hashing_algorithm": "rabbit_password_hashing_sha256",
                "tags": [],
            }
        )
        perms = service_permissions(name) if name in SERVICES else system_permissions(name)
        topics = service_topic_permissions(name) if name in SERVICES else system_topic_permissions(name)
        permissions.append({"user": name, "vhost": vhost, "configure": perms[0], "write": perms[1], "read": perms[2]})
        topic_permissions += [
            {"user": name, "vhost": vhost, "exchange": ex, "write": w, "read": r} for ex, w, r in topics
        ]
    return {
        "rabbit_version": "3.10.8",
        "users": users,
        "vhosts": [{"name": vhost}],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
        "exchanges": [
            {
                "name": n,
                "vhost": vhost,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
            for n in ("events", "events.dlx")
        ]
        + [
            {
                "name": UNROUTED,
                "vhost": vhost,
                "type": "fanout",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "policies": [
            {
                "vhost": vhost,
                "name": "events-unrouted",
                "pattern": "^events$",
                "apply-to": "exchanges",
                "definition": UNROUTED_POLICY,
                "priority": 0,
            }
        ],
        "queues": [
            {"name": UNROUTED, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": UNROUTED_QUEUE_ARGS}
        ],
        "bindings": [
            {
                "source": UNROUTED,
                "vhost": vhost,
                "destination": UNROUTED,
                "destination_type": "queue",
                "routing_key": "",
                "arguments": {},
            }
        ],
    }


def main() -> None:
    json.dump(definitions(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
