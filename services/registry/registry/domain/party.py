"""Party branches (功能型党支部), the support alliance, and their coverage figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from shared.errors import Invalid


def clean_branch_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid("name", "党支部名称不能为空")
    return name[:200]


def check_formed_on(formed_on: date, today: date) -> date:
    if formed_on > today:
        raise Invalid("formed_on", "成立日期不能是将来的日期")
    return formed_on


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when there is no whole."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Coverage:
    """Organisation coverage: active orgs covered by a branch over all active orgs."""

    branches: int
    active_orgs: int
    covered_orgs: int

    @property
    def coverage_pct(self) -> Decimal | None:
        return percent(self.covered_orgs, self.active_orgs)


def attachable(
    org_ids: list[UUID], existing: dict[UUID, str], already: dict[UUID, UUID], branch_id: UUID
) -> list[UUID]:
    """The orgs to attach: each must exist and be active, and not sit in another branch.

    `existing` maps org id → status; `already` maps org id → the branch it belongs to.
    Orgs already in this branch are skipped, so attaching twice changes nothing.
    """
    out: list[UUID] = []
    for i, org_id in enumerate(dict.fromkeys(org_ids)):
        status = existing.get(org_id)
        if status is None:
            raise Invalid(f"org_ids.{i}", f"未知组织 {org_id}")
        if status not in ("registered", "filed"):
            raise Invalid(f"org_ids.{i}", f"组织 {org_id} 状态为 {status}，不能纳入党支部")
        other = already.get(org_id)
        if other is not None and other != branch_id:
            raise Invalid(f"org_ids.{i}", f"组织 {org_id} 已属于另一个党支部 {other}")
        if other is None:
            out.append(org_id)
    return out
