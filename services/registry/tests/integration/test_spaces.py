"""Free space and resource matching: rooms booked on working days with approval, conflicts refused,
cancellations and no-shows; offices for incubated organisations (出壳); service offers matched to
open procurement demands from procurement's events; fairs with matches and agreements."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from shared.clock import DISTRICT_ZONE
from shared.workdays import WorkCalendar
from testkit import eventually, token

from .helpers import registration
from .test_party_depth import _solicitation
from .test_support_history import contract, send

ADMIN = token("district_admin", sub="alice")
DONGSI = token("street_officer", sub="bob", street="110101006")
BEIXINQIAO = token("street_officer", sub="dan", street="110101005")
CAL = WorkCalendar()


def _today() -> date:
    return datetime.now(DISTRICT_ZONE).date()  # the registry's today is Dongcheng's


def _next(workday: bool) -> date:
    day = _today() + timedelta(days=1)
    while CAL.is_workday(day) != workday:
        day += timedelta(days=1)
    return day


async def _org(client) -> str:
    r = await client.post("/orgs", json=registration(), headers=ADMIN)
    assert r.status_code == 201, r.text
    return str(r.json()["org_id"])


async def _space(client, kind: str = "activity", platform: str = "110101006", headers=ADMIN) -> str:
    body = {"platform_code": platform, "name": f"活动室{uuid.uuid4().hex[:6]}", "kind": kind, "capacity": 30,
            "equipment": ["投影仪", "音响"], "opens_at": "09:00", "closes_at": "17:30"}  # fmt: skip
    r = await client.post("/spaces", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["space_id"])


def _booking(org: str, day: date, starts: str = "10:00", ends: str = "12:00", **over) -> dict:
    return {"org_id": org, "booked_on": day.isoformat(), "starts_at": starts, "ends_at": ends, "attendees": 20,
            "purpose": "社区议事协商会", **over}  # fmt: skip


async def test_a_room_is_booked_approved_and_conflicts_are_refused_naming_the_field(client, db):
    org, other = await _org(client), await _org(client)
    space = await _space(client, headers=DONGSI)
    own = token("org", sub="o", org_id=org)
    day = _next(workday=True)
    first = await client.post(f"/spaces/{space}/bookings", json=_booking(org, day), headers=own)
    assert first.status_code == 201, first.text
    booking = first.json()["booking_id"]

    refusals = [
        (_booking(org, day, "11:00", "13:00"), "starts_at"),
        (_booking(org, _next(workday=False)), "booked_on"),
        (_booking(org, day, "16:00", "18:00"), "ends_at"),
        (_booking(org, day, "08:00", "09:30"), "starts_at"),
        (_booking(org, day, "14:00", "15:00", attendees=31), "attendees"),
        (_booking(org, _today() - timedelta(days=1)), "booked_on"),
        (_booking(org, day, "14:00+08:00", "15:00"), "starts_at"),
    ]
    for body, field in refusals:
        r = await client.post(f"/spaces/{space}/bookings", json=body, headers=own)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail"][0]["loc"] == ["body", field], (body, r.text)
    assert (
        "冲突"
        in (await client.post(f"/spaces/{space}/bookings", json=refusals[0][0], headers=own)).json()["detail"][0]["msg"]
    )
    for_another = await client.post(
        f"/spaces/{space}/bookings", json=_booking(other, day, "14:00", "15:00"), headers=own
    )
    assert for_another.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM space_bookings") == 1

    assert (
        await client.post(f"/bookings/{booking}/status", json={"status": "approved"}, headers=own)
    ).status_code == 422
    assert (
        await client.post(f"/bookings/{booking}/status", json={"status": "approved"}, headers=BEIXINQIAO)
    ).status_code == 403
    approved = await client.post(f"/bookings/{booking}/status", json={"status": "approved"}, headers=DONGSI)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await client.post(f"/bookings/{booking}/status", json={"status": "rejected", "reason": "x"}, headers=DONGSI)
    assert again.status_code == 409
    early = await client.post(f"/bookings/{booking}/status", json={"status": "no_show"}, headers=DONGSI)
    assert early.status_code == 422 and early.json()["detail"][0]["loc"] == ["body", "status"]
    cancelled = await client.post(f"/bookings/{booking}/status", json={"status": "cancelled"}, headers=own)
    assert cancelled.status_code == 200
    # the slot is free again
    second = await client.post(f"/spaces/{space}/bookings", json=_booking(org, day, "11:00", "13:00"), headers=own)
    assert second.status_code == 201
    second_id = second.json()["booking_id"]
    no_reason = await client.post(f"/bookings/{second_id}/status", json={"status": "rejected"}, headers=DONGSI)
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    await client.post(f"/bookings/{second_id}/status", json={"status": "approved"}, headers=ADMIN)
    await db.execute("UPDATE space_bookings SET booked_on = booked_on - 30 WHERE booking_id = $1", uuid.UUID(second_id))
    assert (
        await client.post(f"/bookings/{second_id}/status", json={"status": "no_show"}, headers=DONGSI)
    ).status_code == 200

    mine = (await client.get("/bookings", headers=token("org", sub="x", org_id=other))).json()
    assert mine == []
    stats = (await client.get("/statistics/resources", headers=ADMIN)).json()
    (dongsi,) = [s for s in stats["spaces"] if s["platform_code"] == "110101006"]
    assert (dongsi["bookings"], dongsi["approved"], dongsi["cancelled"], dongsi["no_shows"]) == (2, 0, 1, 1)
    keys = [
        r["routing_key"]
        for r in await db.fetch("SELECT routing_key FROM outbox WHERE routing_key LIKE 'registry.space%' ORDER BY id")
    ]
    assert keys == ["registry.space_booking_requested.v1", "registry.space_booking_decided.v1",
                    "registry.space_booking_decided.v1", "registry.space_booking_requested.v1",
                    "registry.space_booking_decided.v1", "registry.space_booking_decided.v1"]  # fmt: skip


async def test_offices_go_to_incubated_orgs_one_at_a_time_until_they_leave(client, db):
    org, other = await _org(client), await _org(client)
    office = await _space(client, kind="office")
    room = await _space(client)
    r = await client.post(
        f"/spaces/{office}/offices",
        json={"org_id": org, "starts_on": "2024-01-01", "ends_on": "2025-12-31"},
        headers=DONGSI,
    )
    assert r.status_code == 201, r.text
    allocation = r.json()["allocation_id"]
    clash = await client.post(
        f"/spaces/{office}/offices",
        json={"org_id": other, "starts_on": "2025-06-01", "ends_on": "2026-06-01"},
        headers=ADMIN,
    )
    assert clash.status_code == 422 and clash.json()["detail"][0]["loc"] == ["body", "starts_on"]
    not_office = await client.post(
        f"/spaces/{room}/offices",
        json={"org_id": other, "starts_on": "2025-06-01", "ends_on": "2026-06-01"},
        headers=ADMIN,
    )
    assert not_office.status_code == 422 and not_office.json()["detail"][0]["loc"] == ["body", "space_id"]
    by_hour = await client.post(f"/spaces/{office}/bookings", json=_booking(org, _next(workday=True)), headers=ADMIN)
    assert by_hour.status_code == 422 and by_hour.json()["detail"][0]["loc"] == ["body", "space_id"]
    assert (
        await client.post(f"/offices/{allocation}/vacate", json={"ended_on": "2025-03-31"}, headers=BEIXINQIAO)
    ).status_code == 403
    assert (
        await client.post(f"/offices/{allocation}/vacate", json={"ended_on": "2025-03-31"}, headers=DONGSI)
    ).status_code == 200
    assert (
        await client.post(f"/offices/{allocation}/vacate", json={"ended_on": "2025-04-30"}, headers=DONGSI)
    ).status_code == 409
    after = await client.post(
        f"/spaces/{office}/offices",
        json={"org_id": other, "starts_on": "2025-06-01", "ends_on": "2026-06-01"},
        headers=ADMIN,
    )
    assert after.status_code == 201
    keys = [
        r["routing_key"]
        for r in await db.fetch("SELECT routing_key FROM outbox WHERE routing_key LIKE 'registry.office%' ORDER BY id")
    ]
    assert keys == ["registry.office_allocated.v1", "registry.office_vacated.v1", "registry.office_allocated.v1"]
    stats = (await client.get("/statistics/resources", headers=ADMIN)).json()
    (dongsi,) = [s for s in stats["spaces"] if s["platform_code"] == "110101006"]
    assert (dongsi["offices_occupied"], dongsi["offices_vacated"]) == (1, 1)


async def test_offers_are_matched_to_open_demands_from_procurements_events_and_fairs_count_agreements(client, db):
    org = await _org(client)
    own = token("org", sub="o", org_id=org)
    offer = {"org_id": org, "title": "居家养老助餐服务", "domain": "elder_care", "street_codes": ["110101006"],
             "audience": "高龄独居老人", "price_cny": "30.00"}  # fmt: skip
    r = await client.post("/offers", json=offer, headers=own)
    assert r.status_code == 201, r.text
    offer_id = r.json()["offer_id"]
    elsewhere = await client.post("/offers", json={**offer, "street_codes": ["110101005"]}, headers=own)
    assert elsewhere.status_code == 201
    bad = await client.post("/offers", json={**offer, "street_codes": ["110101006", "123"]}, headers=own)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "street_codes", "1"]
    assert (await client.post("/offers", json={**offer, "org_id": str(uuid.uuid4())}, headers=own)).status_code == 403

    open_demand = _solicitation(uuid.uuid4())
    signed = contract(uuid.UUID(org))
    await send(signed)
    await send(_solicitation(signed.project_id))  # signed before its call was seen: never open
    await send(open_demand)
    await send(open_demand)

    async def seen() -> bool:
        return await db.fetchval("SELECT count(*) FROM procurement_projects") == 2

    assert await eventually(seen)
    matched = (await client.get("/matching", headers=DONGSI)).json()
    assert [m["project_id"] for m in matched] == [str(open_demand.project_id)]
    assert [o["offer_id"] for o in matched[0]["offers"]] == [offer_id]

    fair_body = {"name": "2019年居家养老服务对接洽谈会", "held_on": "2019-09-20", "platform_code": "110101",
                 "theme": "居家养老", "participants": [{"role": "supplier", "org_id": org},
                                                      {"role": "demander", "name": "东四街道办事处"}]}  # fmt: skip
    fair = await client.post("/fairs", json=fair_body, headers=ADMIN)
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["fair_id"]
    assert (await client.post("/fairs", json=fair_body, headers=DONGSI)).status_code == 403
    m = await client.post(
        f"/fairs/{fair_id}/matches", json={"offer_id": offer_id, "demander": "东四街道办事处"}, headers=ADMIN
    )
    assert m.status_code == 201
    dup = await client.post(
        f"/fairs/{fair_id}/matches", json={"offer_id": offer_id, "demander": "东四街道办事处"}, headers=ADMIN
    )
    assert dup.status_code == 409
    agreed = await client.post(
        f"/fair-matches/{m.json()['match_id']}/agreement",
        json={"agreed_on": "2019-10-08", "amount_cny": "120000.00"},
        headers=ADMIN,
    )
    assert agreed.status_code == 200, agreed.text
    (figures,) = (await client.get("/statistics/resources", headers=ADMIN)).json()["fairs"]
    assert (figures["participants"], figures["matches"], figures["agreements"], figures["agreed_cny"]) == (
        2,
        1,
        1,
        "120000.00",
    )
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key = 'registry.fair_match_agreed.v1'") == 1
    assert Decimal(
        await db.fetchval("SELECT price_cny FROM service_offers WHERE offer_id = $1", uuid.UUID(offer_id))
    ) == Decimal("30.00")
