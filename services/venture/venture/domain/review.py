"""A reviewer's side of selection: assignments, the declaration of interests, rubric scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Assignment:
    round_id: UUID
    application_id: UUID
    reviewer: str
    conflicted: bool


@dataclass(frozen=True)
class Declaration:
    """A reviewer's declaration of interests for a round: once, before opening any application."""

    conflicted_org_ids: list[UUID]
    statement: str
    declared_on: date


@dataclass(frozen=True)
class Score:
    application_id: UUID
    reviewer: str
    criteria: dict[str, Any]
    total: Decimal
    comment: str


@dataclass(frozen=True)
class ReviewerTask:
    """One assignment as its reviewer's list shows it."""

    round_id: UUID
    round_number: int
    application_id: UUID
    title: str
    declared: bool
    conflicted: bool
    scored: bool


@dataclass(frozen=True)
class ApplicantOrg:
    org_id: UUID
    name: str
