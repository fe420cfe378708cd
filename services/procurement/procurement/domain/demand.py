"""Demands (需求): step 1, collection. Identity is (source_system, demand_ref)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from shared.contracts.procurement import FieldError
from shared.reference import STREETS, street_of_office, street_office_code


class DemandStatus(StrEnum):
    COLLECTING = "collecting"  # 需求征集: may still be revised by its source
    SORTED = "sorted"  # merged into a project (需求梳理): frozen


@dataclass(frozen=True)
class DemandContent:
    """What a district system (or staff member) says it needs; compared to detect revisions."""

    purchaser_code: str
    purchaser_name: str
    purchaser_kind: str
    street_code: str | None
    title: str
    description: str
    domain: str
    budget_cny: Decimal
    expected_beneficiaries: int
    wanted_by: date | None

    def fingerprint(self) -> str:
        data: dict[str, Any] = {k: str(v) if v is not None else None for k, v in self.__dict__.items()}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def purchaser_problem(code: str, kind: str, street_code: str | None) -> FieldError | None:
    """A street office buys under its own code (`<street>JDB`) for its own street; no department
    may take a street office's code. Notices to a purchaser are scoped by this code."""
    if kind == "street_office" and street_code in STREETS and code != street_office_code(street_code):
        expected = street_office_code(street_code)
        return FieldError(field="purchaser.code", message=f"街道办事处的购买主体代码应为 {expected}（街道代码加 JDB）")
    if kind != "street_office" and street_of_office(code) is not None:
        return FieldError(field="purchaser.kind", message=f"{code} 是街道办事处的购买主体代码，类型应为 street_office")
    return None


def rule_errors(content: DemandContent, *, sent_on: date | None) -> list[FieldError]:
    """Rules beyond the message schema: a street office names its street under its own code; a
    deadline is not past."""
    errors = []
    if content.purchaser_kind == "street_office" and content.street_code is None:
        errors.append(FieldError(field="street_code", message="街道办事处提出的需求必须给出街道代码"))
    if content.street_code is not None and content.street_code not in STREETS:
        errors.append(FieldError(field="street_code", message=f"未知街道代码 {content.street_code}"))
    problem = purchaser_problem(content.purchaser_code, content.purchaser_kind, content.street_code)
    if problem is not None:
        errors.append(problem)
    if content.wanted_by is not None and sent_on is not None and content.wanted_by < sent_on:
        errors.append(FieldError(field="wanted_by", message="期望完成日期早于需求发布日期"))
    return errors


class Outcome(StrEnum):
    NEW = "new"
    UNCHANGED = "unchanged"
    REVISED = "revised"
    FROZEN = "frozen"


def decide(existing_status: DemandStatus | None, existing_fingerprint: str | None, content: DemandContent) -> Outcome:
    """What a (re)published demand does to the one already held under the same identity."""
    if existing_status is None:
        return Outcome.NEW
    if existing_fingerprint == content.fingerprint():
        return Outcome.UNCHANGED
    if existing_status is DemandStatus.COLLECTING:
        return Outcome.REVISED
    return Outcome.FROZEN


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_SUFFIXES = ("服务项目", "项目", "计划")


def project_key(title: str) -> str:
    """How a title is matched for double funding: NFKC, case-folded, no spaces/punctuation, no 项目 suffix."""
    key = _PUNCT.sub("", unicodedata.normalize("NFKC", title).casefold())
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class Demand:
    """A demand as it is held: its identity, its content, and where collection and sorting left it."""

    id: UUID
    source_system: str
    demand_ref: str
    purchaser_code: str
    purchaser_name: str
    purchaser_kind: str
    street_code: str | None
    title: str
    description: str
    domain: str
    budget_cny: Decimal
    expected_beneficiaries: int
    wanted_by: date | None
    status: DemandStatus
    fingerprint: str
    revision: int
    project_id: UUID | None
    received_via: str
    entered_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Refused:
    """A refused message as it is kept: text PostgreSQL cannot store already replaced."""

    message_id: str | None
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    errors: list[FieldError]
    source_system: str | None
    demand_ref: str | None
    sent_by: str | None
    dedupe_key: str
