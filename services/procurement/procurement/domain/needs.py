"""Community needs (社区需求): what a community platform finds its residents need. The street
reviews each: declines it with a reason, merges several into one demand the street office buys,
or passes it to a public-welfare claiming edition (公益认领)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, Invalid
from shared.reference import STREETS


class NeedStatus(StrEnum):
    RAISED = "raised"  # waiting for the street
    DECLINED = "declined"
    MERGED = "merged"  # into a demand (demand_id)
    PASSED = "passed"  # to a claiming edition (edition_id)


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


STATUS_NAMES = {
    NeedStatus.RAISED: "待街道审核",
    NeedStatus.DECLINED: "未采纳",
    NeedStatus.MERGED: "已转为购买需求",
    NeedStatus.PASSED: "已转入公益认领",
}


@dataclass(frozen=True)
class NeedLink:
    """A community need a project's demand came from, as the project and its OCDS release show it."""

    need_id: UUID
    community: str
    title: str
    residents: int


def community_ref(street_code: str, community: str) -> str:
    """How notices address a community platform: `<street code>/<community>`."""
    return f"{street_code}/{community}"


@dataclass
class CommunityNeed:
    id: UUID
    street_code: str
    community: str
    title: str
    description: str
    residents: int
    urgency: Urgency
    domain: str
    raised_by: str
    raised_on: date
    status: NeedStatus = NeedStatus.RAISED
    reason: str | None = None
    demand_id: UUID | None = None
    edition_id: UUID | None = None
    decided_by: str | None = None
    decided_on: date | None = None

    @property
    def ref(self) -> str:
        return community_ref(self.street_code, self.community)

    def _decide(self, by: str, today: date) -> None:
        if self.status is not NeedStatus.RAISED:
            raise Conflict(f"该需求{STATUS_NAMES[self.status]}，不能再次处理", code="need_decided")
        self.decided_by, self.decided_on = by, today

    def decline(self, reason: str, *, by: str, today: date) -> None:
        if not reason.strip():
            raise Invalid("reason", "不采纳须说明理由")
        self._decide(by, today)
        self.status, self.reason = NeedStatus.DECLINED, reason.strip()

    def merge_into(self, demand_id: UUID, *, by: str, today: date) -> None:
        self._decide(by, today)
        self.status, self.demand_id = NeedStatus.MERGED, demand_id

    def pass_to(self, edition_id: UUID, *, by: str, today: date) -> None:
        self._decide(by, today)
        self.status, self.edition_id = NeedStatus.PASSED, edition_id


def check_mergeable(needs: list[CommunityNeed], street_code: str) -> None:
    """Needs merged into one demand are all still waiting, and all of one street."""
    if not needs:
        raise Invalid("need_ids", "至少选择一项社区需求")
    others = [str(n.id) for n in needs if n.street_code != street_code]
    if others:
        raise Invalid(
            "need_ids", f"只能合并本街道（{STREETS.get(street_code, street_code)}）的社区需求：{', '.join(others)}"
        )
    decided = [str(n.id) for n in needs if n.status is not NeedStatus.RAISED]
    if decided:
        raise Conflict(f"这些需求已处理过：{', '.join(decided)}", code="need_decided")
