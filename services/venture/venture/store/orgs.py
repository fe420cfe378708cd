"""The organisation read model, graduations and the register of funded projects."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from shared.contracts.registry import OrgSnapshot
from venture.domain.orgs import Org

_GET = """SELECT org_id, version, name, org_type, status, credit_code, street_code, community,
                 sponsor_org_id, is_support_org FROM orgs WHERE org_id = $1"""
_UPSERT = """INSERT INTO orgs (org_id, version, name, org_type, status, credit_code, street_code, community,
                               sponsor_org_id, is_support_org, registered_on, filed_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (org_id) DO UPDATE SET
                 version = EXCLUDED.version, name = EXCLUDED.name, org_type = EXCLUDED.org_type,
                 status = EXCLUDED.status, credit_code = EXCLUDED.credit_code,
                 street_code = EXCLUDED.street_code, community = EXCLUDED.community,
                 sponsor_org_id = EXCLUDED.sponsor_org_id, is_support_org = EXCLUDED.is_support_org,
                 registered_on = EXCLUDED.registered_on, filed_on = EXCLUDED.filed_on, updated_at = now()
             WHERE orgs.version < EXCLUDED.version"""


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


async def get_org(conn: asyncpg.Connection, org_id: UUID) -> Org | None:
    row = await conn.fetchrow(_GET, org_id)
    return None if row is None else _to_org(row)


async def apply_snapshot(conn: asyncpg.Connection, snap: OrgSnapshot) -> bool:
    """Store the snapshot when newer than the stored one (the WHERE guards against races too)."""
    status = await conn.execute(
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
    return status.endswith(" 1")


async def record_graduation(
    conn: asyncpg.Connection, org_id: UUID, registered_on: date | None, filed_on: date | None
) -> None:
    await conn.execute(
        """INSERT INTO graduations (org_id, registered_on, filed_on) VALUES ($1, $2, $3)
           ON CONFLICT (org_id) DO UPDATE SET registered_on = COALESCE(graduations.registered_on, $2)""",
        org_id,
        registered_on,
        filed_on,
    )


async def lock_org(conn: asyncpg.Connection, org_id: UUID) -> None:
    """Serialise, per org, transactions that each write one half of a fact and read the other half
    (a graduation and a community-org grant), so one of them always sees both."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7310102))", str(org_id))


async def graduation(conn: asyncpg.Connection, org_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT org_id, registered_on, filed_on FROM graduations WHERE org_id = $1", org_id)


async def mark_incubatee_graduated(conn: asyncpg.Connection, org_id: UUID, today: date) -> bool:
    """True the first time only: one incubatee_graduated per organisation."""
    status = await conn.execute(
        "INSERT INTO incubatee_graduations (org_id, recorded_on) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        org_id,
        today,
    )
    return status.endswith(" 1")


async def community_grants_of(conn: asyncpg.Connection, org_id: UUID) -> list[asyncpg.Record]:
    """Grants the org received as a filed community group (what "cultivated" means here)."""
    return await conn.fetch(
        """SELECT g.id, g.street_code, r.number FROM grants g JOIN rounds r ON r.id = g.round_id
           WHERE g.org_id = $1 AND g.applied_as = 'community' ORDER BY r.number""",
        org_id,
    )


async def add_funded_project(
    conn: asyncpg.Connection, *, source: str, source_id: UUID, org_id: UUID, title: str, key: str, funded_on: date
) -> None:
    await conn.execute(
        """INSERT INTO funded_projects (source, source_id, org_id, title, title_key, funded_on)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        source,
        source_id,
        org_id,
        title,
        key,
        funded_on,
    )


async def find_funded(conn: asyncpg.Connection, org_id: UUID, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT source, source_id, title, funded_on FROM funded_projects
           WHERE org_id = $1 AND title_key = $2 ORDER BY funded_on LIMIT 1""",
        org_id,
        key,
    )
