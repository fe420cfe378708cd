"""SQL of free space and resource matching: spaces, bookings, office allocations, service offers,
open procurement demands (kept from procurement's events), fairs, matches and agreements."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

import asyncpg

from shared.errors import Invalid

_INSERT_SPACE = """
INSERT INTO spaces (space_id, platform_code, street_code, name, kind, capacity, equipment, opens_at, closes_at,
                    created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"""
_SPACE_COLS = "space_id, platform_code, street_code, name, kind, capacity, equipment, opens_at, closes_at"
_SPACE = f"SELECT {_SPACE_COLS} FROM spaces WHERE space_id = $1 FOR UPDATE"
_SPACES = f"""SELECT {_SPACE_COLS} FROM spaces WHERE ($1::text IS NULL OR platform_code = $1)
              ORDER BY platform_code, name"""
_TAKEN = """SELECT booking_id, starts_at, ends_at, status FROM space_bookings
            WHERE space_id = $1 AND booked_on = $2 AND status IN ('requested', 'approved') ORDER BY starts_at"""
_INSERT_BOOKING = """
INSERT INTO space_bookings (booking_id, space_id, org_id, booked_on, starts_at, ends_at, purpose, attendees, status,
                            requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9)"""
_BOOKING_COLS = """b.booking_id, b.space_id, s.name AS space_name, s.platform_code, s.street_code, b.org_id,
                   o.name AS org_name, b.booked_on, b.starts_at, b.ends_at, b.purpose, b.attendees, b.status,
                   b.decided_by, b.reason"""
_BOOKING = f"""SELECT {_BOOKING_COLS} FROM space_bookings b JOIN spaces s USING (space_id) JOIN orgs o USING (org_id)
               WHERE b.booking_id = $1 FOR UPDATE OF b"""
_BOOKINGS = f"""SELECT {_BOOKING_COLS} FROM space_bookings b JOIN spaces s USING (space_id) JOIN orgs o USING (org_id)
                WHERE ($1::uuid IS NULL OR b.org_id = $1) AND ($2::uuid IS NULL OR b.space_id = $2)
                ORDER BY b.booked_on, b.starts_at, b.booking_id LIMIT 1000"""
_SET_STATUS = "UPDATE space_bookings SET status = $2, decided_by = $3, reason = $4 WHERE booking_id = $1"

_OFFICES_TAKEN = (
    """SELECT starts_on, COALESCE(ended_on, ends_on) AS until FROM office_allocations WHERE space_id = $1"""
)
_INSERT_OFFICE = """INSERT INTO office_allocations (allocation_id, space_id, org_id, starts_on, ends_on)
                    VALUES ($1, $2, $3, $4, $5)"""
_OFFICE = """SELECT a.allocation_id, a.space_id, s.street_code, s.name AS space_name, a.org_id, a.starts_on, a.ends_on,
                    a.ended_on FROM office_allocations a JOIN spaces s USING (space_id)
             WHERE a.allocation_id = $1 FOR UPDATE OF a"""
_END_OFFICE = "UPDATE office_allocations SET ended_on = $2, end_reason = $3 WHERE allocation_id = $1"

_INSERT_OFFER = """INSERT INTO service_offers (offer_id, org_id, title, domain, street_codes, audience, price_cny)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)"""
_OFFERS = """SELECT f.offer_id, f.org_id, o.name AS org_name, f.title, f.domain, f.street_codes, f.audience, f.price_cny
             FROM service_offers f JOIN orgs o USING (org_id)
             WHERE o.status IN ('registered', 'filed') AND ($1::text IS NULL OR f.domain = $1)
             ORDER BY f.domain, o.name, f.offer_id"""
_OFFER = "SELECT offer_id, org_id, title FROM service_offers WHERE offer_id = $1"
_OPEN_DEMANDS = """SELECT project_id, title, purchaser_name, street_code, domain, budget_cny, closes_on
                   FROM procurement_projects WHERE rank = 1 ORDER BY closes_on NULLS LAST, project_id"""

_INSERT_FAIR = "INSERT INTO fairs (fair_id, name, held_on, platform_code, theme) VALUES ($1, $2, $3, $4, $5)"
_PARTICIPANTS = """INSERT INTO fair_participants (fair_id, seq, role, org_id, name)
                   SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::uuid[], $5::text[])"""
_FAIR = "SELECT fair_id, name, held_on, platform_code FROM fairs WHERE fair_id = $1"
_INSERT_MATCH = """INSERT INTO fair_matches (match_id, fair_id, offer_id, demander, project_id)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fair_id, offer_id, demander) DO NOTHING"""
_MATCH = """SELECT m.match_id, m.fair_id, f.name AS fair_name, m.offer_id, s.org_id, o.name AS org_name,
                   s.title AS offer_title, m.demander, m.agreed_on
            FROM fair_matches m JOIN fairs f USING (fair_id) JOIN service_offers s USING (offer_id)
            JOIN orgs o ON o.org_id = s.org_id WHERE m.match_id = $1 FOR UPDATE OF m"""
_AGREE = "UPDATE fair_matches SET agreed_on = $2, amount_cny = $3 WHERE match_id = $1"

_SPACE_USE = """
SELECT s.platform_code, count(DISTINCT s.space_id) AS spaces,
       count(b.booking_id) AS bookings,
       count(b.booking_id) FILTER (WHERE b.status = 'approved') AS approved,
       count(b.booking_id) FILTER (WHERE b.status = 'rejected') AS rejected,
       count(b.booking_id) FILTER (WHERE b.status = 'cancelled') AS cancelled,
       count(b.booking_id) FILTER (WHERE b.status = 'no_show') AS no_shows,
       COALESCE(sum(EXTRACT(epoch FROM b.ends_at - b.starts_at) / 3600)
                FILTER (WHERE b.status = 'approved'), 0)::numeric(10, 1) AS approved_hours,
       (SELECT count(*) FROM office_allocations a JOIN spaces x USING (space_id)
        WHERE x.platform_code = s.platform_code AND a.ended_on IS NULL) AS offices_occupied,
       (SELECT count(*) FROM office_allocations a JOIN spaces x USING (space_id)
        WHERE x.platform_code = s.platform_code AND a.ended_on IS NOT NULL) AS offices_vacated
