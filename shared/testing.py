"""Helpers for tests against the real PostgreSQL and RabbitMQ (imported by conftest files)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import json
import os
import re
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import aio_pika
import asyncpg

from shared import db
from shared.auth import DEV_SECRET, Role, mint

ADMIN_DSN = os.environ.get("TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
# Two checkouts can run their suites on one machine side by side: with SOGC_TEST_NS set, every
# test database, vhost and port is their own (`make provision` provisions the namespaced vhosts).
NAMESPACE = os.environ.get("SOGC_TEST_NS", "")
PORT_OFFSET = int(os.environ.get("SOGC_TEST_PORT_OFFSET", "0"))


def namespaced(name: str) -> str:
    """A database or vhost name of this checkout's test namespace."""
    return f"{name}_{NAMESPACE}" if NAMESPACE else name


TEST_VHOST = os.environ.get("TEST_AMQP_VHOST", namespaced("sogc_test"))
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1:5672")
ADMIN_AMQP_URL = os.environ.get("TEST_ADMIN_AMQP_URL", f"amqp://guest:guest@{AMQP_HOST}/{TEST_VHOST}")

T = TypeVar("T")


def service_amqp_url(service: str) -> str:
    """The service's own RabbitMQ user on the test vhost, as provisioned."""
    return f"amqp://{service}:{service}-dev-password@{AMQP_HOST}/{TEST_VHOST}"


async def fresh_database(name: str, owner: str, *, migrations: Sequence[Path] = ()) -> str:
    """Drop and create database `name` (in the test namespace) owned by role `owner`; returns the owner's DSN.

    With `migrations` (directories in `db.migrate` order), the database is a copy of a template
    migrated once per run and per set of migration files (`CREATE DATABASE … TEMPLATE`): a test
    starts from the migrated schema in milliseconds instead of applying every migration again."""
    name = namespaced(name)
    template = await _migrated_template(name, owner, migrations) if migrations else None
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"{source}')
        await conn.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
    finally:
        await conn.close()
    return _dsn(owner, name)


def _dsn(owner: str, database: str) -> str:
    return f"postgresql://{owner}:{owner}-dev-password@127.0.0.1:5432/{database}"


def migrations_key(migrations: Sequence[Path]) -> str:
    """A digest of the migration files' ids and contents: a changed or added file makes a new key."""
    digest = hashlib.sha256()
    for mig_id, path in db.migration_files(migrations):
        digest.update(mig_id.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


_templates: dict[tuple[str, str], str] = {}  # (database, key) -> template made or found in this run


async def _migrated_template(database: str, owner: str, migrations: Sequence[Path]) -> str:
    """The name of `database`'s template for these migrations, made (once) if missing.

    Built under a temporary name and renamed when complete, so an interrupted build is never
    cloned; templates of other keys for the same database are dropped. An advisory lock keeps two
    processes of one namespace from building the same template twice."""
    key = migrations_key(migrations)
    cached = _templates.get((database, key))
    if cached is not None:
        return cached
    base = database.removesuffix(f"_{NAMESPACE}") if NAMESPACE else database
    template = namespaced(f"{base}_tpl_{key}")
    stale = re.compile(
        rf"{re.escape(base)}_tpl_[0-9a-f]{{12}}(_building)?{re.escape(f'_{NAMESPACE}' if NAMESPACE else '')}"
    )
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute("SELECT pg_advisory_lock(hashtext($1))", template)
        try:
            names = {r["datname"] for r in await admin.fetch("SELECT datname FROM pg_database")}
            for old in sorted(n for n in names if stale.fullmatch(n) and n != template):
                await admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            if template not in names:
                building = namespaced(f"{base}_tpl_{key}_building")
                await admin.execute(f'CREATE DATABASE "{building}" OWNER "{owner}"')
                await admin.execute(f'REVOKE CONNECT ON DATABASE "{building}" FROM PUBLIC')
                conn = await db.connect(_dsn(owner, building))
                try:
                    await db.migrate(conn, migrations)
                finally:
                    await conn.close()
                await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock(hashtext($1))", template)
    finally:
        await admin.close()
    _templates[(database, key)] = template
    return template


def service_migrations(package: str) -> list[Path]:
    """The migration directories a service applies at start-up, in order: the kit's, then its own."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, package
    return [db.KIT_MIGRATIONS, Path(spec.origin).parent / "migrations"]


async def purge_queues(prefix: str) -> None:
    """Delete the test vhost's queues a service named by `prefix` may have: its consumer queue
    for every known routing key and its dead-letter queue (a clean broker per test).

    Names are derived from the contracts rather than listed with rabbitmqctl, which starts an
    Erlang VM per call and takes seconds on a loaded machine; deleting a missing queue is a no-op.
    """
    from shared.contracts import EVENT_TYPES

    names = [f"{prefix}{key}" for key in EVENT_TYPES] + [f"{prefix}dlq"]
    connection = await aio_pika.connect(ADMIN_AMQP_URL)
    try:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
    finally:
        await connection.close()


def token(
    role: Role | str,
    *,
    sub: str = "tester",
    street: str | None = None,
    org_id: Any = None,
    ttl_seconds: int = 3600,
    secret: str = DEV_SECRET,
) -> dict[str, str]:
    """Authorization header for a role, signed with the development secret."""
    return {
        "Authorization": "Bearer "
        + mint(secret, sub=sub, role=role, street=street, org_id=org_id, ttl_seconds=ttl_seconds)
    }


async def eventually(check: Callable[[], Awaitable[T]], *, timeout: float = 15.0, interval: float = 0.1) -> T:
    """Poll `check` until it returns a truthy value; fail with the last value after `timeout`."""
    deadline = time.monotonic() + timeout
    last: T = await check()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")
        await asyncio.sleep(interval)
        last = await check()
    return last


class EventTap:
    """A temporary queue bound to `events` with some keys: what a test sees on the broker."""

    def __init__(self, *keys: str, url: str = ADMIN_AMQP_URL) -> None:
        self.keys, self.url = keys, url
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def __aenter__(self) -> EventTap:
        self._conn = await aio_pika.connect(self.url)
        channel = await self._conn.channel()
        exchange = await channel.declare_exchange("events", aio_pika.ExchangeType.TOPIC, durable=True)
        self._queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in self.keys:
            await self._queue.bind(exchange, key)
        await self._queue.consume(self._on_message, no_ack=True)
        return self

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.messages.append(message)

    def bodies(self, routing_key: str | None = None) -> list[dict[str, Any]]:
        return [json.loads(m.body) for m in self.messages if routing_key in (None, m.routing_key)]

    async def wait_for(self, routing_key: str, n: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            found = self.bodies(routing_key)
            return found if len(found) >= n else []

        return await eventually(enough, timeout=timeout)

    async def __aexit__(self, *exc: object) -> None:
        await self._conn.close()


@asynccontextmanager
async def served(
    app: Any, *, lifespan: Literal["auto", "on", "off"] = "on", http: Literal["httptools", "h11"] = "httptools"
) -> AsyncIterator[int]:
    """`app` served by uvicorn in this process on a free port of 127.0.0.1, for tests that need a
    real socket (what a client sees, not what an ASGI transport shows); yields the port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan=lifespan, http=http, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started or task.done()), timeout=60)
        if task.done():
            task.result()  # raises why it did not start
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class RawAnswer:
    """A server's answer to a raw request, and how much of the body the client had sent by then."""

    status: int
    headers: dict[str, str]
    body: bytes
    sent: int
    closed: bool


