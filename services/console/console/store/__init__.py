"""Every SQL statement of the console, by area; `stores(conn)` gathers them for the kit's Service."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from console.store.accounts import AccountStore
from console.store.sessions import Client, Session, SessionStore


@dataclass(frozen=True, slots=True)
class Stores:
    """The console's stores on one connection (one transaction in a unit of work)."""

    accounts: AccountStore
    sessions: SessionStore


def stores(conn: asyncpg.Connection) -> Stores:
    return Stores(accounts=AccountStore(conn), sessions=SessionStore(conn))


__all__ = ["AccountStore", "Client", "Session", "SessionStore", "Stores", "stores"]
