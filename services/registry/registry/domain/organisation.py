"""The organisation aggregate: registration, filing, graduation, status and profile changes.

Every change bumps `version` and returns its event carrying the full snapshot, so consumers
can apply snapshots in version order whatever order the events arrive in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urlsplit
from uuid import UUID

from registry.domain import uscc
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import (
    Contact,
    OrgFiled,
    OrgGraduated,
    OrgProfileUpdated,
    OrgRegistered,
    OrgSnapshot,
    OrgStatusChanged,
)
from shared.errors import Conflict, Invalid
from shared.reference import STREETS, Domain, OrgStatus, OrgType

REGISTERED_TYPES = frozenset(uscc.CATEGORY_BY_TYPE)
ACTIVE_STATUSES = frozenset({OrgStatus.REGISTERED, OrgStatus.FILED})
EARLIEST_DATE = date(1950, 1, 1)


@dataclass(frozen=True)
class Registration:
    """What registering a 社团 / 民非 / 基金会 needs."""

    name: str
    org_type: OrgType
    credit_code: str
    registered_on: date
    street_code: str | None = None
    platform_code: str | None = None
    domains: tuple[Domain, ...] = ()
    is_support_org: bool = False
    contact: Contact = field(default_factory=Contact)
    override_reason: str | None = None  # a checksum override asked for, with its reason (district admins)


@dataclass(frozen=True)
class Filing:
    """What filing (备案) a community social organisation needs: no code, a street and community."""

    name: str
    street_code: str
    community: str
    filed_on: date
    platform_code: str | None = None
    sponsor_org_id: UUID | None = None
    domains: tuple[Domain, ...] = ()
    contact: Contact = field(default_factory=Contact)
    sponsor_credit_code: str | None = None  # a roster names the sponsor by its code; resolved to sponsor_org_id


@dataclass(frozen=True)
class Graduation:
    """A filed group registers with civil affairs: new type and code, same organisation."""

    org_type: OrgType
    credit_code: str
    registered_on: date
    name: str | None = None
    platform_code: str | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class ProfileChanges:
    """Fields to change; None leaves a field as it is."""

    name: str | None = None
    contact: Contact | None = None
    domains: tuple[Domain, ...] | None = None
    is_support_org: bool | None = None


def clean_name(name: str, field_name: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid(field_name, "名称不能为空")
    if len(name) > 200:
        raise Invalid(field_name, "名称不能超过200个字符")
    return name


def check_date(value: date, today: date, field_name: str) -> date:
    if value > today:
        raise Invalid(field_name, f"日期 {value} 晚于今天，不能是将来的日期")
    if value < EARLIEST_DATE:
        raise Invalid(field_name, f"日期 {value} 早于 {EARLIEST_DATE}")
    return value


def check_street(street_code: str | None, field_name: str = "street_code") -> str | None:
    if street_code is not None and street_code not in STREETS:
        raise Invalid(field_name, f"未知街道代码 {street_code}：应为东城区17个街道之一")
    return street_code


def check_credit_code(code: str, org_type: OrgType, override_reason: str | None) -> str:
    """The code when acceptable; an override (with its reason) waives the two checksum rules only."""
    if override_reason is not None:
        if not uscc.needs_override(code):
            raise Invalid("checksum_override", "该代码校验通过或格式错误，不需要也不能使用校验豁免")
        if not override_reason.strip():
            raise Invalid("checksum_override.reason", "豁免必须说明理由")
    try:
        return uscc.validate(code, org_type, waive_checksum=override_reason is not None)
    except uscc.CreditCodeError as exc:
        raise Invalid("credit_code", exc.message) from exc


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,38}$")


def check_contact(contact: Contact, field_name: str = "contact") -> Contact:
    """Where notices go must be usable: a plausible e-mail, phone and an http(s) webhook."""
    if contact.email is not None and not _EMAIL.match(contact.email):
        raise Invalid(f"{field_name}.email", f"邮箱地址格式不正确：{contact.email}")
    if contact.phone is not None and not _PHONE.match(contact.phone):
        raise Invalid(f"{field_name}.phone", f"电话号码格式不正确：{contact.phone}")
    if contact.webhook_url is not None:
        parts = urlsplit(contact.webhook_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise Invalid(f"{field_name}.webhook_url", "回调地址须为 http(s) URL")
    return contact


def check_sponsor(sponsor: Organisation | None, field_name: str = "sponsor_org_id") -> Organisation:
    """A community group's sponsor (支持单位) is a registered organisation in good standing."""
    if sponsor is None:
        raise Invalid(field_name, "支持单位须为已登记的社会组织，登记信息中没有该组织")
    if sponsor.org_type not in REGISTERED_TYPES or sponsor.status is not OrgStatus.REGISTERED:
        raise Invalid(field_name, "支持单位须为状态正常的已登记社会组织（社团、民非或基金会）")
    return sponsor


