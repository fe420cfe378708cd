"""Reference data from the glossary: the district, its 17 streets, service domains, org types."""

from __future__ import annotations

from enum import StrEnum

DISTRICT_CODE = "110101"
DISTRICT_NAME = "东城区"

STREETS: dict[str, str] = {
    "110101001": "东华门街道",
    "110101002": "景山街道",
    "110101003": "交道口街道",
    "110101004": "安定门街道",
    "110101005": "北新桥街道",
    "110101006": "东四街道",
    "110101007": "朝阳门街道",
    "110101008": "建国门街道",
    "110101009": "东直门街道",
    "110101010": "和平里街道",
    "110101011": "前门街道",
    "110101012": "崇文门外街道",
    "110101013": "东花市街道",
    "110101014": "龙潭街道",
    "110101015": "体育馆路街道",
    "110101016": "天坛街道",
    "110101017": "永定门外街道",
}

# A street office buying services is a purchaser with the code `<street code>JDB` (街道办), e.g.
# 110101006JDB for 东四街道办事处 — the same shape as the district departments' codes
# (`11010100MZJ` 民政局): an area code and the body's initials. Who reads a purchaser's notices
# follows from its code alone (the street's officers), never from what a message claims.
STREET_OFFICE_SUFFIX = "JDB"


def street_office_code(street_code: str) -> str:
    """The purchaser code of a street's office (街道办事处)."""
    return f"{street_code}{STREET_OFFICE_SUFFIX}"


def street_office_name(street_code: str) -> str:
    return f"{STREETS[street_code]}办事处"


STREET_OFFICES: dict[str, str] = {street_office_code(code): code for code in STREETS}  # purchaser code → street


def street_of_office(purchaser_code: str) -> str | None:
    """The street whose office a purchaser code is, or None (a district department)."""
    return STREET_OFFICES.get(purchaser_code)


class Domain(StrEnum):
    """Service domains used by orgs, demands, rounds and applications."""

    ELDER_CARE = "elder_care"
    COMMUNITY_GOVERNANCE = "community_governance"
    DISPUTE_MEDIATION = "dispute_mediation"
    ENVIRONMENT = "environment"
    CULTURE_SPORTS = "culture_sports"
    DISABILITY = "disability"
    YOUTH = "youth"
    MENTAL_HEALTH = "mental_health"
    MUTUAL_AID = "mutual_aid"
    CHARITY = "charity"
    OTHER = "other"


DOMAIN_NAMES: dict[str, str] = {
    "elder_care": "为老服务",
    "community_governance": "社区治理",
    "dispute_mediation": "矛盾调处",
    "environment": "环境保护",
    "culture_sports": "文体",
    "disability": "助残",
    "youth": "青少年",
    "mental_health": "心理健康",
    "mutual_aid": "邻里互助",
    "charity": "公益慈善",
    "other": "其他",
}


class OrgType(StrEnum):
    SOCIAL_ASSOCIATION = "social_association"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise"
    FOUNDATION = "foundation"
    COMMUNITY_ORG = "community_org"


ORG_TYPE_NAMES: dict[str, str] = {
    "social_association": "社会团体",
    "private_non_enterprise": "民办非企业单位",
    "foundation": "基金会",
    "community_org": "社区社会组织",
}


class OrgStatus(StrEnum):
    INCUBATING = "incubating"
    FILED = "filed"
    REGISTERED = "registered"
    SUSPENDED = "suspended"
    DEREGISTERED = "deregistered"


ORG_STATUS_NAMES: dict[str, str] = {
    "incubating": "筹备/孵化中",
    "filed": "已备案",
    "registered": "已登记",
    "suspended": "暂停",
    "deregistered": "注销",
}


class PlatformLevel(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
