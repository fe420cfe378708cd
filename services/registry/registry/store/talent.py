"""SQL of talent cultivation: programmes, sessions, people, attendance, certificates, cohorts,
coaching and brand projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from registry.domain.talent import Programme
from shared.reference import PlatformLevel

_INSERT_PROGRAMME = """
INSERT INTO talent_programmes (programme_id, name, year, level, street_code, theme, agency_org_id,
                               required_sessions, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"""
_PROGRAMME = """SELECT programme_id, name, year, level, street_code, theme, agency_org_id, required_sessions
                FROM talent_programmes WHERE programme_id = $1"""
_PROGRAMMES = """
SELECT p.programme_id, p.name, p.year, p.level, p.street_code, p.theme, p.agency_org_id, o.name AS agency_name,
       p.required_sessions,
       (SELECT count(*) FROM talent_sessions s WHERE s.programme_id = p.programme_id) AS sessions,
       (SELECT count(*) FROM talent_enrolments e WHERE e.programme_id = p.programme_id) AS enrolled,
       (SELECT count(*) FROM talent_certificates c WHERE c.programme_id = p.programme_id) AS certified
FROM talent_programmes p JOIN orgs o ON o.org_id = p.agency_org_id
WHERE ($1::integer IS NULL OR p.year = $1)
ORDER BY p.year, p.level, p.name"""
_INSERT_SESSION = """INSERT INTO talent_sessions (session_id, programme_id, held_on, place, topic, trainer, hours)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"""
_SESSION = "SELECT session_id, programme_id, held_on FROM talent_sessions WHERE session_id = $1"
_INSERT_PEOPLE = """
INSERT INTO talent_people (person_id, name, role, org_id, street_code, phone)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[])"""
_ENROL = """INSERT INTO talent_enrolments (programme_id, person_id, enrolled_on)
            SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING"""
_ENROLLED = "SELECT person_id FROM talent_enrolments WHERE programme_id = $1"
_PEOPLE = """
SELECT p.person_id, p.name, p.role, p.org_id, p.street_code, p.phone, e.enrolled_on,
       (SELECT count(*) FROM talent_attendance a JOIN talent_sessions s USING (session_id)
        WHERE a.person_id = p.person_id AND s.programme_id = e.programme_id) AS attended,
       c.code AS certificate_code
FROM talent_enrolments e JOIN talent_people p USING (person_id)
LEFT JOIN talent_certificates c ON c.programme_id = e.programme_id AND c.person_id = p.person_id
WHERE e.programme_id = $1 ORDER BY e.enrolled_on, p.name, p.person_id"""
_ATTEND = """INSERT INTO talent_attendance (session_id, person_id) SELECT $1, unnest($2::uuid[])
             ON CONFLICT DO NOTHING"""
_PROGRESS = """
SELECT e.person_id, p.org_id,
       count(a.session_id) AS attended,
       COALESCE(sum(s.hours) FILTER (WHERE a.session_id IS NOT NULL), 0) AS hours,
       EXISTS (SELECT 1 FROM talent_certificates c WHERE c.programme_id = e.programme_id
               AND c.person_id = e.person_id) AS certified
FROM talent_enrolments e JOIN talent_people p USING (person_id)
LEFT JOIN talent_sessions s ON s.programme_id = e.programme_id
LEFT JOIN talent_attendance a ON a.session_id = s.session_id AND a.person_id = e.person_id
WHERE e.programme_id = $1
GROUP BY e.programme_id, e.person_id, p.org_id ORDER BY e.person_id"""
_SESSION_COUNT = "SELECT count(*) FROM talent_sessions WHERE programme_id = $1"
_CERTIFY = """INSERT INTO talent_certificates (code, programme_id, person_id, issued_on, hours)
              SELECT unnest($1::text[]), $2, unnest($3::uuid[]), $4, unnest($5::numeric[])"""
_CERTIFICATE = """
SELECT c.code, c.issued_on, c.hours, p.name AS person_name, p.role, pr.programme_id, pr.name AS programme_name,
       pr.year, pr.level, pr.street_code, o.name AS agency_name, p.org_id
