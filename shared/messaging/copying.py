"""Copying a delivered AMQP message to publish it again (a dead letter, a replay of one, a replay
of the archive): the same body and properties, other headers, and never the sender's `user_id`.

RabbitMQ refuses (and closes the channel on) a `user_id` other than the publishing login, so a
copy cannot carry it. A dead letter keeps it in the `x-original-user-id` header instead, which the
consumer believes only on an operator's replay (`delivery.Delivery.of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.messaging.delivery import ORIGINAL_USER_ID


def copy_message(message: AbstractIncomingMessage, headers: Mapping[str, Any]) -> aio_pika.Message:
    """A persistent copy of `message` with `headers` instead of its own (and no `user_id`)."""
    return aio_pika.Message(
        message.body,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        content_type=message.content_type,
        timestamp=message.timestamp,
        headers=dict(headers),
    )


def sender_kept(message: AbstractIncomingMessage, headers: dict[str, Any]) -> dict[str, Any]:
    """`headers` with the sender's login recorded in `x-original-user-id`, if the message had one."""
    if message.user_id:
        headers[ORIGINAL_USER_ID] = message.user_id
    return headers


def encodable_copy(message: AbstractIncomingMessage, headers: Mapping[str, Any]) -> aio_pika.Message | None:
    """`copy_message`, or None when the client cannot encode its properties again."""
    try:
        copy = copy_message(message, headers)
        copy.properties.marshal()  # encoded now, so that properties the client cannot encode are caught here
    except (TypeError, ValueError):
        return None
    return copy


__all__ = ["copy_message", "encodable_copy", "sender_kept"]
