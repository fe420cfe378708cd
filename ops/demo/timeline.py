"""One demo clock for many stories that run side by side, each on its own dates.

A service's demo clock is one date for every caller, and only a district admin moves it (demo
mode, `PUT /clock`): an organisation, a reviewer or a street officer cannot say which day it acts
on. So the projects of the procurement chapter, each with its own calendar, take turns: a story
waits at `at(day)` until the clock shows that day. Once every story still running is waiting,
the clock moves forwards to the earliest day asked for and the stories waiting for that day go on
together; the others keep waiting for theirs. Time never goes back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import date
from typing import Any

SetDay = Callable[[date], Awaitable[None]]


class TimelineError(RuntimeError):
    """A story asked for a day the clock has already left behind."""


class Timeline:
    def __init__(self, set_day: SetDay) -> None:
        self._set_day = set_day
        self._today: date | None = None
        self._running = 0
        self._waiting: dict[date, list[asyncio.Future[None]]] = {}
        self._moving = False

    @property
    def today(self) -> date | None:
        return self._today

    async def run(self, stories: Iterable[Coroutine[Any, Any, None]]) -> None:
        """Run the stories to their end (one failing cancels the others)."""
        stories = list(stories)
        self._running += len(stories)  # counted before any starts, so nobody moves the clock early
        async with asyncio.TaskGroup() as group:
            for story in stories:
                group.create_task(self._story(story))

    async def at(self, day: date) -> None:
        """Return when the service's clock shows `day` (at once when it already does)."""
        if self._today == day:
            return
        if self._today is not None and day < self._today:
            raise TimelineError(f"a story asked for {day}, but the clock already shows {self._today}")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(day, []).append(waiter)
        self._maybe_move()
        await waiter

    async def _story(self, story: Coroutine[Any, Any, None]) -> None:
        try:
            await story
        finally:
            self._running -= 1
            self._maybe_move()

    def _maybe_move(self) -> None:
        waiting = sum(len(w) for w in self._waiting.values())
        if self._waiting and not self._moving and waiting == self._running:
            self._moving = True
            asyncio.get_running_loop().create_task(self._move(min(self._waiting)))

    async def _move(self, day: date) -> None:
        waiters = [w for w in self._waiting.pop(day) if not w.done()]  # a cancelled story's waiter is done
        try:
            await self._set_day(day)
        except Exception as exc:  # the stories waiting for that day fail with it (and the run with them)
            for w in waiters:
                w.set_exception(exc)
            return
        finally:
            self._moving = False
        self._today = day
        for w in waiters:
            w.set_result(None)
