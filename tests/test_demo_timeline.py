"""The demo's timeline: stories with their own calendars share one clock that only moves forwards."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from ops.demo.timeline import Timeline, TimelineError


def d(day: int) -> date:
    return date(2026, 3, day)


async def test_each_step_runs_when_the_clock_shows_its_day_and_the_clock_only_moves_forwards():
    moves: list[date] = []
    seen: list[tuple[str, date, date]] = []

    async def set_day(day: date) -> None:
        await asyncio.sleep(0)
        moves.append(day)

    timeline = Timeline(set_day)

    async def story(name: str, days: list[int]) -> None:
        for day in days:
            await timeline.at(d(day))
            await asyncio.sleep(0.001)  # other stories run meanwhile; the clock must not move under us
            assert timeline.today is not None
            seen.append((name, d(day), timeline.today))

    await timeline.run([story("a", [2, 5, 5, 9]), story("b", [3, 5, 20]), story("c", [])])
    assert moves == [d(2), d(3), d(5), d(9), d(20)]
    assert all(day == clock for _, day, clock in seen)
    assert [day for name, day, _ in seen if name == "a"] == [d(2), d(5), d(5), d(9)]


async def test_a_story_that_goes_back_in_time_fails_the_run():
    async def set_day(day: date) -> None:
        return None

    timeline = Timeline(set_day)

    async def early() -> None:
        await timeline.at(d(10))

    async def backwards() -> None:
        await timeline.at(d(10))
        await timeline.at(d(4))

    with pytest.raises(ExceptionGroup) as failed:
        await timeline.run([early(), backwards()])
    assert failed.group_contains(TimelineError)
