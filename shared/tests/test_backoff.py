"""The kit's one backoff: doubling waits up to a ceiling, back to the first after a success."""

from __future__ import annotations

import asyncio

from shared.backoff import Backoff


def test_waits_double_up_to_the_ceiling_and_reset_to_the_first() -> None:
    backoff = Backoff(0.5, most=3.0)
    seen = []
    for _ in range(5):
        seen.append(backoff.delay)
        backoff.grow()
    assert seen == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.delay == 0.5


def test_sleep_waits_the_current_delay_then_grows_it() -> None:
    backoff = Backoff(0.01, most=0.02)
    waited = [asyncio.run(backoff.sleep()) for _ in range(3)]
    assert waited == [0.01, 0.02, 0.02]
