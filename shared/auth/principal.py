"""Who calls: the roles of docs/architecture.md §4 and the principal a token names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    STREET_OFFICER = "street_officer"
    REVIEWER = "reviewer"
    MONITOR = "monitor"
    ORG = "org"
    DISTRICT_DEPARTMENT = "district_department"  # claim `purchaser`: a purchasing department's code
    COMMUNITY_WORKER = "community_worker"  # claims `street` and `community`: a community platform


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, role and the scope the role is limited to."""

    sub: str
    role: Role
    street: str | None = None
    org_id: UUID | None = None
    purchaser: str | None = None
    community: str | None = None

    def is_admin(self) -> bool:
        return self.role is Role.DISTRICT_ADMIN
