"""HTTP routes of talent cultivation (人才培养): programmes, sessions, people, attendance,
certificates (a printable page for staff, a public check by code), workshops, coaching, brand projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ConfigDict, Field

from registry.access import ADMIN, READERS, WRITERS
from registry.api.common import now, service_of
from registry.domain.talent import PersonRole
from registry.handlers import talent as handlers
from shared.auth import Principal, Role, require
from shared.inputs import InputModel
from shared.paging import PAGED, PagingDep
from shared.reference import PlatformLevel

router = APIRouter(tags=["talent cultivation"])

LEVEL_NAMES = {"district": "区级", "street": "街道级", "community": "社区级"}


class _In(InputModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeIn(_In):
    name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    level: PlatformLevel
    street_code: str | None = Field(default=None, max_length=9)
    theme: str = Field(min_length=1, max_length=500)
    agency_org_id: UUID
    required_sessions: int = Field(default=0, ge=0, le=100)


class SessionIn(_In):
    held_on: date
    place: str = Field(min_length=1, max_length=200)
    topic: str = Field(min_length=1, max_length=200)
    trainer: str = Field(min_length=1, max_length=100)
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=1)


class PersonIn(_In):
    name: str = Field(min_length=1, max_length=50)
    role: PersonRole
    org_id: UUID | None = None
    phone: str | None = Field(default=None, max_length=40)


class EnrolIn(_In):
    people: list[PersonIn] = Field(min_length=1, max_length=500)
    enrolled_on: date


class AttendanceIn(_In):
    person_ids: list[UUID] = Field(min_length=1, max_length=500)


class CohortIn(_In):
    name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    starts_on: date
    org_ids: list[UUID] = Field(min_length=1, max_length=100)


class CoachingIn(_In):
    org_id: UUID
    coach_org_id: UUID
    held_on: date
    topic: str = Field(min_length=1, max_length=200)
    notes: str = Field(default="", max_length=4000)
    hours: Decimal = Field(default=Decimal("2.0"), gt=0, le=24, max_digits=4, decimal_places=1)


class BrandIn(_In):
    org_id: UUID
    title: str = Field(min_length=1, max_length=200)
    recognised_on: date
    cohort_id: UUID | None = None


CODE = Path(min_length=1, max_length=40, description="证书编号，如 RC-2016-…")


@router.post("/talent/programmes", status_code=201, summary="Open a talent programme (人才培养计划)")
async def open_programme(
    body: ProgrammeIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        programme, events = await handlers.open_programme(
            uow.stores.orgs, uow.stores.talent, **body.model_dump(), principal=who, now=now()
        )
        uow.emit(events)
    return {
        "programme_id": programme.programme_id,
        **events[0].model_dump(
            include={"name", "year", "level", "street_code", "theme", "agency_org_id", "agency_name"}
        ),
    }


@router.get(
    "/talent/programmes",
    summary="Talent programmes with their sessions, enrolments and certificates counted",
    responses=PAGED,
)
async def list_programmes(
    paging: PagingDep,
    request: Request,
    year: int | None = Query(default=None, ge=2000, le=2100),
    _: Principal = Depends(require(*READERS)),
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        return paging.of(await stores.talent.programmes(year))


@router.post("/talent/programmes/{programme_id}/sessions", status_code=201, summary="Add a session to a programme")
async def add_session(
    programme_id: UUID, body: SessionIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        session_id = await handlers.add_session(uow.stores.talent, programme_id, **body.model_dump(), principal=who)
    return {"session_id": session_id, "programme_id": programme_id}


@router.post("/talent/programmes/{programme_id}/enrolments", status_code=201, summary="Enrol people in a programme")
async def enrol(
    programme_id: UUID, body: EnrolIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    people = [handlers.NewPerson(**p.model_dump()) for p in body.people]
    async with service_of(request).unit_of_work() as uow:
        ids = await handlers.enrol(
            uow.stores.orgs, uow.stores.talent, programme_id, people, enrolled_on=body.enrolled_on, principal=who
        )
    return {"programme_id": programme_id, "person_ids": ids}


@router.get(
    "/talent/programmes/{programme_id}/people",
    summary="The people enrolled (personal data: staff of the programme's scope)",
    responses=PAGED,
)
async def people(
    paging: PagingDep, programme_id: UUID, request: Request, who: Principal = Depends(require(*WRITERS))
) -> list[dict[str, Any]]:
    async with service_of(request).reading() as stores:
        await handlers.programme_in_scope(stores.talent, programme_id, who)
        return paging.of(await stores.talent.people(programme_id))


@router.post("/talent/sessions/{session_id}/attendance", summary="Record who attended a session")
async def attendance(
    session_id: UUID, body: AttendanceIn, request: Request, who: Principal = Depends(require(*WRITERS))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        present = await handlers.record_attendance(uow.stores.talent, session_id, body.person_ids, principal=who)
    return {"session_id": session_id, "present": present}


@router.post("/talent/programmes/{programme_id}/certificates", summary="Issue certificates to those who completed")
async def certify(programme_id: UUID, request: Request, who: Principal = Depends(require(*WRITERS))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        issued, events = await handlers.issue_certificates(uow.stores.talent, programme_id, principal=who, now=now())
        uow.emit(events)
    return {"programme_id": programme_id, "issued": issued}


@router.get(
    "/talent/certificates/{code}", response_class=HTMLResponse, summary="A certificate's printable page (staff)"
)
async def printable(request: Request, code: str = CODE, who: Principal = Depends(require(*WRITERS))) -> HTMLResponse:
    async with service_of(request).reading() as stores:
        c = await handlers.certificate_for_print(stores.talent, code, principal=who)
    return HTMLResponse(_certificate_page(c))


@router.get("/public/certificates/{code}", summary="Check a certificate by its code (anyone; the holder's name masked)")
async def verify(request: Request, code: str = CODE) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.verify_certificate(stores.talent, code)


@router.post("/talent/cohorts", status_code=201, summary="Form a workshop cohort (封闭式工作坊)")
async def form_cohort(body: CohortIn, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        cohort_id, events = await handlers.form_cohort(
            uow.stores.orgs, uow.stores.talent, **body.model_dump(), now=now()
        )
        uow.emit(events)
    return {"cohort_id": cohort_id, "org_ids": events[0].model_dump()["org_ids"]}


@router.post("/talent/cohorts/{cohort_id}/coaching", status_code=201, summary="Record a one-to-one coaching session")
async def coach(
    cohort_id: UUID, body: CoachingIn, request: Request, who: Principal = Depends(require(*ADMIN))
) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        coaching_id, events = await handlers.record_coaching(
            uow.stores.orgs, uow.stores.talent, uow.stores.programmes, cohort_id, **body.model_dump(), now=now()
        )
        uow.emit(events)
    return {"coaching_id": coaching_id, "cohort_id": cohort_id}


@router.get(
    "/talent/coaching", summary="Coaching sessions with their notes (staff; an organisation its own)", responses=PAGED
)
async def coaching(
    paging: PagingDep,
    request: Request,
    org_id: UUID | None = None,
    who: Principal = Depends(require(*READERS, Role.ORG)),
) -> list[dict[str, Any]]:
    if who.role is Role.ORG:
        org_id = who.org_id
    async with service_of(request).reading() as stores:
        return paging.of(await stores.talent.coaching(org_id))


@router.post("/talent/brand-projects", status_code=201, summary="Recognise a brand project (品牌项目)")
async def brand(body: BrandIn, request: Request, who: Principal = Depends(require(*ADMIN))) -> dict[str, Any]:
    async with service_of(request).unit_of_work() as uow:
        brand_id, events = await handlers.recognise_brand(
            uow.stores.orgs, uow.stores.talent, **body.model_dump(), now=now()
        )
        uow.emit(events)
    return {
        "brand_id": brand_id,
        **events[0].model_dump(mode="json", include={"org_id", "org_name", "title", "recognised_on"}),
    }


@router.get("/statistics/talent", summary="People trained per year and level, hours, organisations coached")
async def talent_statistics(request: Request, _: Principal = Depends(require(*READERS))) -> dict[str, Any]:
    async with service_of(request).reading() as stores:
        return await handlers.statistics(stores.talent)


def _certificate_page(c: dict[str, Any]) -> str:
    level = LEVEL_NAMES.get(c["level"], c["level"])
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>结业证书 {escape(c["code"])}</title>
<style>body{{font-family:serif;max-width:42em;margin:3em auto;text-align:center}}
h1{{letter-spacing:.5em}} .code{{font-family:monospace;margin-top:3em}}</style></head>
<body><h1>结业证书</h1>
<p><strong>{escape(c["person_name"])}</strong> 同志：</p>
<p>参加{escape(str(c["year"]))}年度{escape(level)}社会组织人才培养项目“{escape(c["programme_name"])}”
（承办：{escape(c["agency_name"])}），完成学习 {escape(str(c["hours"]))} 学时，准予结业。</p>
<p>东城区社会组织指导服务中心<br>{escape(c["issued_on"].strftime("%Y年%m月%d日"))}</p>
<p class="code">证书编号：{escape(c["code"])}<br>核验：/public/certificates/{escape(c["code"])}</p>
</body></html>"""
