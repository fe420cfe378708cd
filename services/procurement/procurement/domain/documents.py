"""The domain's entities as JSON documents and back: what the store keeps (`projects.doc`) and
what the routes answer. One place, so both read and write exactly the same shape."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from procurement.domain.project import Project

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def dump(entity: Any) -> dict[str, Any]:
    """An entity (a project or one of its parts) as JSON-ready data: ids, dates and amounts as strings."""
    data: dict[str, Any] = _adapter(type(entity)).dump_python(entity, mode="json")
    return data


def load_project(doc: dict[str, Any]) -> Project:
    """A project from its stored document (unknown keys ignored, values parsed to their types)."""
    project: Project = _adapter(Project).validate_python(doc)
    return project
