"""Every SQL statement of procurement and the row ↔ entity mapping: one class per table group on a
connection; `stores(conn)` gathers them for the kit's units of work and consumers."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from procurement.store.demands import DemandStore, KeptRefusal, Refused, RejectedStore
from procurement.store.needs import NeedStore
from procurement.store.projects import ProjectStore, StatisticsStore, StatRow
from procurement.store.readmodels import GrantStore, OrgStore

__all__ = [
    "DemandStore",
    "GrantStore",
    "KeptRefusal",
    "NeedStore",
    "OrgStore",
    "ProjectStore",
    "Refused",
    "RejectedStore",
    "StatRow",
    "StatisticsStore",
    "Stores",
    "stores",
]


@dataclass(frozen=True)
class Stores:
    """The service's stores on one connection (one transaction in a unit of work)."""

    demands: DemandStore
    rejected: RejectedStore
    projects: ProjectStore
    statistics: StatisticsStore
    orgs: OrgStore
    grants: GrantStore
    needs: NeedStore


def stores(conn: asyncpg.Connection) -> Stores:
    return Stores(
        demands=DemandStore(conn),
        rejected=RejectedStore(conn),
        projects=ProjectStore(conn),
        statistics=StatisticsStore(conn),
        orgs=OrgStore(conn),
        grants=GrantStore(conn),
        needs=NeedStore(conn),
    )
