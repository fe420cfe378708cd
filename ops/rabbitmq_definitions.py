"""RabbitMQ's definitions: users (hashed passwords), permissions, topic permissions, exchanges.

Local provisioning (ops/provision.py) imports them with the development passwords. For Docker
Compose, the one-shot `rabbitmq-definitions` container renders them from the operator's
environment into a volume RabbitMQ loads at boot, so no password (nor its hash) is committed:

    RABBITMQ_ADMIN_PASSWORD=… REGISTRY_AMQP_PASSWORD=… … python -m ops.rabbitmq_definitions --out FILE

It refuses to render while a password is unset, empty or a development one, naming each.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ops.accounts import (
    ARCHIVE,
    ARCHIVE_QUEUE_ARGS,
    DISTRICT_SYSTEMS,
    SERVICES,
    SUBSCRIBER_SYSTEMS,
    SUBSCRIBERS,
    UNROUTED,
    UNROUTED_POLICY,
    UNROUTED_QUEUE_ARGS,
    password,
    permissions,
    topic_permissions,
)
from shared.contracts import contract_events


def password_hash(plain: str, salt: bytes) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    return base64.b64encode(salt + hashlib.sha256(salt + plain.encode()).digest()).decode()


def _user(name: str, tags: list[str], passwords: Mapping[str, str] | None) -> dict[str, object]:
    plain = passwords[name] if passwords is not None else password(name, "AMQP")
    return {
        "name": name,
        "password_hash": password_hash(plain, os.urandom(4)),
        "hashing_algorithm": "rabbit_password_hashing_sha256",
        "tags": tags,
    }


def definitions(
    vhosts: list[str] | None = None, *, admin_user: str | None = None, passwords: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Users, vhosts, permissions, topic permissions, the unrouted-events policy, exchanges
    and the unrouted queue, for each vhost. With `admin_user`, an administrator is defined
    (Compose); local provisioning grants the existing `guest` full rights on the test vhosts.
    `passwords` maps each user to its password; without it, the development passwords."""
    vhosts = vhosts or ["/"]
    names = [*SERVICES, *DISTRICT_SYSTEMS, *SUBSCRIBER_SYSTEMS]
    users = [_user(n, [], passwords) for n in names]
    if admin_user:
        users.insert(0, _user(admin_user, ["administrator"], passwords))
    out: dict[str, list[dict[str, object]]] = {
        k: [] for k in ("permissions", "topic_permissions", "policies", "exchanges", "queues", "bindings")
    }
    for vhost in vhosts:
        full = admin_user or ("guest" if vhost != "/" else None)
        for part in (_rights(vhost, names, full), _topology(vhost)):
            for key, items in part.items():
                out[key] += items
    return {"rabbit_version": "3.10.8", "users": users, "vhosts": [{"name": v} for v in vhosts], **out}


def _rights(vhost: str, names: list[str], full: str | None) -> dict[str, list[dict[str, object]]]:
    """Each user's permissions and topic permissions on `vhost`; `full` (if any) may do anything."""
    granted: list[dict[str, object]] = []
    topic_granted: list[dict[str, object]] = []
    if full:
        granted.append({"user": full, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"})
    for name in names:
        perms = permissions(name)
        granted.append({"user": name, "vhost": vhost, "configure": perms[0], "write": perms[1], "read": perms[2]})
        topic_granted += [
            {"user": name, "vhost": vhost, "exchange": ex, "write": w, "read": r}
            for ex, w, r in topic_permissions(name)
        ]
    return {"permissions": granted, "topic_permissions": topic_granted}


def _topology(vhost: str) -> dict[str, list[dict[str, object]]]:
    """What every vhost holds: the exchanges, the unrouted-events policy and queue, the archive
    stream bound to every contract routing key, and each subscribing system's history stream
    bound to its entitled keys."""
    policy = {
        "vhost": vhost,
        "name": "events-unrouted",
        "pattern": "^events$",
        "apply-to": "exchanges",
        "definition": UNROUTED_POLICY,
        "priority": 0,
    }
    exchanges: list[dict[str, object]] = [
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
    histories = [s for s in SUBSCRIBERS.systems if s.name in SUBSCRIBER_SYSTEMS]
    streams = [(UNROUTED, UNROUTED_QUEUE_ARGS), (ARCHIVE, ARCHIVE_QUEUE_ARGS)]
    streams += [(s.history, ARCHIVE_QUEUE_ARGS) for s in histories]
    queues: list[dict[str, object]] = [
        {"name": name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": args}
        for name, args in streams
    ]

    def binding(source: str, destination: str, key: str) -> dict[str, object]:
        return {
            "source": source,
            "vhost": vhost,
            "destination": destination,
            "destination_type": "queue",
            "routing_key": key,
            "arguments": {},
        }

    bindings = [binding("events", ARCHIVE, key) for key in contract_events()] + [binding(UNROUTED, UNROUTED, "")]
    # Each subscribing system's history: the archive of its own keys only (docs/events.md).
    bindings += [binding("events", s.history, key) for s in histories for key in s.keys]
    return {"policies": [policy], "exchanges": exchanges, "queues": queues, "bindings": bindings}


ADMIN_PASSWORD_VAR = "RABBITMQ_ADMIN_PASSWORD"


def password_variable(user: str, *, admin: str) -> str:
    """The environment variable holding `user`'s password in a deployment."""
    return ADMIN_PASSWORD_VAR if user == admin else f"{user.upper().replace('-', '_')}_AMQP_PASSWORD"


def deployment_passwords(admin: str, env: Mapping[str, str]) -> dict[str, str]:
    """Every user's password from `env`; refuses (naming each variable) an unset, empty or
    development one, so a deployment cannot come up with a password anyone can read in the repo."""
    if admin in (*SERVICES, *DISTRICT_SYSTEMS, *SUBSCRIBER_SYSTEMS):
        raise SystemExit(f"RABBITMQ_ADMIN_USER 不能与服务、区级系统或订阅系统的用户同名：{admin}")
    users = (admin, *SERVICES, *DISTRICT_SYSTEMS, *SUBSCRIBER_SYSTEMS)
    variables = {user: password_variable(user, admin=admin) for user in users}
    unfit = [v for user, v in variables.items() if env.get(v, "") in ("", f"{user}-dev-password")]
    if unfit:
        raise SystemExit("RabbitMQ 用户的密码未设置、为空或是开发密码，请在 .env 中设置：" + "、".join(unfit))
    return {user: env[v] for user, v in variables.items()}


def _write(path: Path, text: str) -> None:
    """Replace `path` whole (RabbitMQ never reads half a file); readable by the broker's own user."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as f:
        f.write(text)
    os.chmod(f.name, 0o644)
    os.replace(f.name, path)


def main() -> None:
    parser = argparse.ArgumentParser(description="Render RabbitMQ's definitions from the environment (Compose).")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args()
    admin = os.environ.get("RABBITMQ_ADMIN_USER") or "admin"
    passwords = deployment_passwords(admin, os.environ)
    rendered = definitions(["/"], admin_user=admin, passwords=passwords)
    text = json.dumps(rendered, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write(args.out, text)
        print(f"rabbitmq definitions: users {', '.join(passwords)} -> {args.out}")


if __name__ == "__main__":
    main()
