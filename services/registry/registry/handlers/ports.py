"""What the use cases need of the stores: narrow interfaces, met by the classes in `registry/store/`
on a connection and by the in-memory fakes of the unit tests (`tests/unit/fakes.py`).

No connection and no database record crosses them: entities, plain values and dicts of plain
values go in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from registry.domain.organisation import Organisation
from registry.domain.party_depth import Census
from registry.domain.platform import Platform
from registry.domain.talent import Programme
from registry.domain.uscc import ChecksumOverride
from registry.store.orgs import HistoryEntry
from shared.contracts.procurement import ProjectSigned
from shared.contracts.venture import GrantAwarded


class OrgLookup(Protocol):
    """Organisations as they are, for use cases that decide about others' data."""

    async def get(self, org_id: UUID, *, for_update: bool = False) -> Organisation | None: ...

    async def statuses(self, org_ids: Sequence[UUID]) -> dict[UUID, str]: ...


class Orgs(OrgLookup, Protocol):
    """Organisations, their history and checksum overrides, and the platforms they sit on."""

    async def code_taken(self, credit_code: str) -> bool: ...

    async def codes_taken(self, codes: Sequence[str]) -> set[str]: ...

    async def insert_many(self, orgs: Sequence[Organisation]) -> None: ...

    async def update(self, org: Organisation, *, expected_version: int) -> None: ...

    async def add_history(self, entries: Sequence[HistoryEntry]) -> None: ...

    async def record_override(self, org_id: UUID, code: str, failure: str, override: ChecksumOverride) -> None: ...

    async def platform(self, code: str) -> Platform | None: ...

    async def platforms(self) -> dict[str, Platform]: ...

    async def next_community_sequence(self, street_code: str) -> int: ...

    async def add_platform(self, platform: Platform, *, by: str) -> None: ...


class Branches(Protocol):
    """Party branches and their organisations."""

    async def add_branch(
        self, branch_id: UUID, name: str, formed_on: date, street_code: str | None, form: str = "joint"
    ) -> None: ...

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None: ...

    async def memberships(self, org_ids: list[UUID]) -> dict[UUID, UUID]: ...

    async def attach(self, branch_id: UUID, org_ids: list[UUID], on: date, *, kind: str = "attached") -> None: ...


class Alliance(Protocol):
    """Members of the support alliance (创益汇)."""

    async def join_alliance(self, org_id: UUID, category: str, joined_on: date) -> None: ...


class SupportHistory(Protocol):
    """Grants and contracts the organisations received (from venture and procurement)."""

    async def record_grant(self, e: GrantAwarded) -> bool: ...

    async def record_contract(self, e: ProjectSigned) -> bool: ...


class Figures(Protocol):
    """The counts behind the statistics, as plain rows."""

    async def by_year(self, from_year: int, to_year: int) -> list[dict[str, Any]]: ...

    async def by_street(self) -> list[dict[str, Any]]: ...

    async def by_status(self) -> list[dict[str, Any]]: ...

    async def coverage(self) -> dict[str, int]: ...

    async def support(self) -> list[dict[str, Any]]: ...

    async def alliance(self) -> dict[str, int]: ...


class AllianceLookup(Protocol):
    """Whether an organisation is a member of the support alliance."""

    async def alliance_membership(self, org_id: UUID) -> dict[str, Any] | None: ...


class Talent(Protocol):
    """Talent programmes, their sessions, people and certificates; workshops, coaching, brand projects."""

    async def add_programme(self, p: Programme, *, by: str) -> None: ...

    async def programme(self, programme_id: UUID) -> Programme | None: ...

    async def add_session(
        self, session_id: UUID, programme_id: UUID, held_on: date, place: str, topic: str, trainer: str, hours: Decimal
    ) -> None: ...

    async def session_programme(self, session_id: UUID) -> UUID | None: ...

    async def add_people(self, people: list[dict[str, Any]]) -> None: ...

    async def enrol(self, programme_id: UUID, person_ids: list[UUID], on: date) -> None: ...

    async def enrolled(self, programme_id: UUID) -> set[UUID]: ...

    async def attend(self, session_id: UUID, person_ids: list[UUID]) -> None: ...

    async def progress(self, programme_id: UUID) -> tuple[int, list[dict[str, Any]]]: ...

    async def certify(self, programme_id: UUID, issued: list[tuple[str, UUID, Decimal]], on: date) -> None: ...

    async def certificate(self, code: str) -> dict[str, Any] | None: ...

    async def add_cohort(self, cohort_id: UUID, name: str, year: int, starts_on: date, org_ids: list[UUID]) -> None: ...

    async def cohort(self, cohort_id: UUID) -> dict[str, Any] | None: ...

    async def add_coaching(self, c: dict[str, Any]) -> None: ...

    async def recognise_brand(
        self, brand_id: UUID, org_id: UUID, title: str, on: date, cohort_id: UUID | None
    ) -> bool: ...

    async def figures(self) -> dict[str, Any]: ...


