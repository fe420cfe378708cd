"""Settling a consumed message (ack, nack) and counting how each ended."""

from __future__ import annotations

from collections.abc import Awaitable

import structlog
from prometheus_client import Counter, Histogram

log = structlog.get_logger("shared.consumer")

CONSUMED = Counter("events_consumed_total", "Messages consumed, by queue and outcome", ["queue", "outcome"])
BATCH_SIZE = Histogram(
    "events_batch_size", "Messages handled in one transaction", buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256)
)
BATCH_FALLBACKS = Counter("events_batch_fallbacks_total", "Batches retried one message at a time", ["queue"])


async def settle(settling: Awaitable[None]) -> None:
    """Await an ack or nack; a failure is logged, never raised: if the channel is gone, the broker
    delivers the message again (and the inbox absorbs it when it was committed)."""
    try:
        await settling
    except Exception as exc:
        log.warning("message_settle_failed", error=repr(exc))
