"""A service's consumers run in memory, for unit tests of handlers: FastStream's `TestRabbitBroker`
delivers a published event to the consumer's handler, which gets the stores it is given (in-memory
fakes of the store Protocols), with no RabbitMQ and no PostgreSQL.

    broker, emitted = in_memory(service.consumers, stores=FakeStores())
    async with TestRabbitBroker(broker) as br:
        await br.publish(event.model_dump(mode="json"), exchange=EVENTS, routing_key=event.routing_key)
    assert emitted == [...]

The message is read as the kit reads it (`delivery.read`, `on_invalid` answers what fails the
contract) and handled in the same scope (`current_delivery()` works); what is not here is the
transaction, the inbox and the outbox (the events a handler returns are collected in `emitted`),
and the retry policy (an exception reaches the test).
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from shared.contracts.base import IntegrationEvent
from shared.messaging.consumer import Consumers
from shared.messaging.declaring import Registration
from shared.messaging.delivery import Delivery, InvalidMessage, read
from shared.messaging.failures import PermanentError
from shared.messaging.scope import answering, handling
from shared.messaging.topology import EVENTS


def in_memory(consumers: Consumers, *, stores: Any) -> tuple[RabbitBroker, list[IntegrationEvent]]:
    """A broker (to wrap in `TestRabbitBroker`) whose subscribers run `consumers`' handlers on
    `stores`, and the list the events they return are appended to."""
    broker = RabbitBroker()
    emitted: list[IntegrationEvent] = []
    for reg in consumers.registrations:
        broker.subscriber(reg.queue, EVENTS, title=f"{reg.queue.name}:consume")(_runner(reg, stores, emitted))
    return broker, emitted


def _runner(reg: Registration, stores: Any, emitted: list[IntegrationEvent]) -> Any:
    async def run(message: RabbitMessage) -> None:
        delivery = Delivery.of(reg.queue.name, message.raw_message)
        event = read(reg.event_cls, delivery)
        if isinstance(event, IntegrationEvent):
            with handling(event, reg.consumer, delivery):
                emitted.extend(await reg.handler(event, stores) or [])
            return
        invalid = InvalidMessage(delivery, event)
        if reg.on_invalid is None:
            raise PermanentError(f"invalid message: {invalid.reason()}")  # the kit would dead-letter it
        with answering(delivery, reg.consumer):
            emitted.extend(await reg.on_invalid(invalid, stores) or [])

    run.__name__ = reg.consumer.rsplit(".", 1)[-1]
    return run
