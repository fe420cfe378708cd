"""The integration-event base class and the types every contract shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from shared import context

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {}


def _money_in(value: Any) -> Any:
    # Money travels as a decimal string; a float would silently lose cents.
    if isinstance(value, float):
        raise ValueError('money must be a decimal string such as "200000.00", not a float')
    if isinstance(value, str) and value.strip() != value:
        raise ValueError("money must not carry surrounding whitespace")
    return value


MoneyCNY = Annotated[
    Decimal,
    BeforeValidator(_money_in),
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
]
"""An amount in CNY: non-negative, at most two decimals, serialised as a string."""


def _now() -> datetime:
    return datetime.now(UTC)


def _correlation() -> str:
    return context.correlation_id() or str(uuid4())


class IntegrationEvent(BaseModel):
    """A fact one service tells the others; the routing key names its type and version."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    routing_key: ClassVar[str] = ""

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: AwareDatetime = Field(default_factory=_now)
    correlation_id: str = Field(default_factory=_correlation, max_length=200)
    causation_id: str | None = Field(default_factory=context.causation_id, max_length=200)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        key = cls.__dict__.get("routing_key")
        if key:
            if key in EVENT_TYPES and EVENT_TYPES[key] is not cls:
                raise TypeError(f"routing key {key} is already taken by {EVENT_TYPES[key].__name__}")
            EVENT_TYPES[key] = cls

    @property
    def context_name(self) -> str:
        return self.routing_key.split(".", 1)[0]


def event_class(routing_key: str) -> type[IntegrationEvent] | None:
    """The contract class for a routing key, or None when the key is unknown."""
    return EVENT_TYPES.get(routing_key)
