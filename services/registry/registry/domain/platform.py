"""Platforms of the "one centre, many bases" system and where organisations are placed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.contracts.registry import PlatformEstablished
from shared.errors import Invalid
from shared.reference import DISTRICT_CODE, STREETS, OrgType, PlatformLevel


@dataclass(frozen=True)
class Platform:
    code: str
    level: PlatformLevel
    name: str
    street_code: str | None = None
    parent_code: str | None = None

    def established(self, *, now: datetime) -> PlatformEstablished:
        return PlatformEstablished(
            platform_code=self.code,
            level=self.level,
            name=self.name,
            street_code=self.street_code,
            parent_code=self.parent_code,
            occurred_at=now,
        )


def community_platform(street_code: str, sequence: int, name: str) -> Platform:
    """A community platform under its street's platform; code = street code + 3 digits."""
    if street_code not in STREETS:
        raise Invalid("street_code", f"未知街道代码 {street_code}")
    name = " ".join(name.split())
    if not name:
        raise Invalid("name", "平台名称不能为空")
    if not 1 <= sequence <= 999:
        raise Invalid("street_code", "该街道的社区平台编号已用完")
    return Platform(
        code=f"{street_code}{sequence:03d}",
        level=PlatformLevel.COMMUNITY,
        name=name[:100],
        street_code=street_code,
        parent_code=street_code,
    )


def default_platform(org_type: OrgType, street_code: str | None) -> str:
    """Where an org is placed when staff do not say: its street's platform, else the district's."""
    return street_code if street_code is not None else DISTRICT_CODE


def check_placement(platform: Platform | None, street_code: str | None, field: str = "platform_code") -> Platform:
    """An org of a street sits on the district platform or a platform of that street."""
    if platform is None:
        raise Invalid(field, "未知平台代码")
    if platform.level is not PlatformLevel.DISTRICT and platform.street_code != street_code:
        raise Invalid(field, f"平台 {platform.code} 不属于该组织所在街道 {street_code}")
    return platform
