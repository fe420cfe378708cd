"""Use cases fed by other contexts' events: the org read model, graduation, funded projects."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import structlog

from shared.contracts.base import IntegrationEvent
from shared.contracts.procurement import ProjectSigned
from shared.contracts.registry import OrgSnapshot
from shared.contracts.venture import IncubateeGraduated
from venture.domain.orgs import title_key
from venture.store import orgs as store

log = structlog.get_logger("venture.registry")


async def record_org(conn: asyncpg.Connection, snap: OrgSnapshot) -> bool:
    """Keep the newest snapshot of an org; an older or repeated one changes nothing."""
    applied = await store.apply_snapshot(conn, snap)
    log.info("org_snapshot", org_id=str(snap.org_id), version=snap.version, applied=applied)
    return applied


async def record_graduation(
    conn: asyncpg.Connection, snap: OrgSnapshot, *, registered_on: date | None, filed_on: date | None, today: date
) -> list[IntegrationEvent]:
    """Note a filed group's registration; tell others when it is one venture cultivated."""
    await record_org(conn, snap)
    await store.record_graduation(conn, snap.org_id, registered_on, filed_on)
    return await incubatee_event(conn, snap.org_id, today=today)


async def incubatee_event(conn: asyncpg.Connection, org_id: UUID, *, today: date) -> list[IntegrationEvent]:
    """`incubatee_graduated` once per org, when both the graduation and a community-org grant are known.

    Called on graduation and again on every award, so the order in which the two become known
    does not matter. Each caller has written its half before taking the lock, and reads the other
    half after it, so concurrent graduation and award cannot both miss each other.
    """
    await store.lock_org(conn, org_id)
    grad = await store.graduation(conn, org_id)
    if grad is None:
        return []
    grants = await store.community_grants_of(conn, org_id)
    if not grants:
        return []
    if not await store.mark_incubatee_graduated(conn, org_id, today):
        return []
    org = await store.get_org(conn, org_id)
    log.info("incubatee_graduated", org_id=str(org_id))
    return [
        IncubateeGraduated(
            org_id=org_id,
            org_name=org.name if org else "",
            credit_code=org.credit_code if org else None,
            street_code=(org.street_code if org else None) or grants[0]["street_code"],
            registered_on=grad["registered_on"],
            grant_ids=[g["id"] for g in grants],
            round_numbers=sorted({g["number"] for g in grants}),
        )
    ]


async def record_procurement_project(conn: asyncpg.Connection, event: ProjectSigned) -> None:
    """A project procurement signed is funded: venture will not fund the same project again."""
    await store.add_funded_project(
        conn,
        source="procurement",
        source_id=event.project_id,
        org_id=event.org_id,
        title=event.title,
        key=title_key(event.title),
        funded_on=event.signed_on,
    )