FROM talent_certificates c JOIN talent_people p USING (person_id)
JOIN talent_programmes pr USING (programme_id) JOIN orgs o ON o.org_id = pr.agency_org_id
WHERE c.code = $1"""

_INSERT_COHORT = "INSERT INTO workshop_cohorts (cohort_id, name, year, starts_on) VALUES ($1, $2, $3, $4)"
_COHORT_ORGS = "INSERT INTO workshop_cohort_orgs (cohort_id, org_id) SELECT $1, unnest($2::uuid[])"
_COHORT = "SELECT cohort_id, name, year, starts_on FROM workshop_cohorts WHERE cohort_id = $1"
_MEMBERS = "SELECT org_id FROM workshop_cohort_orgs WHERE cohort_id = $1"
_INSERT_COACHING = """
INSERT INTO coaching_sessions (coaching_id, cohort_id, org_id, coach_org_id, held_on, topic, notes, hours)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""
_COACHING = """
SELECT c.coaching_id, c.cohort_id, w.name AS cohort_name, c.org_id, o.name AS org_name, c.coach_org_id,
       k.name AS coach_name, c.held_on, c.topic, c.notes, c.hours
FROM coaching_sessions c JOIN workshop_cohorts w USING (cohort_id) JOIN orgs o ON o.org_id = c.org_id
JOIN orgs k ON k.org_id = c.coach_org_id
WHERE ($1::uuid IS NULL OR c.org_id = $1) ORDER BY c.held_on, o.name, c.coaching_id"""
_INSERT_BRAND = """INSERT INTO brand_projects (brand_id, org_id, title, recognised_on, cohort_id)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, title) DO NOTHING"""

_STATS_PEOPLE = """
SELECT pr.year, pr.level,
       count(DISTINCT e.person_id) AS enrolled,
       count(DISTINCT a.person_id) AS trained,
       count(DISTINCT c.person_id) AS certified
FROM talent_programmes pr
LEFT JOIN talent_enrolments e ON e.programme_id = pr.programme_id
LEFT JOIN talent_sessions s ON s.programme_id = pr.programme_id
LEFT JOIN talent_attendance a ON a.session_id = s.session_id
LEFT JOIN talent_certificates c ON c.programme_id = pr.programme_id
GROUP BY pr.year, pr.level"""
_STATS_HOURS = """
SELECT pr.year, pr.level, count(DISTINCT pr.programme_id) AS programmes, count(s.session_id) AS sessions,
       COALESCE(sum(s.hours), 0) AS session_hours,
       COALESCE(sum(s.hours * (SELECT count(*) FROM talent_attendance a WHERE a.session_id = s.session_id)), 0)
           AS person_hours
FROM talent_programmes pr LEFT JOIN talent_sessions s ON s.programme_id = pr.programme_id
GROUP BY pr.year, pr.level"""
_STATS_COACHING = """
SELECT w.year, count(DISTINCT m.org_id) AS cohort_orgs,
       (SELECT count(DISTINCT c.org_id) FROM coaching_sessions c JOIN workshop_cohorts x USING (cohort_id)
        WHERE x.year = w.year) AS orgs_coached,
       (SELECT count(*) FROM coaching_sessions c JOIN workshop_cohorts x USING (cohort_id)
        WHERE x.year = w.year) AS coaching_sessions,
       (SELECT count(*) FROM brand_projects b JOIN workshop_cohorts x USING (cohort_id)
        WHERE x.year = w.year) AS brand_projects
FROM workshop_cohorts w JOIN workshop_cohort_orgs m USING (cohort_id) GROUP BY w.year"""
_BRANDS = "SELECT count(*) FROM brand_projects"


def _programme(row: asyncpg.Record) -> Programme:
    return Programme(
        programme_id=row["programme_id"],
        name=row["name"],
        year=row["year"],
        level=PlatformLevel(row["level"]),
        street_code=row["street_code"],
        theme=row["theme"],
        agency_org_id=row["agency_org_id"],
        required_sessions=row["required_sessions"],
    )


