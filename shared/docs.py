"""Contract documents generated from code: a service's AsyncAPI (FastStream's generator, with
the payload of every consumed and published event taken from its pydantic contract)."""

from __future__ import annotations

import json
from typing import Any

from faststream.specification import AsyncAPI

from shared.contracts import EVENT_TYPES, IntegrationEvent
from shared.messaging.topology import EVENTS


def published_events(service: str) -> list[type[IntegrationEvent]]:
    """The events of a service's own context, i.e. the routing keys it may publish."""
    return [cls for key, cls in sorted(EVENT_TYPES.items()) if key.startswith(f"{service}.")]


def schema_name(cls: type[IntegrationEvent]) -> str:
    """The event's schema name in a document: its class name, qualified by its context when
    another context has an event of the same name (notify consumes both `ObjectionFiled`s)."""
    same = [c for c in EVENT_TYPES.values() if c.__name__ == cls.__name__]
    return cls.__name__ if len(same) == 1 else f"{cls.routing_key.split('.', 1)[0]}.{cls.__name__}"


def _add_schema(doc: dict[str, Any], cls: type[IntegrationEvent]) -> str:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas[schema_name(cls)] = schema
    return f"#/components/schemas/{schema_name(cls)}"


def asyncapi_document(service: Any, *, version: str = "0.1.0") -> dict[str, Any]:
    """AsyncAPI 3.0 of a `shared.service.Service` built only for documentation (it registers
    document-only publishers on the service's broker)."""
    broker = service.broker
    service.consumers.document(broker)
    for cls in published_events(service.name):
        broker.publisher(
            exchange=EVENTS,
            routing_key=cls.routing_key,
            schema=cls,
            persist=True,
            title=f"{cls.routing_key}:publish",
            description=cls.__doc__,
        )
    spec = AsyncAPI(
        broker,
        title=f"{service.name} events",
        version=version,
        description=f"Events the {service.name} service publishes to and consumes from the `events` exchange.",
        schema_version="3.0.0",
    ).to_specification()
    doc: dict[str, Any] = json.loads(spec.to_json())
    messages = doc.get("components", {}).get("messages", {})
    for reg in service.consumers.registrations:
        name = f"{reg.queue.name}:consume:SubscribeMessage"
        if name in messages:
            messages[name]["payload"] = {"$ref": _add_schema(doc, EVENT_TYPES[reg.event_cls.routing_key])}
    for cls in published_events(service.name):
        _add_schema(doc, cls)
    doc.get("components", {}).get("schemas", {}).pop("EmptyPayload", None)
    return doc
