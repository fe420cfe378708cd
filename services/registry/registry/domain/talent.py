"""Talent cultivation (人才培养): programmes, sessions, enrolment, attendance, certificates,
workshop cohorts with one-to-one coaching, and brand projects. Rules only; no I/O."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from shared.errors import Invalid
from shared.reference import STREETS, PlatformLevel

# Crockford's base32 without I, L, O, U: a code read aloud or typed from paper is not mistaken.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class PersonRole(StrEnum):
    """Who the programmes train: organisations' leaders, social workers, community cadres."""

    ORG_LEADER = "org_leader"
    SOCIAL_WORKER = "social_worker"
    COMMUNITY_CADRE = "community_cadre"


def text(field: str, value: str, *, limit: int = 200) -> str:
    """Whitespace folded; empty is refused naming the field."""
    value = " ".join(value.split())
    if not value:
        raise Invalid(field, "不能为空")
    return value[:limit]


def not_future(field: str, value: date, today: date) -> date:
    if value > today:
        raise Invalid(field, "不能是将来的日期")
    return value


@dataclass(frozen=True)
class Programme:
    """A talent programme at one level of the platforms, taught by a commissioned agency."""

    programme_id: UUID
    name: str
    year: int
    level: PlatformLevel
    street_code: str | None
    theme: str
    agency_org_id: UUID
    required_sessions: int

    @classmethod
    def open(
        cls,
        *,
        programme_id: UUID,
        name: str,
        year: int,
        level: PlatformLevel,
        street_code: str | None,
        theme: str,
        agency_org_id: UUID,
        required_sessions: int,
        today: date,
    ) -> Programme:
        if year > today.year:
            raise Invalid("year", f"年度 {year} 是将来的年份")
        if level is PlatformLevel.DISTRICT and street_code is not None:
            raise Invalid("street_code", "区级项目不属于某个街道")
        if level is not PlatformLevel.DISTRICT and street_code not in STREETS:
            raise Invalid("street_code", "街道级和社区级项目须填写有效的街道代码")
        return cls(
            programme_id=programme_id,
            name=text("name", name),
            year=year,
            level=level,
            street_code=street_code,
            theme=text("theme", theme, limit=500),
            agency_org_id=agency_org_id,
            required_sessions=required_sessions,
        )

    def completes(self, attended: int, sessions: int) -> bool:
        """Whether someone who attended `attended` of `sessions` sessions completed the programme:
        the programme's required number, or every session when it names none."""
        needed = self.required_sessions or sessions
        return sessions > 0 and attended >= needed


def new_certificate_code(year: int) -> str:
    """A code anyone can check on the public page: `RC-<year>-` and ten random characters
    (50 bits: not guessable, so the public page cannot be walked)."""
    return f"RC-{year}-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def normalise_code(code: str) -> str:
    return code.strip().upper()


def mask_name(name: str) -> str:
    """What the public verification page shows of a person: the family name and a star per other
    character (王敏 → 王*), so a certificate can be checked without publishing who holds it."""
    return name[:1] + "*" * max(len(name) - 1, 1)


def check_hours(field: str, hours: Decimal) -> Decimal:
    if hours <= 0 or hours > 24:
        raise Invalid(field, "学时须大于 0 且不超过 24")
    return hours


def check_unenrolled(person_ids: list[UUID], enrolled: set[UUID]) -> list[UUID]:
    """Attendance is recorded only for people enrolled in the session's programme."""
    unique = list(dict.fromkeys(person_ids))
    for i, person_id in enumerate(unique):
        if person_id not in enrolled:
            raise Invalid(f"person_ids.{i}", f"人员 {person_id} 未报名该培训项目，不能记录出勤")
    return unique


def check_cohort_member(org_id: UUID, members: set[UUID]) -> None:
    if org_id not in members:
        raise Invalid("org_id", f"组织 {org_id} 不在该工作坊中")