async def send_until_answered(port: int, head: str, body: Iterable[bytes], *, timeout: float = 10.0) -> RawAnswer:
    """Send a request's head, then its body piece by piece, and stop sending as soon as the server
    answers (as a client streaming a large upload would); fails if no answer comes within `timeout`
    of the last piece sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        await writer.drain()
        answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
        sent = 0
        for piece in body:
            if answer.done():
                break
            try:
                writer.write(piece)
                await writer.drain()
            except ConnectionError:  # the server answered and closed meanwhile
                break
            sent += len(piece)
            await asyncio.wait({answer}, timeout=0.01)  # the server (same event loop) gets its turn
        raw = await asyncio.wait_for(answer, timeout)
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines if ":" in h)}
        content = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), timeout)
        try:  # uvicorn keeps an idle connection open for 5 s: an earlier end is the server closing it
            closed = await asyncio.wait_for(reader.read(1), 1.0) == b""
        except ConnectionError:
            closed = True
        except TimeoutError:
            closed = False
        return RawAnswer(int(status_line.split()[1]), headers, content, sent, closed)
    finally:
        writer.close()


class RawTimestamp(int):
    """An AMQP timestamp sent as its raw 64 bits, whatever date (if any) it stands for."""


@contextmanager
def raw_timestamps() -> Iterator[None]:
    """Let RawTimestamp values through pamqp's encoder, as the `timestamp` property and as header
    values: tests send what other AMQP clients can send and pamqp itself refuses to encode."""
    import pamqp.encode as enc

    original_timestamp, original_value = enc.METHODS["timestamp"], enc.encode_table_value

    def timestamp(value: Any) -> bytes:
        return struct.pack(">Q", value) if isinstance(value, RawTimestamp) else original_timestamp(value)

    def table_value(value: Any) -> bytes:
        return b"T" + struct.pack(">Q", value) if isinstance(value, RawTimestamp) else original_value(value)

    enc.METHODS["timestamp"], enc.encode_table_value = timestamp, table_value
    try:
        yield
    finally:
        enc.METHODS["timestamp"], enc.encode_table_value = original_timestamp, original_value


class _NoId:
    hex = None


@contextmanager
def _without_message_id() -> Iterator[None]:
    """aiormq gives every message it publishes a random message_id when it has none; other
    clients (pika, the Java client) send none at all, and so does this block."""
    import aiormq.channel

    original = aiormq.channel.UUID
    aiormq.channel.UUID = lambda **_: _NoId()  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        aiormq.channel.UUID = original  # type: ignore[misc]


async def publish_message(
    url: str,
    routing_key: str,
    body: bytes,
    *,
    exchange: str = "events",
    timestamp: RawTimestamp | None = None,
    **properties: Any,
) -> None:
    """Publish one message with exactly the given properties (none set unless given, not even a
    message_id), as any AMQP client could: for tests of what consumers do with whatever arrives."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange, ensure=False)
        message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties)
        if timestamp is not None:
            message.timestamp = timestamp  # type: ignore[assignment]  # raw bits, see raw_timestamps
        with raw_timestamps(), contextlib.nullcontext() if message.message_id else _without_message_id():
            await target.publish(message, routing_key=routing_key)
    finally:
        await connection.close()
