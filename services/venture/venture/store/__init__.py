"""Every SQL statement of venture, by area; each class works on one connection."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from venture.store.claiming import ClaimingStore
from venture.store.contests import ContestStore
from venture.store.grants import GrantStore
from venture.store.orgs import OrgStore
from venture.store.queries import QueryStore
from venture.store.review import ObjectionStore, ReviewStore
from venture.store.rounds import ApplicationStore, RoundStore


@dataclass(frozen=True)
class Stores:
    """The service's stores on one connection (what units of work and consumers hand out)."""

    rounds: RoundStore
    applications: ApplicationStore
    review: ReviewStore
    objections: ObjectionStore
    grants: GrantStore
    orgs: OrgStore
    queries: QueryStore
    claiming: ClaimingStore
    contests: ContestStore


def stores(conn: asyncpg.Connection) -> Stores:
    return Stores(
        rounds=RoundStore(conn),
        applications=ApplicationStore(conn),
        review=ReviewStore(conn),
        objections=ObjectionStore(conn),
        grants=GrantStore(conn),
        orgs=OrgStore(conn),
        queries=QueryStore(conn),
        claiming=ClaimingStore(conn),
        contests=ContestStore(conn),
    )


__all__ = [
    "ApplicationStore",
    "ClaimingStore",
    "ContestStore",
    "GrantStore",
    "ObjectionStore",
    "OrgStore",
    "QueryStore",
    "ReviewStore",
    "RoundStore",
    "Stores",
    "stores",
]