FROM spaces s LEFT JOIN space_bookings b USING (space_id)
GROUP BY s.platform_code ORDER BY s.platform_code"""
_FAIR_FIGURES = """
SELECT f.fair_id, f.name, f.held_on,
       (SELECT count(*) FROM fair_participants p WHERE p.fair_id = f.fair_id) AS participants,
       (SELECT count(*) FROM fair_matches m WHERE m.fair_id = f.fair_id) AS matches,
       (SELECT count(*) FROM fair_matches m WHERE m.fair_id = f.fair_id AND m.agreed_on IS NOT NULL) AS agreements,
       (SELECT COALESCE(sum(m.amount_cny), 0) FROM fair_matches m WHERE m.fair_id = f.fair_id) AS agreed_cny
FROM fairs f ORDER BY f.held_on, f.name"""


class SpaceStore:
    """Spaces, bookings, offices, offers, open demands and fairs on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add_space(self, s: dict[str, Any], *, by: str) -> None:
        try:
            await self._conn.execute(
                _INSERT_SPACE, s["space_id"], s["platform_code"], s["street_code"], s["name"], s["kind"],
                s["capacity"], s["equipment"], s["opens_at"], s["closes_at"], by,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise Invalid("name", f"该平台已有名为“{s['name']}”的场地") from exc

    async def space(self, space_id: UUID) -> dict[str, Any] | None:
        """The space, locked: bookings of one room are decided one at a time."""
        row = await self._conn.fetchrow(_SPACE, space_id)
        return None if row is None else dict(row)

    async def spaces(self, platform_code: str | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_SPACES, platform_code)]

    async def taken(self, space_id: UUID, on: date) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_TAKEN, space_id, on)]

    async def add_booking(
        self, booking_id: UUID, space_id: UUID, org_id: UUID, on: date, starts: time, ends: time,
        purpose: str, attendees: int, *, by: str,
    ) -> None:  # fmt: skip
        try:
            await self._conn.execute(
                _INSERT_BOOKING, booking_id, space_id, org_id, on, starts, ends, purpose, attendees, by
            )
        except asyncpg.ExclusionViolationError as exc:  # a concurrent request took the slot first
            raise Invalid("starts_at", "该时段与已有预约冲突") from exc

    async def booking(self, booking_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_BOOKING, booking_id)
        return None if row is None else dict(row)

    async def bookings(self, org_id: UUID | None, space_id: UUID | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_BOOKINGS, org_id, space_id)]

    async def set_status(self, booking_id: UUID, status: str, *, by: str, reason: str | None) -> None:
        await self._conn.execute(_SET_STATUS, booking_id, status, by, reason)

    async def offices_taken(self, space_id: UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_OFFICES_TAKEN, space_id)]

    async def allocate_office(
        self, allocation_id: UUID, space_id: UUID, org_id: UUID, starts_on: date, ends_on: date
    ) -> None:
        try:
            await self._conn.execute(_INSERT_OFFICE, allocation_id, space_id, org_id, starts_on, ends_on)
        except asyncpg.ExclusionViolationError as exc:
            raise Invalid("starts_on", "该办公场地在此期间已分配给其他组织") from exc

    async def office(self, allocation_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_OFFICE, allocation_id)
        return None if row is None else dict(row)

    async def end_office(self, allocation_id: UUID, on: date, reason: str) -> None:
        await self._conn.execute(_END_OFFICE, allocation_id, on, reason)

    async def add_offer(self, o: dict[str, Any]) -> None:
        await self._conn.execute(
            _INSERT_OFFER, o["offer_id"], o["org_id"], o["title"], o["domain"], o["street_codes"], o["audience"],
            o["price_cny"],
        )  # fmt: skip

    async def offers(self, domain: str | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_OFFERS, domain)]

    async def offer(self, offer_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_OFFER, offer_id)
        return None if row is None else dict(row)

    async def open_demands(self) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_OPEN_DEMANDS)]

    async def add_fair(
        self,
        fair_id: UUID,
        name: str,
        held_on: date,
        platform_code: str,
        theme: str,
        participants: list[dict[str, Any]],
    ) -> None:
        await self._conn.execute(_INSERT_FAIR, fair_id, name, held_on, platform_code, theme)
        if participants:
            cols = ("role", "org_id", "name")
            await self._conn.execute(
                _PARTICIPANTS, fair_id, list(range(1, len(participants) + 1)),
                *([p[c] for p in participants] for c in cols),
            )  # fmt: skip

    async def fair(self, fair_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_FAIR, fair_id)
        return None if row is None else dict(row)

    async def add_match(
        self, match_id: UUID, fair_id: UUID, offer_id: UUID, demander: str, project_id: UUID | None
    ) -> bool:
        """False when that offer was matched to that demander at the fair already."""
        result = await self._conn.execute(_INSERT_MATCH, match_id, fair_id, offer_id, demander, project_id)
        return bool(result == "INSERT 0 1")

    async def match(self, match_id: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(_MATCH, match_id)
        return None if row is None else dict(row)

    async def agree(self, match_id: UUID, on: date, amount: Any) -> None:
        await self._conn.execute(_AGREE, match_id, on, amount)

    async def figures(self) -> dict[str, Any]:
        return {
            "spaces": [dict(r) for r in await self._conn.fetch(_SPACE_USE)],
            "fairs": [dict(r) for r in await self._conn.fetch(_FAIR_FIGURES)],
        }
