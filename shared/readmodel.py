"""Read models kept from another service's versioned snapshots (an organisation's, from registry):
a snapshot is applied only when it is newer than the one held, so arrival order never matters."""

from __future__ import annotations

from collections.abc import Sequence


def versioned_upsert(table: str, key: str | Sequence[str], columns: Sequence[str], *, version: str = "version") -> str:
    """The statement that inserts a snapshot row, or replaces the held one when the new `version`
    is higher; `RETURNING 1` yields a row only when it was applied. Parameters are `$1…` in the
    order `*key, version, *columns` (`key` one column or a composite key's columns). Names are the
    caller's constants, never input."""
    keys = [key] if isinstance(key, str) else list(key)
    names = [*keys, version, *columns]
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (version, *columns))
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}, updated_at = now() "
        f"WHERE {table}.{version} < EXCLUDED.{version} RETURNING 1"
    )
