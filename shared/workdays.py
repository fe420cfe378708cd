"""Working days on the Chinese State Council calendar, with holidays and make-up workdays
(调休), from the `chinese-calendar` package. For a year the package does not know yet it
falls back to weekends only, warns once, and honours operator-supplied extra holidays and
make-up workdays (e.g. from an environment variable, comma-separated ISO dates)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar
import structlog
from pydantic import BaseModel

log = structlog.get_logger("shared.workdays")


class WorkCalendar:
    """Decides whether a date is a working day and counts working days."""

    def __init__(self, *, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._warned: set[int] = set()

    @classmethod
    def from_strings(cls, holidays: str = "", workdays: str = "") -> WorkCalendar:
        """Build from comma-separated ISO dates, as operators write them in configuration."""

        def parse(text: str) -> list[date]:
            return [date.fromisoformat(p.strip()) for p in text.split(",") if p.strip()]

        return cls(extra_holidays=parse(holidays), extra_workdays=parse(workdays))

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("workday_calendar_unknown_year", year=day.year, fallback="weekends only")
            return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The date n working days after `start` (start itself not counted); n=0 is `start`."""
        if n < 0:
            return self.subtract_workdays(start, -n)
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def subtract_workdays(self, start: date, n: int) -> date:
        """The date n working days before `start`."""
        day = start
        while n > 0:
            day -= timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days from start until end."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


class CalendarSettings(BaseModel):
    """Settings of a service that counts working days, mixed into its `Settings` beside the kit's
    `ServiceSettings`: the operator's overrides of the State Council calendar, comma-separated
    ISO dates (`<SERVICE>_EXTRA_HOLIDAYS`, `<SERVICE>_EXTRA_WORKDAYS`)."""

    extra_holidays: str = ""
    extra_workdays: str = ""

    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_strings(self.extra_holidays, self.extra_workdays)
