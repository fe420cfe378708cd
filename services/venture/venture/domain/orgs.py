"""Organisations as venture sees them (a read model of registry events), eligibility and titles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.errors import Conflict, Invalid
from shared.reference import ORG_STATUS_NAMES, OrgStatus, OrgType

REGISTERED_TYPES = frozenset({OrgType.SOCIAL_ASSOCIATION, OrgType.PRIVATE_NON_ENTERPRISE, OrgType.FOUNDATION})


@dataclass(frozen=True)
class Org:
    """The registry snapshot venture keeps of one organisation."""

    org_id: UUID
    version: int
    name: str
    org_type: str
    status: str
    credit_code: str | None = None
    street_code: str | None = None
    community: str | None = None
    sponsor_org_id: UUID | None = None
    is_support_org: bool = False

    @property
    def is_registered(self) -> bool:
        return self.org_type in REGISTERED_TYPES and self.status == OrgStatus.REGISTERED

    @property
    def is_filed_community_org(self) -> bool:
        return self.org_type == OrgType.COMMUNITY_ORG and self.status in (OrgStatus.FILED, OrgStatus.INCUBATING)


@dataclass(frozen=True)
class Graduation:
    """A filed community group that registry has since registered (毕业)."""

    org_id: UUID
    registered_on: date | None
    filed_on: date | None


@dataclass(frozen=True)
class CommunityGrant:
    """A grant an org received as a filed community group: what "cultivated" means."""

    grant_id: UUID
    street_code: str
    round_number: int


@dataclass(frozen=True)
class FundedProject:
    """A project already funded, by venture or by procurement: not to be funded again."""

    source: str  # venture | procurement
    source_id: UUID
    org_id: UUID
    title: str
    title_key: str
    funded_on: date

    @property
    def source_name(self) -> str:
        return "政府购买服务项目" if self.source == "procurement" else "往届公益创投项目"


def check_mentor(mentor: Org | None) -> None:
    """A mentor (督导) is a registered support organisation (支持型社会组织)."""
    if mentor is None or not mentor.is_registered or not mentor.is_support_org:
        raise ValueError("督导机构须是登记状态正常的支持型社会组织")


def is_newer(stored_version: int | None, incoming_version: int) -> bool:
    """Apply a registry snapshot only when it is newer: duplicates and stale arrivals change nothing."""
    return stored_version is None or incoming_version > stored_version


def check_applicant(applicant: Org | None, sponsor: Org | None, *, sponsor_org_id: UUID | None) -> str:
    """Who may apply: a registered org in its own name, or a filed community org through the registered
    sponsor registry recorded for it.

    Returns how the org applies: "registered" or "community".
    """
    if applicant is None:
        raise Invalid("org_id", "该组织尚未出现在登记信息中（venture 尚未收到 registry 的组织事件）")
    status_name = ORG_STATUS_NAMES.get(applicant.status, applicant.status)
    if applicant.org_type in REGISTERED_TYPES:
        if applicant.status != OrgStatus.REGISTERED:
            raise Conflict(f"组织状态为“{status_name}”，只有登记状态正常的组织可以申报", code="org_not_active")
        if sponsor_org_id is not None:
            raise Invalid("sponsor_org_id", "已登记的组织以自己的名义申报，不需要支持单位")
        return "registered"
    if not applicant.is_filed_community_org:
        raise Conflict(f"社区社会组织状态为“{status_name}”，不能申报", code="org_not_active")
    if sponsor_org_id is None:
        raise Invalid("sponsor_org_id", "已备案的社区社会组织须通过一家已登记的组织申报")
    if sponsor is None:
        raise Invalid("sponsor_org_id", "支持单位尚未出现在登记信息中")
    if not sponsor.is_registered:
        raise Invalid("sponsor_org_id", "支持单位必须是登记状态正常的社会组织")
    # Registry records the group's sponsor (at filing, from the roster, or attached by staff); no
    # other organisation may apply in the group's name and use up its applications in a round.
    if applicant.sponsor_org_id is None:
        raise Invalid(
            "sponsor_org_id",
            "登记信息中该社区社会组织没有支持单位：请区级或所在街道工作人员先在登记系统中为其登记支持单位",
        )
    if applicant.sponsor_org_id != sponsor.org_id:
        raise Invalid(
            "sponsor_org_id", "支持单位与登记信息中该社区社会组织的支持单位不一致，只有其登记的支持单位可以代为申报"
        )
    return "community"


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def title_key(title: str) -> str:
    """How "the same project" is recognised: NFKC-folded, lower-cased, without spaces or punctuation.

    Together with the org id this is the no-double-funding key; e.g. "社区 “老街坊”互助（二期）"
    and "社区老街坊互助(二期)" are the same project.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _PUNCT.sub("", folded)
