"""In-memory stores for the use cases' unit tests: the Protocols of `registry/handlers/ports.py`,
kept in dicts, with the stores' own refusals (a duplicate code, a stale version, a second join).

No database, no broker: what a use case wrote is read back from these attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from registry.domain.organisation import Organisation
from registry.domain.platform import Platform
from registry.domain.uscc import ChecksumOverride
from registry.store.orgs import HistoryEntry
from shared.contracts.procurement import ProjectSigned
from shared.contracts.venture import GrantAwarded
from shared.errors import Conflict
from shared.reference import DISTRICT_CODE, STREETS, PlatformLevel


def seeded_platforms() -> dict[str, Platform]:
    """The district platform and the 17 street platforms, as the first migration seeds them."""
    platforms = {DISTRICT_CODE: Platform(DISTRICT_CODE, PlatformLevel.DISTRICT, "东城区社会组织指导服务中心")}
    for code, name in STREETS.items():
        platforms[code] = Platform(code, PlatformLevel.STREET, f"{name}社会组织服务平台", code, DISTRICT_CODE)
    return platforms


class FakeOrgs:
    """Organisations, history, overrides and platforms in memory (`ports.Orgs`)."""

    def __init__(self) -> None:
        self.orgs: dict[UUID, Organisation] = {}
        self.history: list[HistoryEntry] = []
        self.overrides: list[tuple[UUID, str, str, ChecksumOverride]] = []
        self.added_platforms: list[tuple[Platform, str]] = []
        self._platforms = seeded_platforms()

    def put(self, *orgs: Organisation) -> None:
        """Test set-up: organisations that are already in the registry."""
        for org in orgs:
            self.orgs[org.org_id] = org.copy()

    async def get(self, org_id: UUID, *, for_update: bool = False) -> Organisation | None:
        org = self.orgs.get(org_id)
        return None if org is None else org.copy()

    async def statuses(self, org_ids: Sequence[UUID]) -> dict[UUID, str]:
        return {i: str(self.orgs[i].status) for i in org_ids if i in self.orgs}

    async def code_taken(self, credit_code: str) -> bool:
        return bool(await self.codes_taken([credit_code]))

    async def codes_taken(self, codes: Sequence[str]) -> set[str]:
        known = {o.credit_code for o in self.orgs.values()}
        return {c for c in codes if c in known}

    async def insert_many(self, orgs: Sequence[Organisation]) -> None:
        if await self.codes_taken([o.credit_code for o in orgs if o.credit_code]):
            raise Conflict("统一社会信用代码已存在（重复登记）", code="duplicate_credit_code")
        self.put(*orgs)

    async def update(self, org: Organisation, *, expected_version: int) -> None:
        if self.orgs[org.org_id].version != expected_version:
            raise Conflict("该组织已被他人修改，请刷新后重试", code="version_conflict")
        self.orgs[org.org_id] = org.copy()

    async def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        self.history += entries

    async def record_override(self, org_id: UUID, code: str, failure: str, override: ChecksumOverride) -> None:
        self.overrides.append((org_id, code, failure, override))

    async def platform(self, code: str) -> Platform | None:
        return self._platforms.get(code)

    async def platforms(self) -> dict[str, Platform]:
        return dict(self._platforms)

    async def next_community_sequence(self, street_code: str) -> int:
        community = PlatformLevel.COMMUNITY
        return 1 + sum(p.level is community and p.street_code == street_code for p in self._platforms.values())

    async def add_platform(self, platform: Platform, *, by: str) -> None:
        self._platforms[platform.code] = platform
        self.added_platforms.append((platform, by))


class FakeProgrammes:
    """Party branches, the alliance and support history in memory
    (`ports.Branches`, `ports.Alliance`, `ports.SupportHistory`)."""

    def __init__(self) -> None:
        self.branches: dict[UUID, dict[str, Any]] = {}
        self.members: dict[UUID, UUID] = {}  # org id → branch id
        self.alliance: dict[UUID, tuple[str, date]] = {}
        self.grants: dict[UUID, GrantAwarded] = {}
        self.contracts: dict[UUID, ProjectSigned] = {}

    async def add_branch(
        self, branch_id: UUID, name: str, formed_on: date, street_code: str | None, form: str = "joint"
    ) -> None:
        self.branches[branch_id] = {
            "branch_id": branch_id,
            "name": name,
            "formed_on": formed_on,
            "street_code": street_code,
            "form": form,
            "status": "active",
        }

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None:
        branch = self.branches.get(branch_id)
        return None if branch is None else dict(branch)

    async def memberships(self, org_ids: list[UUID]) -> dict[UUID, UUID]:
        return {i: self.members[i] for i in org_ids if i in self.members}

    async def attach(self, branch_id: UUID, org_ids: list[UUID], on: date, *, kind: str = "attached") -> None:
        for org_id in org_ids:
            self.members[org_id] = branch_id

    async def join_alliance(self, org_id: UUID, category: str, joined_on: date) -> None:
        if org_id in self.alliance:
            raise Conflict("该组织已是创益汇成员", code="already_member")
        self.alliance[org_id] = (category, joined_on)

    async def record_grant(self, e: GrantAwarded) -> bool:
        fresh = e.grant_id not in self.grants
        self.grants.setdefault(e.grant_id, e)
        return fresh

    async def record_contract(self, e: ProjectSigned) -> bool:
        fresh = e.contract_id not in self.contracts
        self.contracts.setdefault(e.contract_id, e)
        return fresh


class FakeFigures:
    """The statistics' counts as the store returns them (`ports.Figures`), set by each test."""

    def __init__(self, *, by_year: list[dict[str, Any]] | None = None) -> None:
        self.year_rows = by_year or []
        self.asked: list[tuple[int, int]] = []
        self.street_rows: list[dict[str, Any]] = []
        self.status_rows: list[dict[str, Any]] = []
        self.coverage_row = {"branches": 0, "active_orgs": 0, "covered_orgs": 0}
        self.support_rows: list[dict[str, Any]] = []
        self.alliance_counts: dict[str, int] = {}

    async def by_year(self, from_year: int, to_year: int) -> list[dict[str, Any]]:
        self.asked.append((from_year, to_year))
        return [r for r in self.year_rows if from_year <= r["year"] <= to_year]

    async def by_street(self) -> list[dict[str, Any]]:
        return self.street_rows

    async def by_status(self) -> list[dict[str, Any]]:
        return self.status_rows

    async def coverage(self) -> dict[str, int]:
        return self.coverage_row

    async def support(self) -> list[dict[str, Any]]:
        return self.support_rows

    async def alliance(self) -> dict[str, int]:
        return self.alliance_counts
