"""The one publish path: persistent, confirmed, with message_id, type, correlation_id and
the CloudEvents AMQP-binding headers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import aio_pika
from faststream.rabbit import RabbitBroker

from shared.contracts.base import IntegrationEvent
from shared.messaging.topology import EVENTS

CONTENT_TYPE = "application/json"


def cloud_event_headers(*, event_id: str, routing_key: str, occurred_at: datetime) -> dict[str, Any]:
    context = routing_key.split(".", 1)[0]
    return {
        "cloudEvents:specversion": "1.0",
        "cloudEvents:id": event_id,
        "cloudEvents:source": f"urn:sogc:{context}",
        "cloudEvents:type": routing_key,
        "cloudEvents:time": occurred_at.isoformat(),
    }


def _headers(event_id: str, routing_key: str, occurred_at: datetime, bcc: Sequence[str]) -> dict[str, Any]:
    headers = cloud_event_headers(event_id=event_id, routing_key=routing_key, occurred_at=occurred_at)
    if bcc:
        headers["BCC"] = list(bcc)  # RabbitMQ routes to these keys too and strips the header
    return headers


def encode(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def amqp_message(
    body: bytes,
    *,
    routing_key: str,
    event_id: str,
    occurred_at: datetime,
    correlation_id: str | None,
    app_id: str,
    bcc: Sequence[str] = (),
) -> aio_pika.Message:
    """The same message `publish_payload` sends, for publishing with aio-pika directly (the relay).

    `bcc`: routing keys that also receive it, in this one publish (the broker strips the header)."""
    headers = _headers(event_id, routing_key, occurred_at, bcc)
    return aio_pika.Message(
        body,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=event_id,
        type=routing_key,
        correlation_id=correlation_id,
        content_type=CONTENT_TYPE,
        timestamp=occurred_at,
        app_id=app_id,
        headers=headers,
    )


async def publish_payload(
    broker: RabbitBroker,
    *,
    routing_key: str,
    payload: Mapping[str, Any],
    event_id: str,
    occurred_at: datetime,
    correlation_id: str | None,
    timeout: float = 10.0,
    bcc: Sequence[str] = (),
) -> None:
    """Publish one event body to `events` and wait for the broker's confirm."""
    headers = _headers(event_id, routing_key, occurred_at, bcc)
    await broker.publish(
        encode(payload),
        exchange=EVENTS,
        routing_key=routing_key,
        persist=True,
        mandatory=False,
        message_id=event_id,
        message_type=routing_key,
        correlation_id=correlation_id,
        content_type=CONTENT_TYPE,
        timestamp=occurred_at,
        headers=headers,
        timeout=timeout,
    )


async def publish_event(broker: RabbitBroker, event: IntegrationEvent) -> None:
    """Publish directly, bypassing the outbox: for tests and tools, never for state changes."""
    await publish_payload(
        broker,
        routing_key=event.routing_key,
        payload=event.model_dump(mode="json"),
        event_id=str(event.event_id),
        occurred_at=event.occurred_at,
        correlation_id=event.correlation_id,
        bcc=event.bcc(),
    )
