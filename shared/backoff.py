"""The kit's one reconnect backoff: waits that double from a first delay up to a ceiling."""

from __future__ import annotations

import asyncio


class Backoff:
    """Doubling waits between attempts: `first`, twice that, … at most `most` seconds."""

    def __init__(self, first: float, *, most: float = 10.0) -> None:
        self.first, self.most = first, most
        self.delay = first

    def grow(self) -> None:
        """The next wait doubles (up to the ceiling)."""
        self.delay = min(self.delay * 2, self.most)

    def reset(self) -> None:
        """Back to the first delay (after a success)."""
        self.delay = self.first

    async def sleep(self) -> float:
        """Wait the current delay, then grow it; returns the time waited."""
        waited = self.delay
        await asyncio.sleep(waited)
        self.grow()
        return waited
