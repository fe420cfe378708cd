"""Units of work: one transaction, the service's stores on its connection, and the events the use
cases caused, written to the outbox in that same transaction when the block ends without error.

    async with service.unit_of_work() as uow:
        org, events = await handlers.register(uow.stores.orgs, cmd, principal=who, now=now)
        uow.emit(events)

A use case never sees the transaction: it takes the stores it needs (narrow `Protocol`s) and
returns the events it caused; a route or a consumer opens the unit of work around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic

import asyncpg
from typing_extensions import TypeVar

from shared.contracts.base import IntegrationEvent
from shared.messaging import outbox

S = TypeVar("S", default=Any)  # a service that names no stores hands its handlers the connection
StoresFactory = Callable[[asyncpg.Connection], S]


class UnitOfWork(Generic[S]):
    """The stores of one transaction and the events to publish when it commits."""

    __slots__ = ("_conn", "_events", "stores")

    def __init__(self, conn: asyncpg.Connection, stores: S) -> None:
        self._conn, self.stores = conn, stores
        self._events: list[IntegrationEvent] = []

    def emit(self, events: Iterable[IntegrationEvent]) -> None:
        """Queue events for the outbox; they commit with the state change or not at all."""
        self._events.extend(events)

    async def flush(self) -> None:
        """Write the queued events to the outbox (in the open transaction)."""
        await outbox.add(self._conn, self._events)
        self._events = []
