"""Batching: the messages of one queue that arrive while its transactions run are handled together
in the next one, so a backlog costs a few round trips per batch instead of per message. No message
waits for a batch to fill: a lone message is handled at once."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

import structlog
from aio_pika.abc import AbstractIncomingMessage

from shared.contracts.base import IntegrationEvent
from shared.messaging.delivery import Delivery

log = structlog.get_logger("shared.consumer")

Item = tuple[AbstractIncomingMessage, Delivery, IntegrationEvent]


class Batcher:
    """Collects the messages of one queue that wait while its transactions run.

    Each delivery's task submits its message and waits until it is settled; up to `workers`
    transactions per queue run at once, each taking what has queued up (at most `max_batch`).
    """

    def __init__(
        self,
        queue: str,
        process: Callable[[list[Item]], Awaitable[None]],
        *,
        max_batch: int = 128,
        workers: int = 2,
    ) -> None:
        self.queue, self.process = queue, process
        self.max_batch, self.workers = max_batch, workers
        self.waiting: deque[tuple[Item, asyncio.Future[None]]] = deque()
        self.active: set[asyncio.Task[None]] = set()

    async def submit(self, message: AbstractIncomingMessage, delivery: Delivery, event: IntegrationEvent) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(((message, delivery, event), done))
        if len(self.active) < self.workers:
            task = asyncio.create_task(self._work())
            self.active.add(task)
            task.add_done_callback(self.active.discard)
        await done

    async def _work(self) -> None:
        while self.waiting:
            batch = [self.waiting.popleft() for _ in range(min(self.max_batch, len(self.waiting)))]
            try:
                await self.process([item for item, _ in batch])
            except Exception:
                # Each delivery's own task parks whatever this left unsettled (`Consumers._deliver`).
                log.exception("event_batch_defect", queue=self.queue, size=len(batch))
            finally:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
