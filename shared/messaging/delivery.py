"""Reading one delivery: its properties, and either the event its body holds or every reason it
does not hold one. Reading never raises: whatever a message holds (any bytes, any nesting, any
size the broker let through, a routing key that is not the queue's), the consumer gets an event
or a list of field errors to answer or dead-letter the message with."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from shared.contracts.base import FieldError, IntegrationEvent, storable, unstorable
from shared.messaging.frames import UNDECODABLE_HEADER
from shared.validation_text import chinese

E = TypeVar("E", bound=IntegrationEvent)

# The longest id an answer can echo: IntegrationEvent.correlation_id holds at most 200 characters.
MAX_ID_LENGTH = 200


def usable_id(value: str | None) -> str | None:
    """`value` if an answer can carry it as an id (storable text, at most 200 characters)."""
    if not value or len(value) > MAX_ID_LENGTH or unstorable(value) is not None:
        return None
    return value


def _prop(value: Any) -> str | None:
    # The AMQP client hands over undecodable short strings as bytes (or their repr).
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# A dead letter's copy cannot carry its sender's `user_id` (RabbitMQ accepts only the publishing
# login's): the kit keeps it in this header, and believes it only on an operator's replay.
ORIGINAL_USER_ID = "x-original-user-id"


@dataclass(frozen=True)
class Delivery:
    """One message as the broker delivered it: the body and the properties a handler needs to
    answer or authorise it (`user_id`, when set, is the sender's login, checked by RabbitMQ)."""

    queue: str
    exchange: str
    routing_key: str
    message_id: str | None
    correlation_id: str | None
    user_id: str | None
    content_type: str | None
    headers: dict[str, Any]
    body: bytes
    redelivered: bool = False

    @classmethod
    def of(cls, queue: str, message: AbstractIncomingMessage) -> Delivery:
        delivery = cls._of(queue, message)
        if delivery.user_id is None and delivery.is_replay:
            # Only an operator can publish to the default exchange (no service or district login
            # may), so a replay's header is what the kit itself recorded when it parked the message.
            return replace(delivery, user_id=_prop(delivery.headers.get(ORIGINAL_USER_ID)))
        return delivery

    @classmethod
    def _of(cls, queue: str, message: AbstractIncomingMessage) -> Delivery:
        return cls(
            queue=queue,
            exchange=_prop(message.exchange) or "",
            routing_key=_prop(message.routing_key) or "",
            message_id=_prop(message.message_id),
            correlation_id=_prop(message.correlation_id),
            user_id=_prop(message.user_id),
            content_type=_prop(message.content_type),
            headers=dict(message.headers or {}),
            body=bytes(message.body),
            redelivered=bool(message.redelivered),
        )

    @property
    def is_replay(self) -> bool:
        """Sent back from the dead-letter queue by an operator (deadletters.replay), which
        publishes to the default exchange under the queue's own name."""
        return self.exchange == "" and self.routing_key == self.queue

    def correlation(self) -> str | None:
        """What the events this message causes correlate with: the sender's correlation_id,
        else its message_id, so that the sender can match an answer to what it sent."""
        return usable_id(self.correlation_id) or usable_id(self.message_id)


@dataclass(frozen=True)
class InvalidMessage:
    """A message that could not be read as its contract: the delivery and every reason."""

    delivery: Delivery
    errors: list[FieldError]

    @property
    def queue(self) -> str:
        return self.delivery.queue

    @property
    def routing_key(self) -> str:
        return self.delivery.routing_key

    @property
    def message_id(self) -> str | None:
        return self.delivery.message_id

    @property
    def body(self) -> bytes:
        return self.delivery.body

    @property
    def headers(self) -> dict[str, Any]:
        return self.delivery.headers

    def reason(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)[:2000]


class NotAnObject(ValueError):
    """The body is JSON, but not an object."""


def error(field: str, message: str) -> FieldError:
    """A field error whatever the text holds (a message may quote what the sender wrote)."""
    return FieldError(field=storable(field)[:200], message=storable(message)[:1000])


def field_errors(exc: BaseException) -> list[FieldError]:
    """Readable `{field, message}` pairs for anything that went wrong reading a body."""
    if isinstance(exc, ValidationError):
        return [
            error(".".join(str(p) for p in err["loc"]) or "(body)", chinese(err))
            for err in exc.errors(include_url=False)
        ]
    if isinstance(exc, UnicodeDecodeError):
        return [error("(body)", f"消息体不是 UTF-8 文本（第 {exc.start + 1} 个字节起无法解码）")]
    if isinstance(exc, json.JSONDecodeError):
        return [error("(body)", f"JSON 格式错误：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 列）")]
    if isinstance(exc, NotAnObject):
        return [error("(body)", "消息体必须是 JSON 对象")]
    if isinstance(exc, RecursionError):
        return [error("(body)", "JSON 嵌套层数过多")]
    return [error("(body)", f"无法读取消息体：{type(exc).__name__}: {exc}")]


def parse(event_cls: type[E], body: bytes) -> E:
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise NotAnObject("body must be a JSON object")
    return event_cls.model_validate(data)


def read(event_cls: type[E], delivery: Delivery) -> E | list[FieldError]:
    """The event a delivery holds, or every reason it holds none. Never raises."""
    if delivery.routing_key != event_cls.routing_key and not delivery.is_replay:
        # Another version, a typo, or a copy forced here with a CC/BCC header (RabbitMQ checks
        # no topic permission on those): whatever it is, it is not this queue's event.
        return [error("routing_key", f"路由键 {delivery.routing_key!r} 不是 {event_cls.routing_key}")]
    if UNDECODABLE_HEADER in delivery.headers:
        why = delivery.headers[UNDECODABLE_HEADER]
        return [error("(properties)", f"AMQP 消息属性无法解码，已全部丢弃：{why}")]
    limit = event_cls.max_body_bytes
    if limit is not None and len(delivery.body) > limit:
        return [error("(body)", f"消息体有 {len(delivery.body)} 字节，超过上限 {limit} 字节")]
    try:
        return parse(event_cls, delivery.body)
    except Exception as exc:  # anything at all: reading a message is never worth a retry
        return field_errors(exc)
