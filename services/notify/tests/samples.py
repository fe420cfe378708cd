"""Sample instances of any event contract, built from its field types (so new events are covered)."""

from __future__ import annotations

import types
import typing
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from shared.contracts.base import IntegrationEvent

STREET = "110101006"


def _value(name: str, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _value(name, inner[0])
    if origin is typing.Annotated:
        return _value(name, args[0])
    if origin in (list, tuple, set, frozenset):
        return [_value(name, args[0] if args else str)]
    if origin is dict:
        return {}
    if origin is typing.Literal:
        return args[0]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return sample_dict(annotation)
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if annotation is bool:
            return False
        if annotation is int:
            return 2
        if annotation is Decimal:
            return "1000.00"
        if annotation is float:
            return 1.5
        if annotation is uuid.UUID:
            return str(uuid.uuid4())
        if annotation is datetime:
            return datetime(2026, 3, 2, 9, 30, tzinfo=UTC).isoformat()
        if annotation is date:
            return "2026-03-16"
        if annotation is str:
            return _text(name)
    return _text(name)


def _text(name: str) -> str:
    if "street" in name:
        return STREET
    if name == "credit_code":
        return "52110101MJ0123456W"
    if name in ("email",):
        return "org@example.org"
    if name in ("webhook_url",):
        return "http://127.0.0.1:9/hook"
    if name in ("source_system",):
        return "sports-bureau-oa"
    return f"示例{name}"


def sample_dict(model: type[BaseModel], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in IntegrationEvent.model_fields:
            continue
        data[name] = _value(name, info.annotation)
    data.update(overrides)
    return data


def sample_event(model: type[IntegrationEvent], **overrides: Any) -> IntegrationEvent:
    """A valid instance where the contract's validators accept the generated values."""
    data = sample_dict(model, **overrides)
    try:
        return model.model_validate(data)
    except ValueError:
        return model.model_construct(**data)


def org_registered(
    org_id: uuid.UUID,
    *,
    email: str | None,
    webhook: str | None,
    version: int = 1,
    name: str = "东四阳光助老服务中心",
    street: str = STREET,
) -> Any:
    """A registry.org_registered.v1 event for an organisation with the given contact."""
    from shared.contracts.registry import OrgRegistered, OrgSnapshot

    snapshot = OrgSnapshot.model_validate(
        {
            "org_id": str(org_id),
            "version": version,
            "name": name,
            "org_type": "private_non_enterprise",
            "status": "registered",
            "credit_code": "52110101MJ0123456W",
            "street_code": street,
            "domains": ["elder_care"],
            "contact": {"name": "王主任", "email": email, "webhook_url": webhook},
        }
    )
    return OrgRegistered(org=snapshot)


async def eventually(check: Any, *, timeout: float = 45.0, interval: float = 0.1) -> Any:
    """The kit's `eventually` with a longer patience: the test broker and database are shared with
    other teams' test runs, so a busy machine must not fail a correct test."""
    from testkit import eventually as kit_eventually

    return await kit_eventually(check, timeout=timeout, interval=interval)
