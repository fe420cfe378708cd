"""Public-welfare claiming (公益认领): an edition's items (微心愿 / micro-projects), claims on them by
party branches, organisations, party members and residents, the organiser's decisions and completion.

An item needs `shares` shares (1 for a single wish; more when it can be covered by several partial
claims). Pending and confirmed claims hold shares; a declined claim frees them. The item is covered
when confirmed shares reach `shares`, and completed when the organiser records what was delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

import phonenumbers

from shared.errors import Conflict, Invalid


class EditionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    OPEN = "open"  # claimable
    COVERED = "covered"  # confirmed claims cover every share
    COMPLETED = "completed"  # delivered


class ClaimStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class ClaimerKind(StrEnum):
    PARTY_BRANCH = "party_branch"  # 区域化党建单位 / a branch through its organisation's account (支部+公益+项目)
    ORG = "org"  # a registered social organisation or a filed community organisation
    PARTY_MEMBER = "party_member"  # 社区党员, through the public page
    RESIDENT = "resident"  # 居民, through the public page


ACCOUNT_KINDS = (ClaimerKind.PARTY_BRANCH, ClaimerKind.ORG)
PUBLIC_KINDS = (ClaimerKind.PARTY_MEMBER, ClaimerKind.RESIDENT)


class NeedKind(StrEnum):
    MONEY = "money"
    GOODS = "goods"
    VOLUNTEER_HOURS = "volunteer_hours"
    SKILLS = "skills"


ITEM_STATUS_NAMES = {ItemStatus.OPEN: "可认领", ItemStatus.COVERED: "已认领满", ItemStatus.COMPLETED: "已完成"}

# A person claiming on the public page may make this many claims per day (one phone number).
PUBLIC_CLAIMS_PER_PHONE_PER_DAY = 3


def mobile_number(raw: str, field: str = "phone") -> str:
    """The number as a mainland mobile number in E.164 form, or Invalid naming the field."""
    try:
        parsed = phonenumbers.parse(raw.strip(), "CN")
    except phonenumbers.NumberParseException:
        raise Invalid(field, "手机号码格式不正确") from None
    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) not in mobile
    ):
        raise Invalid(field, "请填写有效的中国大陆手机号码")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class Edition:
    """One edition (届) of claiming, organised by an organisation or a community platform."""

    id: UUID
    number: int
    title: str
    street_code: str
    community: str
    organiser_name: str
    opens_on: date
    closes_on: date
    created_by: str
    organiser_org_id: UUID | None = None
    status: EditionStatus = EditionStatus.OPEN

    def validate(self) -> None:
        if self.closes_on < self.opens_on:
            raise Invalid("closes_on", "认领截止日期不能早于开始日期")

    def check_claimable(self, today: date) -> None:
        if self.status is not EditionStatus.OPEN:
            raise Conflict(f"第{self.number}届公益认领已结束", code="edition_closed")
        if not self.opens_on <= today <= self.closes_on:
            raise Conflict(f"不在认领期内（{self.opens_on} 至 {self.closes_on}）", code="outside_claim_window")

    def close(self) -> None:
        if self.status is EditionStatus.CLOSED:
            raise Conflict(f"第{self.number}届公益认领已结束", code="edition_closed")
        self.status = EditionStatus.CLOSED


@dataclass
class Claim:
    id: UUID
    item_id: UUID
    edition_id: UUID
    kind: ClaimerKind
    claimer_name: str
    shares: int
    claimed_on: date
    claimer_org_id: UUID | None = None
    phone: str | None = None  # public claims only; never shown on the public page nor in events
    note: str = ""
    status: ClaimStatus = ClaimStatus.PENDING
    reason: str | None = None
    decided_on: date | None = None


@dataclass
class Item:
    """A micro-wish or micro-project put up for claiming."""

    id: UUID
    edition_id: UUID
    title: str
    need: str
    category: str
    community: str
    beneficiaries_expected: int
    needs: list[str]
    shares: int = 1
    status: ItemStatus = ItemStatus.OPEN
    held_shares: int = 0  # pending + confirmed
    confirmed_shares: int = 0
    delivered: str | None = None
    person_times: int = 0
    report_ref: str | None = None
    completed_on: date | None = None
    claims: list[Claim] = field(default_factory=list)

    def check_claim(self, shares: int) -> None:
        """A new claim of `shares` shares: only on an open item, never beyond what is still free."""
        if self.status is ItemStatus.COMPLETED:
            raise Invalid("item_id", "该项目已完成，不再接受认领")
        if self.status is ItemStatus.COVERED:
            raise Invalid("item_id", "该项目已认领满，不再接受认领")
        free = self.shares - self.held_shares
        if shares > free:
            raise Invalid("shares", f"认领份数超过剩余份数（剩余 {free} 份）")

    def hold(self, claim: Claim) -> None:
        self.check_claim(claim.shares)
        self.held_shares += claim.shares
        self.claims.append(claim)

    def confirm(self, claim: Claim, today: date) -> bool:
        """Confirm a pending claim; True when the item is now fully covered."""
        _check_pending(claim)
        if self.status is ItemStatus.COMPLETED:
            raise Conflict("该项目已完成", code="item_completed")
        claim.status, claim.decided_on = ClaimStatus.CONFIRMED, today
        self.confirmed_shares += claim.shares
        if self.confirmed_shares >= self.shares:
            self.status = ItemStatus.COVERED
            return True
        return False

    def decline(self, claim: Claim, reason: str, today: date) -> None:
        _check_pending(claim)
        if not reason.strip():
            raise Invalid("reason", "婉拒认领须说明理由")
        claim.status, claim.reason, claim.decided_on = ClaimStatus.DECLINED, reason.strip(), today
        self.held_shares -= claim.shares

    def complete(self, *, delivered: str, person_times: int, report_ref: str | None, today: date) -> None:
        """Record what was delivered; needs at least one confirmed claim."""
        if self.status is ItemStatus.COMPLETED:
            raise Conflict("该项目已登记完成", code="item_completed")
        if self.confirmed_shares == 0:
            raise Invalid("item_id", "该项目还没有确认的认领，不能登记完成")
        if person_times < 0:
            raise Invalid("person_times", "服务人次不能为负数")
        self.status = ItemStatus.COMPLETED
        self.delivered, self.person_times, self.report_ref, self.completed_on = (
            delivered,
            person_times,
            report_ref,
            today,
        )


def _check_pending(claim: Claim) -> None:
    if claim.status is not ClaimStatus.PENDING:
        names = {ClaimStatus.CONFIRMED: "已确认", ClaimStatus.DECLINED: "已婉拒"}
        raise Conflict(f"该认领{names[claim.status]}，不能再次处理", code="claim_decided")
