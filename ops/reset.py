"""Reset the system: the services' databases and, with them, the event archive.

    python -m ops.reset --yes [--vhost /] [--database-suffix ""]

Stop the services first. Every service's database is dropped and created again empty (the
services migrate it when they start); the archive `events.archive` and every subscribing system's
history stream `<system>.history` are emptied and begin a new epoch, whose marker is their first
message (ops/archive.py). So the archive never holds events of databases that no longer exist,
and a subscribing system that remembers an older epoch id learns from the first message of its
history stream that it must discard its data and read the history again (docs/events.md,
"History"). The marker also goes to every queue of a subscribing system (`<system>.*`), so a
system that only consumes its live queue hears of the reset too.

Restoring one database from a backup is the same kind of change to the record: the archive then
holds events the restored database never made. Run this with `--archive-only` after the restore
(the restored databases are kept; the archive starts a new, empty epoch).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
from urllib.parse import quote

import aio_pika
import asyncpg

from ops.accounts import SERVICES, SUBSCRIBERS
from ops.archive import epoch_marker, reset_archive
from ops.provision import ADMIN_DSN, provision_postgres


async def reset_databases(suffix: str) -> None:
    """Drop and create every service's database (`<service>` or `<service>_<suffix>`), owned by its role."""
    names = {f"{s}_{suffix}" if suffix else s: s for s in SERVICES}
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    await provision_postgres(names)


def subscriber_queues(vhost: str) -> list[str]:
    """The queues subscribing systems declared for themselves on `vhost` (not their history streams)."""
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "--no-table-headers"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    own = tuple(f"{s.name}." for s in SUBSCRIBERS.systems)
    histories = {s.history for s in SUBSCRIBERS.systems}
    return [q for q in out if q.startswith(own) and q not in histories]


async def tell_subscribers(amqp_url: str, queues: list[str], epoch_id: str, reason: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        for queue in queues:
            await channel.default_exchange.publish(epoch_marker(epoch_id, reason), routing_key=queue)
    finally:
        await connection.close()


async def reset(vhost: str, suffix: str, *, archive_only: bool, reason: str) -> str:
    if not archive_only:
        await reset_databases(suffix)
    base = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    url = base.rstrip("/") + "/" + quote(vhost, safe="")
    epoch = await reset_archive(url, reason)
    await tell_subscribers(url, subscriber_queues(vhost), epoch, reason)
    return epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--yes", action="store_true", help="really drop the databases and the archive")
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--database-suffix", default="", help="databases named <service>_<suffix>")
    parser.add_argument("--archive-only", action="store_true", help="after restoring a database from a backup")
    parser.add_argument("--reason", default="databases reset")
    args = parser.parse_args()
    if not args.yes:
        raise SystemExit("this drops every service's database and the event archive: add --yes")
    epoch = asyncio.run(reset(args.vhost, args.database_suffix, archive_only=args.archive_only, reason=args.reason))
    print(f"reset: {'archive' if args.archive_only else 'databases and archive'}; epoch {epoch} started")


if __name__ == "__main__":
    main()
