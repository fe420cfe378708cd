"""Messages whose properties the AMQP client cannot decode still reach the consumer.

RabbitMQ passes a message's properties through without checking their values. pamqp (4.0.1,
the latest; under aiormq and aio-pika) raises while decoding some of them, for instance a
`timestamp` past the year 9999, in the `timestamp` property or as a header value ('T'), or a
header name that is not UTF-8. The error surfaces while reading a frame, so aiormq closes the
whole connection; the message, never acked, comes back on the next connection and closes it
again. One such message from any sender stops every queue consumed on that connection, for good.

`tolerate_undecodable_properties` makes the content-header decoding fall back to a header that
keeps the body size (so the body frames that follow are read as usual) and says, in
`UNDECODABLE_HEADER`, why the properties were dropped. The consumer then answers or
dead-letters the message like any other that cannot be read, and the connection stays up.
"""

from __future__ import annotations

import struct

import pamqp.frame
from pamqp import commands, header

UNDECODABLE_HEADER = "x-undecodable-properties"

_original = pamqp.frame._unmarshal_header_frame


def _tolerant_unmarshal_header_frame(frame_data: bytes) -> header.ContentHeader:
    try:
        return _original(frame_data)
    except Exception as exc:
        try:
            _class_id, weight, body_size = struct.unpack(">HHQ", frame_data[0:12])
        except struct.error:
            raise exc from None  # not even a content header: a broken connection, not a message
        why = f"{type(exc.__cause__ or exc).__name__}: {exc.__cause__ or exc}"[:500]
        return header.ContentHeader(weight, body_size, commands.Basic.Properties(headers={UNDECODABLE_HEADER: why}))


def tolerate_undecodable_properties() -> None:
    """Install the fallback (idempotent; the module-level lookup in pamqp.frame.unmarshal uses it)."""
    pamqp.frame._unmarshal_header_frame = _tolerant_unmarshal_header_frame