class Party(Protocol):
    """Branches' life and history, the census, 双报到 reports, branch activities, procurement projects."""

    async def branch(self, branch_id: UUID) -> dict[str, Any] | None: ...

    async def members(self, branch_id: UUID) -> list[UUID]: ...

    async def merge(self, branch_id: UUID, into: UUID, on: date) -> None: ...

    async def dissolve(self, branch_id: UUID, on: date) -> None: ...

    async def add_history(
        self,
        branch_id: UUID,
        kind: str,
        on: date,
        org_ids: list[UUID],
        *,
        other: UUID | None = None,
        reason: str | None = None,
        actor: str | None = None,
    ) -> None: ...

    async def record_census(
        self, org_id: UUID, street_code: str | None, c: Census, branch_id: UUID | None, *, by: str, at: datetime
    ) -> bool: ...

    async def census_rows(self, from_year: int, to_year: int) -> list[dict[str, Any]]: ...

    async def branches_by_year(self, from_year: int, to_year: int) -> dict[int, int]: ...

    async def add_report(self, report: dict[str, Any]) -> None: ...

    async def reports(self, from_year: int, to_year: int) -> list[dict[str, Any]]: ...

    async def add_activity(self, a: dict[str, Any]) -> None: ...

    async def record_project(
        self,
        project_id: UUID,
        *,
        title: str,
        purchaser_name: str,
        street_code: str | None,
        domain: str,
        budget_cny: Any,
        closes_on: date | None,
        rank: int,
        org_id: UUID | None = None,
    ) -> None: ...


class Spaces(Protocol):
    """Spaces, bookings, offices, service offers, open demands and fairs."""

    async def add_space(self, s: dict[str, Any], *, by: str) -> None: ...

    async def space(self, space_id: UUID) -> dict[str, Any] | None: ...

    async def taken(self, space_id: UUID, on: date) -> list[dict[str, Any]]: ...

    async def add_booking(
        self,
        booking_id: UUID,
        space_id: UUID,
        org_id: UUID,
        on: date,
        starts: time,
        ends: time,
        purpose: str,
        attendees: int,
        *,
        by: str,
    ) -> None: ...

    async def booking(self, booking_id: UUID) -> dict[str, Any] | None: ...

    async def set_status(self, booking_id: UUID, status: str, *, by: str, reason: str | None) -> None: ...

    async def offices_taken(self, space_id: UUID) -> list[dict[str, Any]]: ...

    async def allocate_office(
        self, allocation_id: UUID, space_id: UUID, org_id: UUID, starts_on: date, ends_on: date
    ) -> None: ...

    async def office(self, allocation_id: UUID) -> dict[str, Any] | None: ...

    async def end_office(self, allocation_id: UUID, on: date, reason: str) -> None: ...

    async def add_offer(self, o: dict[str, Any]) -> None: ...

    async def offers(self, domain: str | None = None) -> list[dict[str, Any]]: ...

    async def offer(self, offer_id: UUID) -> dict[str, Any] | None: ...

    async def open_demands(self) -> list[dict[str, Any]]: ...

    async def add_fair(
        self,
        fair_id: UUID,
        name: str,
        held_on: date,
        platform_code: str,
        theme: str,
        participants: list[dict[str, Any]],
    ) -> None: ...

    async def fair(self, fair_id: UUID) -> dict[str, Any] | None: ...

    async def add_match(
        self, match_id: UUID, fair_id: UUID, offer_id: UUID, demander: str, project_id: UUID | None
    ) -> bool: ...

    async def match(self, match_id: UUID) -> dict[str, Any] | None: ...

    async def agree(self, match_id: UUID, on: date, amount: Any) -> None: ...

    async def figures(self) -> dict[str, Any]: ...
