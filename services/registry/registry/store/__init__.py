"""Every SQL statement of the registry, by area; each class works on one connection.

`stores(conn)` gathers them for the kit's `Service(…, stores=stores)`: units of work, reads and
consumers get a `Stores` on their connection, and no connection or record leaves a store.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from registry.store.orgs import HistoryEntry, OrgFilter, OrgStore
from registry.store.party import PartyStore
from registry.store.programmes import ProgrammeStore
from registry.store.spaces import SpaceStore
from registry.store.statistics import StatisticsStore
from registry.store.talent import TalentStore


@dataclass(frozen=True, slots=True)
class Stores:
    """The registry's stores on one connection (one transaction in a unit of work)."""

    orgs: OrgStore
    programmes: ProgrammeStore
    statistics: StatisticsStore
    talent: TalentStore
    party: PartyStore
    spaces: SpaceStore


def stores(conn: asyncpg.Connection) -> Stores:
    """The registry's stores on `conn`: what the kit hands to routes and consumers."""
    return Stores(
        orgs=OrgStore(conn),
        programmes=ProgrammeStore(conn),
        statistics=StatisticsStore(conn),
        talent=TalentStore(conn),
        party=PartyStore(conn),
        spaces=SpaceStore(conn),
    )


__all__ = [
    "HistoryEntry",
    "OrgFilter",
    "OrgStore",
    "PartyStore",
    "ProgrammeStore",
    "StatisticsStore",
    "Stores",
    "TalentStore",
    "stores",
]
