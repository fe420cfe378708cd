"""COPY helpers for batches, now the kit's: rows of any table (`shared.db.copy_rows`) and a batch's
outbox rows (`shared.messaging.outbox.add(..., fresh=True)`, the same rows as every other outbox
write, with one COPY, inside the caller's transaction so an org and its event commit together)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.contracts.base import IntegrationEvent
from shared.db import copy_rows
from shared.messaging import outbox


async def add_outbox(conn: asyncpg.Connection, events: Sequence[IntegrationEvent]) -> None:
    """Write a batch's events into the outbox inside the caller's open transaction, with one COPY."""
    await outbox.add(conn, events, fresh=True)


__all__ = ["add_outbox", "copy_rows"]
