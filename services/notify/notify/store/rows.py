"""Row ↔ dataclass mapping shared by the stores, and the advisory lock they take."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")

_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 7310104))"


def record(cls: type[T], row: asyncpg.Record) -> T:
    """The dataclass `cls` from the row's columns of the same names."""
    return cls(**{f.name: row[f.name] for f in fields(cls)})  # type: ignore[arg-type]


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def lock(conn: asyncpg.Connection, name: str) -> None:
    """A transaction-scoped lock on a name (released at commit or rollback)."""
    await conn.execute(_LOCK, name)
