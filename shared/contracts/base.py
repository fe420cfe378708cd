"""The integration-event base class and the types every contract shares."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from shared import context

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {}


# Money travels as a decimal string: digits, at most 12 before the point (no leading zero), at
# most 2 after it. Nothing else — no number (a float silently loses cents), no sign, exponent,
# underscore, full-width digit or surrounding space — so the documents can say exactly what is taken.
MONEY_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"
# The same, above zero (a budget, a contract amount, a payment).
POSITIVE_MONEY_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,11}(\.[0-9]{1,2})?)$"
_MONEY = re.compile(MONEY_PATTERN)


def _money_in(value: Any) -> Any:
    if isinstance(value, Decimal):  # built in code, not read from a message
        return value
    if isinstance(value, bool | int | float):
        raise ValueError('金额须为十进制字符串，如 "200000.00"，不能是数字')
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        raise ValueError('金额须为十进制字符串，如 "200000.00"：整数部分至多 12 位，小数至多 2 位，不带符号或空格')
    return value


def _money_schema(pattern: str, description: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": description, "examples": ["200000.00"]})


_MONEY_PARTS = (
    BeforeValidator(_money_in),
    Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
)
MoneyCNY = Annotated[
    Decimal,
    *_MONEY_PARTS,
    _money_schema(MONEY_PATTERN, "An amount in CNY as a decimal string, at most two decimals (never a number)."),
]
"""An amount in CNY: non-negative, at most two decimals, serialised as a string."""

PositiveMoneyCNY = Annotated[
    Decimal,
    *_MONEY_PARTS,
    Field(gt=0),
    _money_schema(POSITIVE_MONEY_PATTERN, "An amount in CNY above zero as a decimal string, at most two decimals."),
]
"""An amount in CNY above zero."""


# PostgreSQL cannot store U+0000 in text or jsonb, and a lone surrogate cannot be encoded as
# UTF-8 at all: text holding either must be refused where it enters, not fail at the INSERT.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why PostgreSQL cannot store `text` (None when it can), in words for the sender."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return f"文本含有无法保存的字符 U+{ord(found.group()):04X}（第 {found.start() + 1} 个字符）"


def storable(text: str) -> str:
    """`text` with what PostgreSQL cannot store replaced by U+FFFD: for keeping what a sender
    wrote (a refused message's identity, its headers) where the original cannot go."""
    return _UNSTORABLE.sub("\ufffd", text)


# Dates a record of the centre can hold. Beyond them lie `date.max` and `date.min`, which the
# database driver stores as `infinity` and `-infinity` (where `extract(year ...)` and date
# arithmetic fail), and nothing a person or a district system could mean.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def check_storable(value: Any) -> None:
    """Raise ValueError naming why when `value` (or any text or date inside it) cannot be stored."""
    if isinstance(value, str):
        if (why := unstorable(value)) is not None:
            raise ValueError(why)
    elif isinstance(value, date):  # a datetime is a date too
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"日期超出可受理的范围（{EARLIEST_YEAR} 年至 {LATEST_YEAR} 年）")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_storable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_storable(key)
            check_storable(item)


class ContractModel(BaseModel):
    """Every model of the contract: frozen, ignores unknown fields, and refuses text that
    PostgreSQL cannot store, naming the field (a nested model checks its own fields)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        check_storable(value)
        return value


class FieldError(ContractModel):
    """One reason a message was refused, naming the field (dotted path) it concerns."""

    field: str
    message: str


def _now() -> datetime:
    return datetime.now(UTC)


def _correlation() -> str:
    return context.correlation_id() or str(uuid4())


class IntegrationEvent(ContractModel):
    """A fact one service tells the others; the routing key names its type and version."""

    routing_key: ClassVar[str] = ""
    # A body larger than this is refused unread (None: only the broker's max_message_size applies).
    max_body_bytes: ClassVar[int | None] = None

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

    def bcc(self) -> tuple[str, ...]:
        """Routing keys that also receive this event, in the same publish (RabbitMQ's
        sender-selected distribution: the broker strips the list, so no receiver sees it)."""
        return ()


def event_class(routing_key: str) -> type[IntegrationEvent] | None:
    """The contract class for a routing key, or None when the key is unknown."""
    return EVENT_TYPES.get(routing_key)
