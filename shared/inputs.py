"""The base of every HTTP input model: text PostgreSQL cannot store is refused as it arrives.

A U+0000 or a lone surrogate in a request would otherwise pass the route's model and fail later,
where the command becomes an event (whose contract refuses it) or a row: a 500 instead of a 422
naming the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

from shared.contracts.base import check_storable


class InputModel(BaseModel):
    """A request body (or part of one): every text field must be storable."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        check_storable(value)
        return value
