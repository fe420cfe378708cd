"""The narrow store interfaces the use cases take (the real ones are in `procurement.store`, the
in-memory fakes of the unit tests in `tests/unit/fakes.py`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from procurement.domain.demand import Demand, DemandContent, Refused
from procurement.domain.model import OrgView
from procurement.domain.needs import CommunityNeed
from procurement.domain.project import Project
from shared.contracts.registry import OrgSnapshot


class Demands(Protocol):
    async def insert(
        self, demand_id: UUID, source_system: str, demand_ref: str, c: DemandContent, via: str, by: str | None
    ) -> bool: ...
    async def by_ref(self, source_system: str, demand_ref: str) -> Demand | None: ...
    async def revise(self, demand_id: UUID, c: DemandContent) -> None: ...
    async def locked(self, ids: list[UUID]) -> list[Demand]: ...
    async def mark_sorted(self, ids: list[UUID], project_id: UUID) -> None: ...


class Rejected(Protocol):
    async def keep(self, refused: Refused) -> bool: ...


class Projects(Protocol):
    async def get(self, project_id: UUID, *, lock: bool = False) -> Project | None: ...
    async def save(self, p: Project) -> None: ...


class Orgs(Protocol):
    async def get(self, org_id: UUID) -> OrgView | None: ...


class OrgSnapshots(Protocol):
    async def apply(self, org: OrgSnapshot) -> bool: ...


class Grants(Protocol):
    async def add(
        self, grant_id: UUID, org_id: UUID, title_key: str, title: str, amount: Decimal, awarded_on: date
    ) -> None: ...
    async def held_for(self, org_id: UUID, title_keys: list[str]) -> str | None: ...


class Needs(Protocol):
    """Community needs (社区需求)."""

    async def add(self, n: CommunityNeed) -> None: ...
    async def locked(self, ids: list[UUID]) -> list[CommunityNeed]: ...
    async def save_decision(self, n: CommunityNeed) -> None: ...
    async def of_demands(self, demand_ids: list[UUID]) -> list[CommunityNeed]: ...
