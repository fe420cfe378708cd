"""In-memory fakes of the store Protocols (`procurement.handlers.ports`), for the use cases' unit
tests: no broker, no database."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from procurement.domain.demand import Demand, DemandContent, DemandStatus, Refused
from procurement.domain.model import OrgView
from procurement.domain.project import Project
from shared.contracts.registry import OrgSnapshot
from shared.reference import OrgStatus, OrgType

_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class FakeDemands:
    def __init__(self) -> None:
        self.rows: dict[UUID, Demand] = {}

    async def insert(
        self, demand_id: UUID, source_system: str, demand_ref: str, c: DemandContent, via: str, by: str | None
    ) -> bool:
        if await self.by_ref(source_system, demand_ref) is not None:
            return False
        self.rows[demand_id] = Demand(
            id=demand_id,
            source_system=source_system,
            demand_ref=demand_ref,
            **c.__dict__,
            status=DemandStatus.COLLECTING,
            fingerprint=c.fingerprint(),
            revision=0,
            project_id=None,
            received_via=via,
            entered_by=by,
            created_at=_NOW,
            updated_at=_NOW,
        )
        return True

    async def by_ref(self, source_system: str, demand_ref: str) -> Demand | None:
        return next(
            (d for d in self.rows.values() if (d.source_system, d.demand_ref) == (source_system, demand_ref)), None
        )

    async def revise(self, demand_id: UUID, c: DemandContent) -> None:
        d = self.rows[demand_id]
        self.rows[demand_id] = replace(d, **c.__dict__, fingerprint=c.fingerprint(), revision=d.revision + 1)

    async def locked(self, ids: list[UUID]) -> list[Demand]:
        return [d for d in self.rows.values() if d.id in ids]  # inserted oldest first

    async def mark_sorted(self, ids: list[UUID], project_id: UUID) -> None:
        for i in ids:
            self.rows[i] = replace(self.rows[i], status=DemandStatus.SORTED, project_id=project_id)


class FakeRejected:
    def __init__(self) -> None:
        self.kept: dict[str, Refused] = {}

    async def keep(self, refused: Refused) -> bool:
        if refused.dedupe_key in self.kept:
            return False
        self.kept[refused.dedupe_key] = refused
        return True


class FakeProjects:
    """Keeps copies, as the database keeps documents: an unsaved change is lost."""

    def __init__(self, *projects: Project) -> None:
        self.saved: dict[UUID, Project] = {p.id: copy.deepcopy(p) for p in projects}

    async def get(self, project_id: UUID, *, lock: bool = False) -> Project | None:
        p = self.saved.get(project_id)
        return None if p is None else copy.deepcopy(p)

    async def save(self, p: Project) -> None:
        self.saved[p.id] = copy.deepcopy(p)


class FakeOrgs:
    def __init__(self, *orgs: OrgView) -> None:
        self.views = {o.org_id: o for o in orgs}
        self.versions: dict[UUID, int] = {}

    async def get(self, org_id: UUID) -> OrgView | None:
        return self.views.get(org_id)

    async def apply(self, org: OrgSnapshot) -> bool:
        if self.versions.get(org.org_id, 0) >= org.version:
            return False
        self.versions[org.org_id] = org.version
        self.views[org.org_id] = OrgView(
            org_id=org.org_id,
            name=org.name,
            org_type=OrgType(org.org_type),
            status=OrgStatus(org.status),
            credit_code=org.credit_code,
        )
        return True


class FakeGrants:
    def __init__(self) -> None:
        self.grants: dict[UUID, tuple[UUID, str]] = {}

    async def add(
        self, grant_id: UUID, org_id: UUID, title_key: str, title: str, amount: Decimal, awarded_on: date
    ) -> None:
        self.grants.setdefault(grant_id, (org_id, title_key))

    async def held_for(self, org_id: UUID, title_keys: list[str]) -> str | None:
        return next((str(g) for g, (o, k) in self.grants.items() if o == org_id and k in title_keys), None)
