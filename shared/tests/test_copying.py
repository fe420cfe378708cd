"""The kit's one way to copy a delivered message: same body and properties, the given headers,
never the sender's `user_id` (RabbitMQ refuses one other than the publishing login)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import aio_pika

from shared.messaging.copying import copy_message, encodable_copy, sender_kept
from shared.messaging.delivery import ORIGINAL_USER_ID


def delivered(**overrides: Any) -> Any:
    props: dict[str, Any] = {
        "body": b'{"n": 1}',
        "message_id": "m-1",
        "type": "kit.pinged.v1",
        "correlation_id": "c-1",
        "content_type": "application/json",
        "timestamp": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "user_id": "district-demo",
        "headers": {"a": 1},
    }
    return SimpleNamespace(**(props | overrides))


def test_a_copy_keeps_body_and_properties_and_takes_the_given_headers_but_not_the_user_id() -> None:
    copy = copy_message(delivered(), {"x-replayed-from": "kit.dlq"})
    assert copy.body == b'{"n": 1}'
    assert (copy.message_id, copy.type, copy.correlation_id, copy.content_type) == (
        "m-1",
        "kit.pinged.v1",
        "c-1",
        "application/json",
    )
    assert copy.timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert copy.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert copy.headers == {"x-replayed-from": "kit.dlq"}
    assert copy.user_id is None


def test_a_dead_letter_keeps_its_senders_login_in_a_header_only() -> None:
    message = delivered()
    copy = encodable_copy(message, sender_kept(message, {}))
    assert copy is not None and copy.user_id is None
    assert copy.headers == {ORIGINAL_USER_ID: "district-demo"}
    assert sender_kept(delivered(user_id=None), {}) == {}


def test_properties_the_client_cannot_encode_again_give_no_copy() -> None:
    assert encodable_copy(delivered(message_id="x" * 300), {}) is None
