"""Per-message and per-request context: correlation and causation ids carried to new events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import structlog

_correlation: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation: ContextVar[str | None] = ContextVar("causation_id", default=None)


def correlation_id() -> str | None:
    return _correlation.get()


def causation_id() -> str | None:
    return _causation.get()


@contextmanager
def bound(*, correlation_id: str | None, causation_id: str | None = None, **log_fields: object) -> Iterator[None]:
    """Bind ids for events created inside the block and for every log line it writes."""
    t1 = _correlation.set(correlation_id)
    t2 = _causation.set(causation_id)
    fields = {k: v for k, v in {"correlation_id": correlation_id, **log_fields}.items() if v is not None}
    with structlog.contextvars.bound_contextvars(**fields):
        try:
            yield
        finally:
            _correlation.reset(t1)
            _causation.reset(t2)