def _dedupe(domains: tuple[Domain, ...]) -> list[Domain]:
    return list(dict.fromkeys(domains))


@dataclass
class Organisation:
    org_id: UUID
    version: int
    name: str
    org_type: OrgType
    status: OrgStatus
    credit_code: str | None = None
    street_code: str | None = None
    community: str | None = None
    platform_code: str | None = None
    sponsor_org_id: UUID | None = None
    domains: list[Domain] = field(default_factory=list)
    is_support_org: bool = False
    contact: Contact = field(default_factory=Contact)
    registered_on: date | None = None
    filed_on: date | None = None
    deregistered_on: date | None = None
    status_reason: str | None = None

    # --- creation ---------------------------------------------------------------------

    @classmethod
    def register(
        cls, cmd: Registration, *, org_id: UUID, now: datetime, platform_code: str | None = None
    ) -> tuple[Organisation, OrgRegistered]:
        """A registered organisation with a validated credit code; placed on `platform_code` if given."""
        if cmd.org_type not in REGISTERED_TYPES:
            raise Invalid("org_type", "只有社会团体、民办非企业单位、基金会可以登记；社区社会组织请走备案")
        org = cls(
            org_id=org_id,
            version=1,
            name=clean_name(cmd.name),
            org_type=cmd.org_type,
            status=OrgStatus.REGISTERED,
            credit_code=check_credit_code(cmd.credit_code, cmd.org_type, cmd.override_reason),
            street_code=check_street(cmd.street_code),
            platform_code=platform_code or cmd.platform_code,
            domains=_dedupe(cmd.domains),
            is_support_org=cmd.is_support_org,
            contact=check_contact(cmd.contact),
            registered_on=check_date(cmd.registered_on, now.date(), "registered_on"),
        )
        return org, OrgRegistered(org=org.snapshot(), occurred_at=now)

    @classmethod
    def file(
        cls, cmd: Filing, *, org_id: UUID, now: datetime, platform_code: str | None = None
    ) -> tuple[Organisation, OrgFiled]:
        """A filed community social organisation (备案): no code, attached to a street and community."""
        community = " ".join(cmd.community.split())
        if not community:
            raise Invalid("community", "社区名称不能为空")
        org = cls(
            org_id=org_id,
            version=1,
            name=clean_name(cmd.name),
            org_type=OrgType.COMMUNITY_ORG,
            status=OrgStatus.FILED,
            street_code=check_street(cmd.street_code),
            community=community[:100],
            platform_code=platform_code or cmd.platform_code,
            sponsor_org_id=cmd.sponsor_org_id,
            domains=_dedupe(cmd.domains),
            contact=check_contact(cmd.contact),
            filed_on=check_date(cmd.filed_on, now.date(), "filed_on"),
        )
        return org, OrgFiled(org=org.snapshot(), occurred_at=now)

    # --- changes ------------------------------------------------------------------------

    def graduate(self, cmd: Graduation, *, now: datetime) -> list[IntegrationEvent]:
        """Filed → registered, keeping org_id and the filing's dates, street and community."""
        if self.status is not OrgStatus.FILED:
            raise Conflict(f"只有已备案的社区社会组织可以转为登记，当前状态为 {self.status}", code="illegal_transition")
        if cmd.org_type not in REGISTERED_TYPES:
            raise Invalid("org_type", "转登记后的类型应为社会团体、民办非企业单位或基金会")
        code = check_credit_code(cmd.credit_code, cmd.org_type, cmd.override_reason)
        registered_on = check_date(cmd.registered_on, now.date(), "registered_on")
        if self.filed_on is not None and registered_on < self.filed_on:
            raise Invalid("registered_on", f"登记日期不能早于备案日期 {self.filed_on}")
        self.org_type, self.credit_code, self.registered_on = cmd.org_type, code, registered_on
        self.status = OrgStatus.REGISTERED
        if cmd.name is not None:
            self.name = clean_name(cmd.name)
        if cmd.platform_code is not None:
            self.platform_code = cmd.platform_code
        self.version += 1
        snap = self.snapshot()
        return [
            OrgGraduated(org=snap, filed_on=self.filed_on, registered_on=registered_on, occurred_at=now),
            OrgRegistered(org=snap, graduated_from_filing=True, occurred_at=now),
        ]

    def suspend(self, reason: str, *, on: date, now: datetime) -> OrgStatusChanged:
        if self.status not in ACTIVE_STATUSES:
            raise Conflict(f"当前状态 {self.status} 不能暂停", code="illegal_transition")
        return self._change_status(OrgStatus.SUSPENDED, reason, on=on, now=now)

    def reinstate(self, reason: str, *, on: date, now: datetime) -> OrgStatusChanged:
        if self.status is not OrgStatus.SUSPENDED:
            raise Conflict(f"只有暂停的组织可以恢复，当前状态为 {self.status}", code="illegal_transition")
        back = OrgStatus.REGISTERED if self.credit_code else OrgStatus.FILED
        return self._change_status(back, reason, on=on, now=now)

    def deregister(self, reason: str, *, on: date, now: datetime) -> OrgStatusChanged:
        if self.status is OrgStatus.DEREGISTERED:
            raise Conflict("该组织已注销", code="illegal_transition")
        check_date(on, now.date(), "effective_on")
        start = self.registered_on or self.filed_on
        if start is not None and on < start:
            raise Invalid("effective_on", f"注销日期不能早于登记/备案日期 {start}")
        self.deregistered_on = on
        return self._change_status(OrgStatus.DEREGISTERED, reason, on=on, now=now)

    def _change_status(self, new: OrgStatus, reason: str, *, on: date, now: datetime) -> OrgStatusChanged:
        reason = reason.strip()
        if not reason:
            raise Invalid("reason", "状态变更必须说明理由")
        old, self.status, self.status_reason = self.status, new, reason[:1000]
        self.version += 1
        return OrgStatusChanged(org=self.snapshot(), old_status=old, new_status=new, reason=reason, occurred_at=now)

    def update_profile(self, changes: ProfileChanges, *, now: datetime) -> OrgProfileUpdated | None:
        """Apply the changed fields; None when nothing actually changed (no version bump)."""
        if self.status is OrgStatus.DEREGISTERED:
            raise Conflict("已注销的组织不能修改资料", code="illegal_transition")
        changed: list[str] = []
        if changes.name is not None and clean_name(changes.name) != self.name:
            self.name = clean_name(changes.name)
            changed.append("name")
        if changes.contact is not None and check_contact(changes.contact) != self.contact:
            self.contact = changes.contact
            changed.append("contact")
        if changes.domains is not None and _dedupe(changes.domains) != self.domains:
            self.domains = _dedupe(changes.domains)
            changed.append("domains")
        if changes.is_support_org is not None and changes.is_support_org != self.is_support_org:
            if changes.is_support_org and self.org_type not in REGISTERED_TYPES:
                raise Invalid("is_support_org", "支持型社会组织须为已登记的组织")
            self.is_support_org = changes.is_support_org
            changed.append("is_support_org")
        if not changed:
            return None
        self.version += 1
        return OrgProfileUpdated(org=self.snapshot(), changed_fields=changed, occurred_at=now)

    def attach_sponsor(self, sponsor: Organisation | None, *, now: datetime) -> OrgProfileUpdated | None:
        """Record (or replace) the registered org a filed community group applies through; staff only.

        Venture accepts a group's applications only from the sponsor recorded here, so no other
        organisation can apply in the group's name. None when it is already the sponsor."""
        if self.org_type is not OrgType.COMMUNITY_ORG or self.status not in (OrgStatus.FILED, OrgStatus.INCUBATING):
            raise Conflict("只有已备案的社区社会组织可以登记支持单位", code="illegal_transition")
        sponsor = check_sponsor(sponsor)
        if sponsor.org_id == self.org_id:
            raise Invalid("sponsor_org_id", "社区社会组织不能做自己的支持单位")
        if sponsor.org_id == self.sponsor_org_id:
            return None
        self.sponsor_org_id = sponsor.org_id
        self.version += 1
        return OrgProfileUpdated(org=self.snapshot(), changed_fields=["sponsor_org_id"], occurred_at=now)

    # --- views ----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def snapshot(self) -> OrgSnapshot:
        return OrgSnapshot(
            org_id=self.org_id,
            version=self.version,
            name=self.name,
            org_type=self.org_type,
            status=self.status,
            credit_code=self.credit_code,
            street_code=self.street_code,
            community=self.community,
            platform_code=self.platform_code,
            sponsor_org_id=self.sponsor_org_id,
            domains=list(self.domains),
            is_support_org=self.is_support_org,
            contact=self.contact,
            registered_on=self.registered_on,
            filed_on=self.filed_on,
        )

    def copy(self) -> Organisation:
        return replace(self, domains=list(self.domains))
