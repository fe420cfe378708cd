"""Use cases of talent cultivation: programmes and their people, workshops, coaching, brand projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import structlog

from registry.access import check_street_scope
from registry.domain.talent import (
    PersonRole,
    Programme,
    check_cohort_member,
    check_hours,
    check_unenrolled,
    mask_name,
    new_certificate_code,
    normalise_code,
    not_future,
    text,
)
from registry.handlers.ports import AllianceLookup, OrgLookup, Talent
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import (
    BrandProjectRecognised,
    CoachingSessionRecorded,
    TalentCertificatesIssued,
    TalentProgrammeOpened,
    WorkshopCohortFormed,
)
from shared.errors import Conflict, Invalid, NotFound
from shared.reference import OrgStatus, PlatformLevel

log = structlog.get_logger("registry.talent")

_ACTIVE = (OrgStatus.REGISTERED, OrgStatus.FILED)


@dataclass(frozen=True)
class NewPerson:
    """A person to enrol: the least a programme needs to know."""

    name: str
    role: PersonRole
    org_id: UUID | None = None
    street_code: str | None = None
    phone: str | None = None


async def _active_org(orgs: OrgLookup, field: str, org_id: UUID) -> str:
    org = await orgs.get(org_id)
    if org is None or org.status not in _ACTIVE:
        raise Invalid(field, f"未知或已不在册的组织 {org_id}")
    return org.name


async def _programme(talent: Talent, programme_id: UUID, principal: Principal) -> Programme:
    programme = await talent.programme(programme_id)
    if programme is None:
        raise NotFound(f"培训项目 {programme_id} 不存在")
    check_street_scope(principal, programme.street_code)
    return programme


async def open_programme(
    orgs: OrgLookup,
    talent: Talent,
    *,
    name: str,
    year: int,
    level: PlatformLevel,
    street_code: str | None,
    theme: str,
    agency_org_id: UUID,
    required_sessions: int,
    principal: Principal,
    now: datetime,
) -> tuple[Programme, list[IntegrationEvent]]:
    """Open a programme at a level; a street officer opens only its own street's."""
    check_street_scope(principal, street_code)
    programme = Programme.open(
        programme_id=uuid4(),
        name=name,
        year=year,
        level=level,
        street_code=street_code,
        theme=theme,
        agency_org_id=agency_org_id,
        required_sessions=required_sessions,
        today=now.date(),
    )
    agency = await _active_org(orgs, "agency_org_id", agency_org_id)
    await talent.add_programme(programme, by=principal.sub)
    log.info("talent_programme_opened", programme_id=str(programme.programme_id), level=str(level))
    return programme, [
        TalentProgrammeOpened(
            programme_id=programme.programme_id,
            name=programme.name,
            year=year,
            level=level,
            street_code=street_code,
            theme=programme.theme,
            agency_org_id=agency_org_id,
            agency_name=agency,
            occurred_at=now,
        )
    ]


async def add_session(
    talent: Talent,
    programme_id: UUID,
    *,
    held_on: date,
    place: str,
    topic: str,
    trainer: str,
    hours: Decimal,
    principal: Principal,
) -> UUID:
    """A session of the programme: date, place, topic, trainer, hours."""
    await _programme(talent, programme_id, principal)
    session_id = uuid4()
    await talent.add_session(
        session_id,
        programme_id,
        held_on,
        text("place", place),
        text("topic", topic),
        text("trainer", trainer, limit=100),
        check_hours("hours", hours),
    )
    return session_id


async def enrol(
    orgs: OrgLookup,
    talent: Talent,
    programme_id: UUID,
    people: list[NewPerson],
    *,
    enrolled_on: date,
    principal: Principal,
) -> list[UUID]:
    """Enrol people (each a new person record); nothing is written if one of them is refused."""
    programme = await _programme(talent, programme_id, principal)
    rows: list[dict[str, Any]] = []
    ids: list[UUID] = []
    for i, p in enumerate(people):
        if p.org_id is not None:
            await _active_org(orgs, f"people.{i}.org_id", p.org_id)
        ids.append(uuid4())
        rows.append(
            {
                "person_id": ids[-1],
                "name": text(f"people.{i}.name", p.name, limit=50),
                "role": p.role,
                "org_id": p.org_id,
                "street_code": p.street_code or programme.street_code,
                "phone": p.phone,
            }
        )
    await talent.add_people(rows)
    await talent.enrol(programme_id, ids, enrolled_on)
    return ids


