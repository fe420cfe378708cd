"""Room rules on plain values: working days and opening hours, overlaps, the booking's life."""

from __future__ import annotations

from datetime import date, time

import pytest

from registry.domain.spaces import BookingStatus, Slot, check_no_overlap, check_slot, match, move
from shared.errors import Conflict, Invalid
from shared.workdays import WorkCalendar

ROOM = {"kind": "activity", "opens_at": time(9), "closes_at": time(17, 30), "capacity": 20}
TODAY = date(2025, 3, 3)  # a Monday
CAL = WorkCalendar()


def _refused_on(slot: Slot, room: dict = ROOM) -> str:
    with pytest.raises(Invalid) as refused:
        check_slot(slot, room, today=TODAY, calendar=CAL)
    return refused.value.field


def test_a_slot_must_be_a_future_working_day_within_hours_and_capacity():
    assert check_slot(Slot(date(2025, 3, 4), time(10), time(12), 20), ROOM, today=TODAY, calendar=CAL)
    assert _refused_on(Slot(date(2025, 3, 8), time(10), time(12), 5)) == "booked_on"  # Saturday
    assert _refused_on(Slot(date(2025, 10, 1), time(10), time(12), 5)) == "booked_on"  # National Day
    assert _refused_on(Slot(date(2025, 3, 1), time(10), time(12), 5)) == "booked_on"  # past
    assert _refused_on(Slot(date(2025, 3, 4), time(8), time(12), 5)) == "starts_at"
    assert _refused_on(Slot(date(2025, 3, 4), time(16), time(18), 5)) == "ends_at"
    assert _refused_on(Slot(date(2025, 3, 4), time(12), time(10), 5)) == "ends_at"
    assert _refused_on(Slot(date(2025, 3, 4), time(10), time(12), 21)) == "attendees"
    assert _refused_on(Slot(date(2025, 3, 4), time(10), time(12), 1), {**ROOM, "kind": "office"}) == "space_id"


def test_touching_slots_do_not_overlap_but_crossing_ones_do():
    taken = [{"starts_at": time(10), "ends_at": time(12), "status": "approved"}]
    check_no_overlap(Slot(TODAY, time(12), time(13), 1), taken)
    check_no_overlap(Slot(TODAY, time(9), time(10), 1), taken)
    with pytest.raises(Invalid) as refused:
        check_no_overlap(Slot(TODAY, time(11), time(13), 1), taken)
    assert refused.value.field == "starts_at" and "10:00–12:00" in refused.value.message


def test_a_booking_moves_only_along_its_table():
    assert move("requested", BookingStatus.APPROVED) is BookingStatus.APPROVED
    assert move("approved", BookingStatus.NO_SHOW) is BookingStatus.NO_SHOW
    for current, to in [("approved", BookingStatus.REJECTED), ("cancelled", BookingStatus.APPROVED),
                        ("requested", BookingStatus.NO_SHOW)]:  # fmt: skip
        with pytest.raises(Conflict):
            move(current, to)


def test_offers_match_demands_of_their_domain_in_the_streets_they_serve():
    demands = [{"project_id": 1, "domain": "elder_care", "street_code": "110101006"}]
    offers = [
        {"offer_id": "a", "domain": "elder_care", "street_codes": []},
        {"offer_id": "b", "domain": "elder_care", "street_codes": ["110101006"]},
        {"offer_id": "c", "domain": "elder_care", "street_codes": ["110101005"]},
        {"offer_id": "d", "domain": "education", "street_codes": []},
    ]
    (matched,) = match(offers, demands)
    assert [o["offer_id"] for o in matched["offers"]] == ["a", "b"]
