"""What a handler runs inside: the log context of the message it handles (correlation, causation,
consumer) and the delivery itself, for a handler that needs more than the event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from shared import context
from shared.contracts.base import IntegrationEvent
from shared.messaging.delivery import Delivery, usable_id

_DELIVERY: ContextVar[Delivery | None] = ContextVar("consumed_delivery", default=None)


def current_delivery() -> Delivery | None:
    """The message being consumed, as delivered (None outside a consumer): for a handler that
    must keep a refused message verbatim, authorise its sender, or echo its ids."""
    return _DELIVERY.get()


@contextmanager
def handling(event: IntegrationEvent, consumer: str, delivery: Delivery) -> Iterator[None]:
    """The scope of handling `event`: its ids bound to the log context, its delivery current."""
    with (
        context.bound(
            correlation_id=_correlation(event, delivery),
            causation_id=str(event.event_id),
            event_id=str(event.event_id),
            routing_key=event.routing_key,
            consumer=consumer,
        ),
        _current(delivery),
    ):
        yield


@contextmanager
def answering(delivery: Delivery, consumer: str) -> Iterator[None]:
    """The scope of answering a message that holds no event (`on_invalid`)."""
    with (
        context.bound(
            correlation_id=delivery.correlation() or context.correlation_id(),
            causation_id=usable_id(delivery.message_id),
            routing_key=delivery.routing_key,
            consumer=consumer,
        ),
        _current(delivery),
    ):
        yield


def _correlation(event: IntegrationEvent, delivery: Delivery) -> str:
    """The sender's correlation: its AMQP correlation_id, else the body's if it set one, else
    its message_id (the relay sets the first two alike; a district system may set either)."""
    if sent := usable_id(delivery.correlation_id):
        return sent
    if "correlation_id" in event.model_fields_set:
        return event.correlation_id
    return usable_id(delivery.message_id) or event.correlation_id


@contextmanager
def _current(delivery: Delivery) -> Iterator[None]:
    token = _DELIVERY.set(delivery)
    try:
        yield
    finally:
        _DELIVERY.reset(token)
