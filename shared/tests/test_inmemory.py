"""Handlers unit-tested through FastStream's TestRabbitBroker: no RabbitMQ, no PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from faststream.rabbit import TestRabbitBroker

from shared.contracts.base import IntegrationEvent
from shared.messaging.consumer import Consumers, InvalidMessage, current_delivery
from shared.messaging.failures import PermanentError
from shared.messaging.inmemory import in_memory
from shared.messaging.topology import EVENTS


class KitTallied(IntegrationEvent):
    """A test-only fact: a number to add up."""

    routing_key: ClassVar[str] = "kit.tallied.v1"
    n: int


class KitTotalled(IntegrationEvent):
    """A test-only fact: the running total."""

    routing_key: ClassVar[str] = "kit.totalled.v1"
    total: int


class FakeTally:
    def __init__(self) -> None:
        self.total = 0
        self.senders: list[str | None] = []


def consumers(*, answer_invalid: bool = False) -> Consumers:
    kit = Consumers("kit", lambda: None)

    async def refused(invalid: InvalidMessage, tally: FakeTally) -> Sequence[IntegrationEvent]:
        return [KitTotalled(total=-1)]

    @kit.on(KitTallied, name="tally", on_invalid=refused if answer_invalid else None)
    async def add_up(event: KitTallied, tally: FakeTally) -> Sequence[IntegrationEvent]:
        delivery = current_delivery()
        tally.senders.append(delivery.message_id if delivery else None)
        tally.total += event.n
        return [KitTotalled(total=tally.total)]

    return kit


async def publish(br: Any, body: Any, key: str = KitTallied.routing_key, **kw: Any) -> None:
    await br.publish(body, exchange=EVENTS, routing_key=key, **kw)


async def test_a_handler_runs_on_the_stores_it_is_given_and_its_events_are_collected() -> None:
    tally = FakeTally()
    broker, emitted = in_memory(consumers(), stores=tally)
    async with TestRabbitBroker(broker) as br:
        for n in (2, 3):
            event = KitTallied(n=n)
            await publish(br, event.model_dump(mode="json"), message_id=str(event.event_id))
    assert tally.total == 5
    assert [e.total for e in emitted if isinstance(e, KitTotalled)] == [2, 5]
    assert all(tally.senders)  # the delivery is current while the handler runs


async def test_a_message_that_fails_its_contract_is_answered_or_refused_as_the_kit_would() -> None:
    broker, emitted = in_memory(consumers(answer_invalid=True), stores=FakeTally())
    async with TestRabbitBroker(broker) as br:
        await publish(br, {"n": "not a number"})
    assert [e.total for e in emitted if isinstance(e, KitTotalled)] == [-1]

    broker, emitted = in_memory(consumers(), stores=FakeTally())
    async with TestRabbitBroker(broker) as br:
        with pytest.raises(PermanentError, match="invalid message"):
            await publish(br, {"n": "not a number"})
    assert emitted == []
