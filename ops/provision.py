"""Idempotent provisioning of the local machine: one database and role per service (PUBLIC
has no CONNECT), and RabbitMQ vhosts, users, permissions and topic permissions (DESIGN §2.4).

    python -m ops.provision [--vhost /] [--vhost sogc_test]

Passwords come from the environment (`<SERVICE>_DB_PASSWORD`, `<SERVICE>_AMQP_PASSWORD`,
`<SYSTEM>_AMQP_PASSWORD`); the defaults are development passwords. The district systems are
those of ops/district-systems.toml (or of the file DISTRICT_SYSTEMS_FILE names).
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
import tempfile
from typing import Any

import asyncpg

from shared import districts

SERVICES = ("registry", "venture", "procurement", "notify")
# The district systems that get a broker user: those of the systems file, unless DISTRICT_SYSTEMS
# (comma-separated, possibly empty) names which of them a deployment runs.
DISTRICT_SYSTEMS = (
    tuple(s for s in os.environ["DISTRICT_SYSTEMS"].split(",") if s)
    if "DISTRICT_SYSTEMS" in os.environ
    else districts.load().names
)
# The broker refuses a larger message at publish (the publisher's channel is closed with 406).
# Events are small JSON (a demand is at most 64 KiB, see DemandPublished.max_body_bytes); the
# default of 128 MiB would let 64 prefetched messages hold 8 GiB of a consumer's memory.
MAX_MESSAGE_SIZE = 1024 * 1024
ADMIN_DSN = os.environ.get("PROVISION_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
_TEST_VHOSTS = ("sogc_test", "sogc_system", "sogc_demo", "sogc_security")
# A checkout with SOGC_TEST_NS set runs its suites on vhosts of its own (testkit/namespace.py).
_NS = os.environ.get("SOGC_TEST_NS", "")
VHOSTS = ("/", *_TEST_VHOSTS, *((f"{v}_{_NS}" for v in _TEST_VHOSTS) if _NS else ()))


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


def provision_rabbitmq(vhosts: list[str]) -> None:
    """One `rabbitmqctl import_definitions` (one Erlang VM start, not one per setting): users,
    vhosts, permissions, topic permissions, the unrouted-events policy, exchanges and queue."""
    from ops.rabbitmq_definitions import definitions

    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl not found: import the output of `python -m ops.rabbitmq_definitions` instead")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(definitions(vhosts), f)
        path = f.name
    try:
        os.chmod(path, 0o644)  # the broker's own user reads the file
        rabbitmqctl("import_definitions", path)
    finally:
        os.unlink(path)
    # The running node's setting (Compose sets it in ops/rabbitmq/rabbitmq.conf); channels
    # opened from now on enforce it.
    rabbitmqctl("eval", f"application:set_env(rabbit, max_message_size, {MAX_MESSAGE_SIZE}).")
    users = [*SERVICES, *DISTRICT_SYSTEMS]
    print(f"rabbitmq: vhosts {', '.join(vhosts)}: users {', '.join(users)} with their own permissions")
    print(f"rabbitmq: max_message_size {MAX_MESSAGE_SIZE} bytes")


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
