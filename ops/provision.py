"""Idempotent provisioning of the local machine: one database and role per service (PUBLIC
has no CONNECT), RabbitMQ vhosts, users, permissions and topic permissions (docs/architecture.md §4),
and the development issuer's key ring `var/issuer-keys/` if it is missing (its key ids start `dev-`;
production refuses them).

    python -m ops.provision [--vhost /] [--vhost sogc_test]

Passwords come from the environment (`<SERVICE>_DB_PASSWORD`, `<SERVICE>_AMQP_PASSWORD`,
`<SYSTEM>_AMQP_PASSWORD`); the defaults are development passwords. The district systems are
those of ops/district-systems.toml (or of the file DISTRICT_SYSTEMS_FILE names), the subscribing
systems those of ops/subscriber-systems.toml (or SUBSCRIBER_SYSTEMS_FILE).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote

import asyncpg

from ops.accounts import (
    ARCHIVE,
    DISTRICT_SYSTEMS,
    SERVICES,
    SUBSCRIBER_SYSTEMS,
    SUBSCRIBERS,
    password,
    service_permissions,
    service_topic_permissions,
    system_permissions,
    system_topic_permissions,
)
from ops.rabbitmq_definitions import definitions
from shared.auth import DEV_KEYS_DIR, KeyRing

# The broker refuses a larger message at publish (the publisher's channel is closed with 406).
# Events are small JSON (a demand is at most 64 KiB, see DemandPublished.max_body_bytes); the
# default of 128 MiB would let 64 prefetched messages hold 8 GiB of a consumer's memory.
MAX_MESSAGE_SIZE = 1024 * 1024
ADMIN_DSN = os.environ.get("PROVISION_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
_TEST_VHOSTS = ("sogc_test", "sogc_system", "sogc_demo", "sogc_security")
# A checkout with SOGC_TEST_NS set runs its suites on vhosts of its own (testkit/namespace.py).
_NS = os.environ.get("SOGC_TEST_NS", "")
VHOSTS = ("/", *_TEST_VHOSTS, *((f"{v}_{_NS}" for v in _TEST_VHOSTS) if _NS else ()))


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


def provision_rabbitmq(vhosts: list[str]) -> None:
    """One `rabbitmqctl import_definitions` (one Erlang VM start, not one per setting): users,
    vhosts, permissions, topic permissions, the unrouted-events policy, exchanges and queue."""
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl not found: import the output of `python -m ops.rabbitmq_definitions` instead")
    existing = {vhost: asyncio.run(_streams_present(vhost)) for vhost in vhosts}
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
    for vhost, present in existing.items():
        if present is not None:
            asyncio.run(_open_new_streams(vhost, present))
    users = [*SERVICES, *DISTRICT_SYSTEMS, *SUBSCRIBER_SYSTEMS]
    print(f"rabbitmq: vhosts {', '.join(vhosts)}: users {', '.join(users)} with their own permissions")
    print(f"rabbitmq: max_message_size {MAX_MESSAGE_SIZE} bytes")


def _admin_url(vhost: str) -> str:
    base = os.environ.get("PROVISION_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    return base.rstrip("/") + "/" + quote(vhost, safe="")


async def _streams_present(vhost: str) -> set[str] | None:
    """Which of the archive and the history streams the vhost already holds (None: cannot tell)."""
    import aio_pika

    names = [ARCHIVE, *(s.history for s in SUBSCRIBERS.systems if s.name in SUBSCRIBER_SYSTEMS)]
    try:
        connection = await aio_pika.connect(_admin_url(vhost))
    except Exception:
        return None  # a new vhost, or no administrator login here: nothing to open
    found: set[str] = set()
    try:
        for name in names:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
                found.add(name)
            except aio_pika.exceptions.ChannelClosed:
                pass
    finally:
        await connection.close()
    return found


async def _open_new_streams(vhost: str, present: set[str]) -> None:
    """A new archive starts an epoch; a new history stream gets the epoch marker and the archive's past."""
    from ops import archive

    url = _admin_url(vhost)
    if ARCHIVE not in present:
        await archive.mark_epoch(url, "provisioned", [ARCHIVE])
    for system in SUBSCRIBERS.systems:
        if system.name in SUBSCRIBER_SYSTEMS and system.history not in present:
            copied = await archive.backfill(url, system, force=True)
            print(f"rabbitmq: {vhost}: {system.history} opened with {copied} archived event(s)")


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
    ring = KeyRing.ensure(DEV_KEYS_DIR, development=True)
    print(f"issuer: development key ring {DEV_KEYS_DIR.name}/ (active key {ring.active_kid})")
    print("provisioned", file=sys.stderr)


if __name__ == "__main__":
    main()

# The users, permissions and topology live in ops/accounts.py; these names stay importable from here.
__all__ = [
    "ARCHIVE",
    "DISTRICT_SYSTEMS",
    "MAX_MESSAGE_SIZE",
    "SERVICES",
    "VHOSTS",
    "provision_postgres",
    "provision_rabbitmq",
    "service_permissions",
    "service_topic_permissions",
    "system_permissions",
    "system_topic_permissions",
]
