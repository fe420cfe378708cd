"""A service's consumers described as FastStream subscribers, for the AsyncAPI document only
(`shared/docs.py`): the kit consumes with aio-pika (`shared/messaging/declaring.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from faststream import AckPolicy
from faststream.rabbit import RabbitBroker

from shared.messaging.declaring import Registration
from shared.messaging.topology import EVENTS


def describe_consumers(broker: RabbitBroker, registrations: Sequence[Registration]) -> None:
    """Add a documentation-only subscriber to `broker` (never started) for each consumer."""
    for reg in registrations:

        async def receive() -> None:  # no parameters: the payload schema is the event's, set by docs
            raise RuntimeError("documentation only")

        receive.__name__ = reg.consumer.rsplit(".", 1)[-1]
        receive.__doc__ = reg.doc
        broker.subscriber(
            reg.queue,
            EVENTS,
            ack_policy=AckPolicy.MANUAL,
            title=f"{reg.queue.name}:consume",
            description=reg.doc,
        )(receive)
