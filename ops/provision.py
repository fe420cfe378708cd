"""Idempotent provisioning of the local machine: one database and role per service (PUBLIC
has no CONNECT), and RabbitMQ vhosts, users, permissions and topic permissions (DESIGN §2.4).

    python -m ops.provision [--vhost /] [--vhost sogc_test]

Passwords come from the environment (`<SERVICE>_DB_PASSWORD`, `<SERVICE>_AMQP_PASSWORD`,
`<SYSTEM>_AMQP_PASSWORD`); the defaults are development passwords.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

import asyncpg

SERVICES = ("registry", "venture", "procurement", "notify")
DISTRICT_SYSTEMS = tuple(s for s in os.environ.get("DISTRICT_SYSTEMS", "district-demo").split(",") if s)
ADMIN_DSN = os.environ.get("PROVISION_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
VHOSTS = ("/", "sogc_test", "sogc_system", "sogc_demo", "sogc_security")


def password(name: str, kind: str) -> str:
    env = f"{name.upper().replace('-', '_')}_{kind}_PASSWORD"
    return os.environ.get(env, f"{name}-dev-password")


async def provision_postgres(databases: dict[str, str]) -> None:
    """`databases` maps database name to owning role."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        for service in SERVICES:
            pw = password(service, "DB")
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", service)
            verb = "ALTER" if exists else "CREATE"
            # Identifiers are our own constants; the password is quoted by PostgreSQL itself.
            quoted = await conn.fetchval("SELECT quote_literal($1)", pw)
            await conn.execute(f'{verb} ROLE "{service}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {quoted}')
        for name, owner in databases.items():
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
            await conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
            await conn.execute(f'REVOKE CONNECT, TEMPORARY ON DATABASE "{name}" FROM PUBLIC')
            await conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{owner}"')
            print(f"postgres: database {name} owned by {owner}, no PUBLIC connect")
    finally:
        await conn.close()


def rabbitmqctl(*args: str, ok_if: str | None = None) -> None:
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True)
    if result.returncode != 0 and not (ok_if and ok_if in (result.stderr + result.stdout)):
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")


def service_permissions(service: str) -> tuple[str, str, str]:
    """configure, write, read: the shared exchanges and the service's own `<service>.*` queues."""
    own = re.escape(service) + r"\..*"
    return (
        rf"^(events|events\.dlx|{own})$",
        rf"^(events|events\.dlx|{own}|amq\.default)$",
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
    """A district system publishes only `district.*` and may read the answers to its demands."""
    return [("events", r"^district\.", rf"^(procurement\.demand_(accepted|rejected)\..*|{re.escape(system)}\..*)$")]


UNROUTED = "events.unrouted"
UNROUTED_POLICY = {"alternate-exchange": UNROUTED}
UNROUTED_QUEUE_ARGS: dict[str, Any] = {"x-queue-type": "quorum", "x-max-length": 100_000, "x-overflow": "drop-head"}


def declare_unrouted(vhost: str) -> None:
    """Nothing published to `events` vanishes: what no queue is bound for (an unknown version,
    a key nobody consumes yet) goes to the alternate exchange and is kept in `events.unrouted`."""
    rabbitmqctl(
        "set_policy",
        "-p",
        vhost,
        "--apply-to",
        "exchanges",
        "events-unrouted",
        r"^events$",
        json.dumps(UNROUTED_POLICY),
    )
    asyncio.run(_declare_unrouted(vhost))


async def _declare_unrouted(vhost: str) -> None:
    import aio_pika

    admin = os.environ.get("PROVISION_ADMIN_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
    conn = await aio_pika.connect(admin.rstrip("/") + "/" + ("" if vhost == "/" else vhost))
    try:
        channel = await conn.channel()
        await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        await channel.declare_exchange("events.dlx", aio_pika.ExchangeType.TOPIC, durable=True)
        exchange = await channel.declare_exchange(UNROUTED, aio_pika.ExchangeType.FANOUT, durable=True)
        queue = await channel.declare_queue(UNROUTED, durable=True, arguments=UNROUTED_QUEUE_ARGS)
        await queue.bind(exchange)
    finally:
        await conn.close()


def provision_rabbitmq(vhosts: list[str]) -> None:
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl not found: provision RabbitMQ from ops/rabbitmq/definitions.json instead")
    users = [(s, password(s, "AMQP")) for s in SERVICES] + [(d, password(d, "AMQP")) for d in DISTRICT_SYSTEMS]
    for user, pw in users:
        rabbitmqctl("add_user", user, pw, ok_if="already exists")
        rabbitmqctl("change_password", user, pw)
    for vhost in vhosts:
        rabbitmqctl("add_vhost", vhost, ok_if="already exists")
        if vhost != "/":
            rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        declare_unrouted(vhost)
        grants = [(s, service_permissions(s), service_topic_permissions(s)) for s in SERVICES]
        grants += [(d, system_permissions(d), system_topic_permissions(d)) for d in DISTRICT_SYSTEMS]
        for user, perms, topics in grants:
            rabbitmqctl("set_permissions", "-p", vhost, user, *perms)
            for exchange, write, read in topics:
                rabbitmqctl("set_topic_permissions", "-p", vhost, user, exchange, write, read)
        print(f"rabbitmq: vhost {vhost}: users {', '.join(u for u, _ in users)} with own permissions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--vhost", action="append", help="RabbitMQ vhost(s) to provision (default: /, sogc_test and sogc_system)"
    )
    parser.add_argument("--skip-rabbitmq", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    if not args.skip_postgres:
        asyncio.run(provision_postgres({s: s for s in SERVICES}))
    if not args.skip_rabbitmq:
        provision_rabbitmq(args.vhost or list(VHOSTS))
    print("provisioned", file=sys.stderr)


if __name__ == "__main__":
    main()