async def record_attendance(
    talent: Talent, session_id: UUID, person_ids: list[UUID], *, principal: Principal
) -> list[UUID]:
    """Who attended a session; every one must be enrolled in its programme (else nothing is written)."""
    programme_id = await talent.session_programme(session_id)
    if programme_id is None:
        raise NotFound(f"培训场次 {session_id} 不存在")
    await _programme(talent, programme_id, principal)
    present = check_unenrolled(person_ids, await talent.enrolled(programme_id))
    await talent.attend(session_id, present)
    return present


async def issue_certificates(
    talent: Talent, programme_id: UUID, *, principal: Principal, now: datetime
) -> tuple[list[dict[str, Any]], list[IntegrationEvent]]:
    """Certificates for everyone who completed the programme and has none yet."""
    programme = await _programme(talent, programme_id, principal)
    sessions, progress = await talent.progress(programme_id)
    due = [p for p in progress if not p["certified"] and programme.completes(p["attended"], sessions)]
    if not due:
        return [], []
    issued = [(new_certificate_code(programme.year), p["person_id"], Decimal(p["hours"])) for p in due]
    await talent.certify(programme_id, issued, now.date())
    org_ids = list(dict.fromkeys(p["org_id"] for p in due if p["org_id"] is not None))
    log.info("talent_certificates_issued", programme_id=str(programme_id), count=len(issued))
    event = TalentCertificatesIssued(
        programme_id=programme_id,
        programme_name=programme.name,
        issued_on=now.date(),
        count=len(issued),
        org_ids=org_ids,
        occurred_at=now,
    )
    return [{"code": c, "person_id": p, "hours": h} for c, p, h in issued], [event]


async def verify_certificate(talent: Talent, code: str) -> dict[str, Any]:
    """What anyone may check of a certificate: that it exists, for which programme, whose (masked)."""
    found = await talent.certificate(normalise_code(code))
    if found is None:
        raise NotFound(f"证书编号（code）{code} 不存在，请核对后重试", code="unknown_certificate")
    return {
        "code": found["code"],
        "valid": True,
        "holder": mask_name(found["person_name"]),
        "programme_name": found["programme_name"],
        "year": found["year"],
        "level": found["level"],
        "agency_name": found["agency_name"],
        "issued_on": found["issued_on"],
        "hours": found["hours"],
    }


async def certificate_for_print(talent: Talent, code: str, *, principal: Principal) -> dict[str, Any]:
    """The whole certificate (the holder's full name), for staff of the programme's scope to print."""
    found = await talent.certificate(normalise_code(code))
    if found is None:
        raise NotFound(f"证书编号（code）{code} 不存在，请核对后重试", code="unknown_certificate")
    check_street_scope(principal, found["street_code"])
    return found


async def form_cohort(
    orgs: OrgLookup, talent: Talent, *, name: str, year: int, starts_on: date, org_ids: list[UUID], now: datetime
) -> tuple[UUID, list[IntegrationEvent]]:
    """A workshop cohort of organisations (the article's 12 start-ups)."""
    if year > now.date().year:
        raise Invalid("year", f"年度 {year} 是将来的年份")
    members = list(dict.fromkeys(org_ids))
    if not members:
        raise Invalid("org_ids", "工作坊至少要有一家组织")
    for i, org_id in enumerate(members):
        await _active_org(orgs, f"org_ids.{i}", org_id)
    cohort_id = uuid4()
    name = text("name", name)
    await talent.add_cohort(cohort_id, name, year, starts_on, members)
    event = WorkshopCohortFormed(
        cohort_id=cohort_id, name=name, year=year, starts_on=starts_on, org_ids=members, occurred_at=now
    )
    return cohort_id, [event]


