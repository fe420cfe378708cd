"""COPY helpers for batches: rows of any table, and a batch's outbox rows.

`add_outbox` writes the same rows as the kit's `shared.messaging.outbox.add` (same table,
same columns, inside the caller's transaction, so an org and its event still commit together)
but with one COPY, the payload serialised once by pydantic (`model_dump_json`) instead of
`model_dump` + the jsonb codec's `json.dumps` + an array parameter. COPY fires the outbox's
statement-level INSERT trigger, so the relay is woken as after the kit's INSERT. The kit's
`ON CONFLICT (event_id) DO NOTHING` has nothing to skip here: the events are new, their ids
fresh. To be moved into the kit (an `outbox.copy`), as the README says.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from shared.contracts.base import IntegrationEvent

_OUTBOX_COLUMNS = ["event_id", "routing_key", "payload", "correlation_id", "occurred_at"]


def _field(value: Any) -> str:
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
    """COPY rows into `table` in PostgreSQL's text format (None is NULL).

    Text, not binary, because the kit's JSON codecs are text codecs; not CSV, because CSV
    quoting of JSON columns (every `"` doubled) cost more than the rest of the row."""
    data = "".join("\t".join(map(_field, row)) + "\n" for row in rows).encode("utf-8")
    await conn.copy_to_table(table, source=io.BytesIO(data), columns=columns, format="text")


async def add_outbox(conn: asyncpg.Connection, events: Sequence[IntegrationEvent]) -> None:
    """Write a batch's events into the outbox inside the caller's open transaction, with one COPY."""
    if not events:
        return
    rows = ((e.event_id, e.routing_key, e.model_dump_json(), e.correlation_id, e.occurred_at) for e in events)
    await copy_rows(conn, "outbox", _OUTBOX_COLUMNS, rows)