class TalentStore:
    """Talent programmes and workshops on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_programme(self, p: Programme, *, by: str) -> None:
        await self._conn.execute(
            _INSERT_PROGRAMME,
            p.programme_id,
            p.name,
            p.year,
            str(p.level),
            p.street_code,
            p.theme,
            p.agency_org_id,
            p.required_sessions,
            by,
        )

    async def programme(self, programme_id: UUID) -> Programme | None:
        row = await self._conn.fetchrow(_PROGRAMME, programme_id)
        return None if row is None else _programme(row)

    async def programmes(self, year: int | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_PROGRAMMES, year)]

    async def add_session(
        self, session_id: UUID, programme_id: UUID, held_on: date, place: str, topic: str, trainer: str, hours: Decimal
    ) -> None:
        await self._conn.execute(_INSERT_SESSION, session_id, programme_id, held_on, place, topic, trainer, hours)

    async def session_programme(self, session_id: UUID) -> UUID | None:
        row = await self._conn.fetchrow(_SESSION, session_id)
        return None if row is None else row["programme_id"]

    async def add_people(self, people: list[dict[str, Any]]) -> None:
        """People as `{person_id, name, role, org_id, street_code, phone}`."""
        cols = ("person_id", "name", "role", "org_id", "street_code", "phone")
        await self._conn.execute(_INSERT_PEOPLE, *([str(p[c]) if c == "role" else p[c] for p in people] for c in cols))

    async def enrol(self, programme_id: UUID, person_ids: list[UUID], on: date) -> None:
        await self._conn.execute(_ENROL, programme_id, person_ids, on)

    async def enrolled(self, programme_id: UUID) -> set[UUID]:
        return {r["person_id"] for r in await self._conn.fetch(_ENROLLED, programme_id)}

    async def people(self, programme_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_PEOPLE, programme_id)]

    async def attend(self, session_id: UUID, person_ids: list[UUID]) -> None:
        await self._conn.execute(_ATTEND, session_id, person_ids)

    async def progress(self, programme_id: UUID) -> tuple[int, list[dict[str, Any]]]:
        """The programme's session count and, per enrolled person, sessions attended, hours, whether certified."""
        sessions = await self._conn.fetchval(_SESSION_COUNT, programme_id)
        return int(sessions), [dict(r) for r in await self._conn.fetch(_PROGRESS, programme_id)]

    async def certify(self, programme_id: UUID, issued: list[tuple[str, UUID, Decimal]], on: date) -> None:
        """Certificates as (code, person id, hours)."""
        codes, people, hours = ([i[k] for i in issued] for k in range(3))
        await self._conn.execute(_CERTIFY, codes, programme_id, people, on, hours)

    async def certificate(self, code: str) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_CERTIFICATE, code)
        return None if row is None else dict(row)

    async def add_cohort(self, cohort_id: UUID, name: str, year: int, starts_on: date, org_ids: list[UUID]) -> None:
        await self._conn.execute(_INSERT_COHORT, cohort_id, name, year, starts_on)
        await self._conn.execute(_COHORT_ORGS, cohort_id, org_ids)

    async def cohort(self, cohort_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_COHORT, cohort_id)
        if row is None:
            return None
        return {**dict(row), "org_ids": {r["org_id"] for r in await self._conn.fetch(_MEMBERS, cohort_id)}}

    async def add_coaching(self, c: dict[str, Any]) -> None:
        await self._conn.execute(
            _INSERT_COACHING,
            c["coaching_id"],
            c["cohort_id"],
            c["org_id"],
            c["coach_org_id"],
            c["held_on"],
            c["topic"],
            c["notes"],
            c["hours"],
        )

    async def coaching(self, org_id: UUID | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_COACHING, org_id)]

    async def recognise_brand(self, brand_id: UUID, org_id: UUID, title: str, on: date, cohort_id: UUID | None) -> bool:
        """False when the organisation's project of that title was recognised already."""
        result = await self._conn.execute(_INSERT_BRAND, brand_id, org_id, title, on, cohort_id)
        return bool(result == "INSERT 0 1")

    async def figures(self) -> dict[str, Any]:
        """Rows per (year, level) of people and hours, per cohort year of coaching, and brand projects."""
        return {
            "people": [dict(r) for r in await self._conn.fetch(_STATS_PEOPLE)],
            "hours": [dict(r) for r in await self._conn.fetch(_STATS_HOURS)],
            "coaching": [dict(r) for r in await self._conn.fetch(_STATS_COACHING)],
            "brand_projects": int(await self._conn.fetchval(_BRANDS)),
        }
