"""The broker topology every service shares: one topic exchange, one dead-letter exchange,
one quorum queue per (service, event) with dead-lettering and a delivery limit, and one
dead-letter queue per service."""

from __future__ import annotations

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

EVENTS_EXCHANGE = "events"
DLX_EXCHANGE = "events.dlx"
DEFAULT_DELIVERY_LIMIT = 10

EVENTS = RabbitExchange(EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
DLX = RabbitExchange(DLX_EXCHANGE, type=ExchangeType.TOPIC, durable=True)


def consumer_queue_name(service: str, routing_key: str) -> str:
    return f"{service}.{routing_key}"


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.dlq"


def consumer_queue(
    service: str, routing_key: str, *, delivery_limit: int = DEFAULT_DELIVERY_LIMIT, name: str | None = None
) -> RabbitQueue:
    """The durable quorum queue through which `service` consumes `routing_key` from `events`.

    Dead letters keep the queue's name as their routing key, so they reach exactly the
    owning service's dead-letter queue, and a replay knows where to send them back.
    """
    name = name or consumer_queue_name(service, routing_key)
    if not name.startswith(f"{service}."):
        raise ValueError(f"{service} consumes only from queues named {service}.*, not {name!r}")
    return RabbitQueue(
        name,
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=routing_key,
        arguments={
            "x-dead-letter-exchange": DLX_EXCHANGE,
            "x-dead-letter-routing-key": name,
            "x-delivery-limit": delivery_limit,
        },
    )


def dead_letter_queue(service: str) -> RabbitQueue:
    return RabbitQueue(
        dead_letter_queue_name(service),
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=f"{service}.#",
    )
