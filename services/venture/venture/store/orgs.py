"""The organisation read model, graduations and the register of funded projects: SQL and mapping."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from shared.contracts.registry import OrgSnapshot
from shared.readmodel import versioned_upsert
from venture.domain.orgs import CommunityGrant, FundedProject, Graduation, Org

_GET = """SELECT org_id, version, name, org_type, status, credit_code, street_code, community,
                 sponsor_org_id, is_support_org FROM orgs WHERE org_id = $1"""
_SNAPSHOT_COLUMNS = (
    "name",
    "org_type",
    "status",
    "credit_code",
    "street_code",
    "community",
    "sponsor_org_id",
    "is_support_org",
    "registered_on",
    "filed_on",
)
# Applied only when newer than the held snapshot: duplicates and late arrivals change nothing.
_UPSERT = versioned_upsert("orgs", "org_id", _SNAPSHOT_COLUMNS)


def _to_org(row: asyncpg.Record) -> Org:
    return Org(
        org_id=row["org_id"],
        version=row["version"],
        name=row["name"],
        org_type=row["org_type"],
        status=row["status"],
        credit_code=row["credit_code"],
        street_code=row["street_code"],
        community=row["community"],
        sponsor_org_id=row["sponsor_org_id"],
        is_support_org=row["is_support_org"],
    )


class OrgStore:
    """Organisations as registry reported them, their graduations, and the projects already funded."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, org_id: UUID) -> Org | None:
        row = await self._conn.fetchrow(_GET, org_id)
        return None if row is None else _to_org(row)

    async def apply_snapshot(self, snap: OrgSnapshot) -> bool:
        """Store the snapshot when newer than the stored one (the statement's guard holds against races too)."""
        applied = await self._conn.fetchval(
            _UPSERT,
            snap.org_id,
            snap.version,
            snap.name,
            str(snap.org_type),
            str(snap.status),
            snap.credit_code,
            snap.street_code,
            snap.community,
            snap.sponsor_org_id,
            snap.is_support_org,
            snap.registered_on,
            snap.filed_on,
        )
        return applied is not None

    async def record_graduation(self, org_id: UUID, registered_on: date | None, filed_on: date | None) -> None:
        await self._conn.execute(
            """INSERT INTO graduations (org_id, registered_on, filed_on) VALUES ($1, $2, $3)
               ON CONFLICT (org_id) DO UPDATE SET registered_on = COALESCE(graduations.registered_on, $2)""",
            org_id,
            registered_on,
            filed_on,
        )

    async def lock(self, org_id: UUID) -> None:
        """Serialise, per org, transactions that each write one half of a fact and read the other half
        (a graduation and a community-org grant), so one of them always sees both."""
        await self._conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7310102))", str(org_id))

    async def graduation(self, org_id: UUID) -> Graduation | None:
        row = await self._conn.fetchrow(
            "SELECT org_id, registered_on, filed_on FROM graduations WHERE org_id = $1", org_id
        )
        return None if row is None else Graduation(**dict(row))

    async def mark_incubatee_graduated(self, org_id: UUID, today: date) -> bool:
        """True the first time only: one incubatee_graduated per organisation."""
        status = await self._conn.execute(
            "INSERT INTO incubatee_graduations (org_id, recorded_on) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            org_id,
            today,
        )
        return str(status).endswith(" 1")

    async def community_grants_of(self, org_id: UUID) -> list[CommunityGrant]:
        """Grants the org received as a filed community group (what "cultivated" means here)."""
        rows = await self._conn.fetch(
            """SELECT g.id AS grant_id, g.street_code, r.number AS round_number FROM grants g
               JOIN rounds r ON r.id = g.round_id
               WHERE g.org_id = $1 AND g.applied_as = 'community' ORDER BY r.number""",
            org_id,
        )
        return [CommunityGrant(**dict(r)) for r in rows]

    async def add_funded_project(self, project: FundedProject) -> None:
        """Note a funded project; the same source's record twice changes nothing."""
        await self._conn.execute(
            """INSERT INTO funded_projects (source, source_id, org_id, title, title_key, funded_on)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
            project.source,
            project.source_id,
            project.org_id,
            project.title,
            project.title_key,
            project.funded_on,
        )

    async def find_funded(self, org_id: UUID, key: str) -> FundedProject | None:
        """The org's earliest funded project with this title key, if any."""
        row = await self._conn.fetchrow(
            """SELECT source, source_id, org_id, title, title_key, funded_on FROM funded_projects
               WHERE org_id = $1 AND title_key = $2 ORDER BY funded_on LIMIT 1""",
            org_id,
            key,
        )
        return None if row is None else FundedProject(**dict(row))
