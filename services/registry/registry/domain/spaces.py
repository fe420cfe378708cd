"""Free space and resource matching: rooms and their opening hours, bookings and their states,
office allocations for incubated organisations, service offers matched to open demands. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any

from shared.errors import Conflict, Invalid
from shared.workdays import WorkCalendar


class SpaceKind(StrEnum):
    OFFICE = "office"  # allocated to an incubated organisation for months, never booked by the hour
    ACTIVITY = "activity"
    MEETING = "meeting"


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# Which status a booking may move to from which: the whole life of a booking in one table.
ALLOWED: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.REQUESTED: frozenset({BookingStatus.APPROVED, BookingStatus.REJECTED, BookingStatus.CANCELLED}),
    BookingStatus.APPROVED: frozenset({BookingStatus.CANCELLED, BookingStatus.NO_SHOW}),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
}
STATUS_NAMES = {
    "requested": "待审批",
    "approved": "已批准",
    "rejected": "未批准",
    "cancelled": "已取消",
    "no_show": "未到场",
}


def move(current: str, to: BookingStatus) -> BookingStatus:
    """The booking's next status, or a 409 saying why not."""
    now = BookingStatus(current)
    if to not in ALLOWED[now]:
        raise Conflict(f"预约当前为“{STATUS_NAMES[now]}”，不能改为“{STATUS_NAMES[to]}”", code="booking_state")
    return to


@dataclass(frozen=True)
class Slot:
    """A requested use of a room: a working day and a time within its opening hours."""

    booked_on: date
    starts_at: time
    ends_at: time
    attendees: int


def check_slot(slot: Slot, space: dict[str, Any], *, today: date, calendar: WorkCalendar) -> Slot:
    if space["kind"] == SpaceKind.OFFICE:
        raise Invalid("space_id", "办公场地只能按入驻分配，不能按时段预约")
    if slot.booked_on < today:
        raise Invalid("booked_on", "不能预约过去的日期")
    if not calendar.is_workday(slot.booked_on):
        raise Invalid("booked_on", f"{slot.booked_on} 不是工作日，场地不开放")
    if slot.ends_at <= slot.starts_at:
        raise Invalid("ends_at", "结束时间须晚于开始时间")
    if slot.starts_at < space["opens_at"]:
        raise Invalid("starts_at", f"场地 {space['opens_at']:%H:%M} 开放，开始时间不能更早")
    if slot.ends_at > space["closes_at"]:
        raise Invalid("ends_at", f"场地 {space['closes_at']:%H:%M} 关闭，结束时间不能更晚")
    if slot.attendees > space["capacity"]:
        raise Invalid("attendees", f"人数超过场地容量（{space['capacity']} 人）")
    return slot


def check_no_overlap(slot: Slot, taken: list[dict[str, Any]]) -> None:
    """Refuse a slot that overlaps a live (requested or approved) booking of the same room and day."""
    for other in taken:
        if slot.starts_at < other["ends_at"] and other["starts_at"] < slot.ends_at:
            raise Invalid(
                "starts_at",
                f"该时段与已有预约冲突（{other['starts_at']:%H:%M}–{other['ends_at']:%H:%M}，"
                f"{STATUS_NAMES[other['status']]}）",
            )


def check_office_term(starts_on: date, ends_on: date, taken: list[dict[str, Any]]) -> None:
    if ends_on <= starts_on:
        raise Invalid("ends_on", "入驻结束日期须晚于开始日期")
    for other in taken:
        if starts_on < other["until"] and other["starts_on"] < ends_on:
            raise Invalid("starts_on", f"该办公场地在 {other['starts_on']} 至 {other['until']} 已分配给其他组织")


def offer_matches(offer: dict[str, Any], demand: dict[str, Any]) -> bool:
    """An offer fits an open demand of the same domain in a street it serves (no streets: all)."""
    if offer["domain"] != demand["domain"]:
        return False
    streets = offer["street_codes"]
    return not streets or demand["street_code"] is None or demand["street_code"] in streets


def match(offers: list[dict[str, Any]], demands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each open demand with the offers that fit it."""
    return [{**d, "offers": [o for o in offers if offer_matches(o, d)]} for d in demands]