async def record_coaching(
    orgs: OrgLookup,
    talent: Talent,
    alliance: AllianceLookup,
    cohort_id: UUID,
    *,
    org_id: UUID,
    coach_org_id: UUID,
    held_on: date,
    topic: str,
    notes: str,
    hours: Decimal,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """A one-to-one coaching session of a cohort's organisation by an alliance member."""
    cohort = await talent.cohort(cohort_id)
    if cohort is None:
        raise NotFound(f"工作坊 {cohort_id} 不存在")
    check_cohort_member(org_id, cohort["org_ids"])
    await _active_org(orgs, "coach_org_id", coach_org_id)
    if await alliance.alliance_membership(coach_org_id) is None:
        raise Invalid("coach_org_id", f"组织 {coach_org_id} 不是创益汇成员，不能担任导师")
    not_future("held_on", held_on, now.date())
    coaching_id = uuid4()
    topic = text("topic", topic)
    await talent.add_coaching(
        {
            "coaching_id": coaching_id,
            "cohort_id": cohort_id,
            "org_id": org_id,
            "coach_org_id": coach_org_id,
            "held_on": held_on,
            "topic": topic,
            "notes": notes.strip()[:4000],
            "hours": check_hours("hours", hours),
        }
    )
    event = CoachingSessionRecorded(
        coaching_id=coaching_id,
        cohort_id=cohort_id,
        org_id=org_id,
        coach_org_id=coach_org_id,
        held_on=held_on,
        topic=topic,
        occurred_at=now,
    )
    return coaching_id, [event]


async def recognise_brand(
    orgs: OrgLookup,
    talent: Talent,
    *,
    org_id: UUID,
    title: str,
    recognised_on: date,
    cohort_id: UUID | None,
    now: datetime,
) -> tuple[UUID, list[IntegrationEvent]]:
    """The centre recognises an organisation's project as a brand project (品牌项目)."""
    org_name = await _active_org(orgs, "org_id", org_id)
    not_future("recognised_on", recognised_on, now.date())
    if cohort_id is not None:
        cohort = await talent.cohort(cohort_id)
        if cohort is None:
            raise Invalid("cohort_id", f"工作坊 {cohort_id} 不存在")
        check_cohort_member(org_id, cohort["org_ids"])
    brand_id, title = uuid4(), text("title", title)
    if not await talent.recognise_brand(brand_id, org_id, title, recognised_on, cohort_id):
        raise Conflict(f"该组织的“{title}”已被认定为品牌项目", code="already_recognised")
    event = BrandProjectRecognised(
        brand_id=brand_id,
        org_id=org_id,
        org_name=org_name,
        title=title,
        recognised_on=recognised_on,
        cohort_id=cohort_id,
        occurred_at=now,
    )
    return brand_id, [event]


async def statistics(talent: Talent) -> dict[str, Any]:
    """People trained per year and level, hours, organisations coached, brand projects."""
    raw = await talent.figures()
    hours = {(r["year"], r["level"]): r for r in raw["hours"]}
    rows = []
    for r in sorted(raw["people"], key=lambda r: (r["year"], r["level"])):
        h = hours[(r["year"], r["level"])]
        rows.append(
            {
                "year": r["year"],
                "level": r["level"],
                "programmes": h["programmes"],
                "sessions": h["sessions"],
                "enrolled": r["enrolled"],
                "trained": r["trained"],
                "certified": r["certified"],
                "session_hours": f"{h['session_hours']:.1f}",
                "person_hours": f"{h['person_hours']:.1f}",
            }
        )
    workshops = sorted(raw["coaching"], key=lambda r: r["year"])
    return {"programmes": rows, "workshops": workshops, "brand_projects": raw["brand_projects"]}


async def programme_in_scope(talent: Talent, programme_id: UUID, principal: Principal) -> Programme:
    """The programme, if `principal` is staff of its scope (its people are personal data)."""
    return await _programme(talent, programme_id, principal)
