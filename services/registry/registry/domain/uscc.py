"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) validation.

18 characters: registration department (1) + org category (1) + division of the registering
authority (6) + organisation code (9, ending in its GB 11714 check character) + check
character (1). Only the civil-affairs categories 51/52/53 may be registered here, and only by
a Dongcheng, Beijing or national registering authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.reference import OrgType

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALPHABET_SET = frozenset(ALPHABET)
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28

# GB 11714: the organisation code's own check character (digits 0-9, letters A-Z = 10-35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

CATEGORY_BY_TYPE: dict[OrgType, str] = {
    OrgType.SOCIAL_ASSOCIATION: "51",
    OrgType.PRIVATE_NON_ENTERPRISE: "52",
    OrgType.FOUNDATION: "53",
}
DIVISIONS: dict[str, str] = {"110101": "东城区", "110000": "北京市", "100000": "全国"}


class CreditCodeError(ValueError):
    """The code is not acceptable; `rule` names the broken rule (length, alphabet, checksum, …)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


@dataclass(frozen=True)
class ChecksumOverride:
    """Staff vouch for a legal pilot-era code whose check characters do not compute.

    It bypasses the two checksum rules only; length, alphabet, category and division still
    apply. Who, why and when are recorded with the organisation.
    """

    approved_by: str
    reason: str
    recorded_at: datetime


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(map(int.__mul__, map(_VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """GB 11714's check character for the first 8 characters of an organisation code."""
    total = sum(map(int.__mul__, map(_ORG_VALUE.__getitem__, first8), _ORG_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def checksum_problem(code: str) -> str | None:
    """Why a well-formed code fails its checksums, or None when both check characters compute."""
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验码错误：第18位应为 {expected}，实为 {code[17]}"
    org_expected = org_code_check_character(code[8:16])
    if code[16] != org_expected:
        return f"组织机构代码校验位错误：第17位应为 {org_expected}，实为 {code[16]}"
    return None


def validate(code: str, org_type: OrgType | None = None, *, waive_checksum: bool = False) -> str:
    """Return the code when acceptable for `org_type` (any type when None); raise CreditCodeError.

    `waive_checksum` (an approved `ChecksumOverride`) bypasses the two checksum rules, nothing else."""
    if len(code) != 18:
        raise CreditCodeError("length", f"统一社会信用代码应为18位，实为{len(code)}位")
    bad = [] if _ALPHABET_SET.issuperset(code) else [ch for ch in code if ch not in _VALUE]
    if bad:
        raise CreditCodeError("alphabet", f"含非法字符 {bad[0]!r}：只允许数字和大写字母（不含 I、O、S、V、Z）")
    if org_type is not None:
        wanted = CATEGORY_BY_TYPE.get(org_type)
        if wanted is None:
            raise CreditCodeError("category", f"{org_type} 不登记，不应有统一社会信用代码")
        if code[:2] != wanted:
            raise CreditCodeError("category", f"登记管理部门和机构类别代码应为 {wanted}（{org_type}），实为 {code[:2]}")
        if code[2:8] not in DIVISIONS:
            raise CreditCodeError(
                "division", f"登记管理机关行政区划码 {code[2:8]} 不受理：应为 110101、110000 或 100000"
            )
    problem = checksum_problem(code)
    if problem is not None and not waive_checksum:
        raise CreditCodeError("checksum", problem)
    return code


def needs_override(code: str) -> bool:
    """True for a well-formed code whose checksums fail (an override is then meaningful)."""
    return len(code) == 18 and all(ch in _VALUE for ch in code) and checksum_problem(code) is not None


def make_code(category: str, division: str, org_body: str) -> str:
    """A valid code from category, division and the first 8 characters of the organisation code.

    Used to generate synthetic rosters and test data.
    """
    org_code = org_body + org_code_check_character(org_body)
    first17 = category + division + org_code
    return first17 + check_character(first17)
