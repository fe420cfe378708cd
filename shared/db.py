"""asyncpg pool with JSON codecs, and forward-only SQL migrations under an advisory lock."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import structlog

log = structlog.get_logger("shared.db")

KIT_MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_310_101  # any constant; one lock per database


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=dumps, decoder=json.loads, schema="pg_catalog")


async def connect(dsn: str) -> asyncpg.Connection:
    """A single connection with the same codecs as the pool's."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's reset query (advisory unlock, CLOSE ALL, UNLISTEN,
    RESET ALL): one round trip per transaction for session state this code never leaves behind
    (locks are transaction-scoped, LISTEN and the migration lock use their own connections).
    An open transaction is still rolled back by the pool."""


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, reset=_keep_session
    )
    assert pool is not None
    return pool


def migration_files(dirs: Sequence[Path]) -> list[tuple[str, Path]]:
    """Migrations in apply order: each directory in turn, files by name; ids are `<dir>/<file>`."""
    out: list[tuple[str, Path]] = []
    for d in dirs:
        prefix = "kit" if d == KIT_MIGRATIONS else d.parent.name
        out += [(f"{prefix}/{p.name}", p) for p in sorted(d.glob("*.sql"))]
    return out


async def migrate(conn: asyncpg.Connection, dirs: Sequence[Path]) -> list[str]:
    """Apply pending migrations, each in its own transaction; replicas wait on the lock."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {r["id"]: r["checksum"] for r in await conn.fetch("SELECT id, checksum FROM schema_migrations")}
        for mig_id, path in migration_files(dirs):
            sql = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if mig_id in done:
                if done[mig_id] != checksum:
                    # Forward-only: an applied file must never change; add a new one instead.
                    log.warning("migration_changed_after_apply", migration=mig_id)
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)", mig_id, checksum)
            applied.append(mig_id)
            log.info("migration_applied", migration=mig_id)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied


def _copy_field(value: Any) -> str:
    """One value in COPY's text format: `\\N` for NULL, str() of the rest (UUIDs, dates, enums),
    backslash and the row/column separators escaped (rare: names are whitespace-normalised,
    JSON escapes control characters itself)."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


async def copy_rows(conn: asyncpg.Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows into `table` in PostgreSQL's text format (None is NULL): the fastest bulk write.

    Text, not binary, because the kit's JSON codecs are text codecs; not CSV, because CSV
    quoting of JSON columns (every `"` doubled) cost more than the rest of the row."""
    data = "".join("\t".join(map(_copy_field, row)) + "\n" for row in rows).encode("utf-8")
    await conn.copy_to_table(table, source=io.BytesIO(data), columns=columns, format="text")
