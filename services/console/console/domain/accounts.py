"""Accounts of people: who they are, their roles with scope, and what staff may do to them.

Every change returns the event it caused, carrying the account's snapshot after the change."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from shared.auth import Role
from shared.contracts.console import (
    AccountActivated,
    AccountDisabled,
    AccountEnabled,
    AccountRolesChanged,
    AccountSnapshot,
    RoleGrant,
)
from shared.errors import Conflict, Invalid
from shared.reference import STREETS

LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

ROLE_NAMES = {
    Role.DISTRICT_ADMIN: "区级管理员",
    Role.STREET_OFFICER: "街道工作人员",
    Role.DISTRICT_DEPARTMENT: "区职能部门",
    Role.COMMUNITY_WORKER: "社区工作者",
    Role.REVIEWER: "评审专家",
    Role.MONITOR: "第三方监测评估",
    Role.ORG: "社会组织",
}


# What the audit's actions are called on the pages.
ACTION_NAMES = {
    "invited": "邀请",
    "disabled": "停用",
    "enabled": "启用",
    "roles_changed": "修改角色",
    "password_reset_issued": "发送重置密码链接",
    "password_set": "设置密码",
    "password_changed": "修改密码",
    "signed_in": "登录",
    "password_accepted": "密码正确，待两步验证",
    "sign_in_failed": "登录失败",
    "second_factor_failed": "两步验证失败",
    "locked": "账号临时锁定",
    "totp_enrolled": "启用两步验证",
    "signed_out_everywhere": "退出所有设备",
    "contact_not_invited": "未能邀请组织联系人",
}


class Status(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


STATUS_NAMES = {Status.INVITED: "已邀请", Status.ACTIVE: "正常", Status.DISABLED: "已停用"}


@dataclass(frozen=True)
class Grant:
    """One role and the scope it is limited to: what the tokens minted for it claim."""

    role: Role
    street: str | None = None
    community: str | None = None
    purchaser: str | None = None
    org_id: UUID | None = None

    @classmethod
    def of(
        cls,
        role: str,
        *,
        street: str | None = None,
        community: str | None = None,
        purchaser: str | None = None,
        org_id: UUID | None = None,
    ) -> Grant:
        """A grant with exactly the scope its role needs; anything else is refused, naming the field."""
        try:
            r = Role(role)
        except ValueError:
            raise Invalid("role", f"未知角色：{role}") from None
        street, community, purchaser = (street or None), (community or "").strip() or None, (purchaser or None)
        if r in (Role.STREET_OFFICER, Role.COMMUNITY_WORKER):
            if street not in STREETS:
                raise Invalid("street", f"{ROLE_NAMES[r]}需要有效的街道代码")
        else:
            street = None
        if r is Role.COMMUNITY_WORKER:
            if not community or len(community) > 100:
                raise Invalid("community", "社区工作者需要填写社区名称（不超过 100 字）")
        else:
            community = None
        if r is Role.DISTRICT_DEPARTMENT:
            if not purchaser or not re.fullmatch(r"[0-9A-Za-z]{2,64}", purchaser):
                raise Invalid("purchaser", "区职能部门需要有效的采购单位代码")
        else:
            purchaser = None
        if r is Role.ORG:
            if org_id is None:
                raise Invalid("org_id", "社会组织账号需要组织编号")
        else:
            org_id = None
        return cls(r, street, community, purchaser, org_id)

    def label(self) -> str:
        scope = [s for s in (self.street and STREETS.get(self.street), self.community, self.purchaser) if s]
        if self.org_id:
            scope.append(f"组织 {self.org_id}")
        return ROLE_NAMES[self.role] + (f"（{' · '.join(scope)}）" if scope else "")

    def contract(self) -> RoleGrant:
        return RoleGrant(
            role=self.role.value,
            street=self.street,
            community=self.community,
            purchaser=self.purchaser,
            org_id=self.org_id,
        )

    def as_json(self) -> dict[str, Any]:
        return self.contract().model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Grant:
        org = data.get("org_id")
        return cls(
            Role(data["role"]),
            data.get("street"),
            data.get("community"),
            data.get("purchaser"),
            UUID(org) if org else None,
        )


def check_grants(roles: list[Grant]) -> list[Grant]:
    if not roles:
        raise Invalid("roles", "账号至少需要一个角色")
    if len(set(roles)) != len(roles):
        raise Invalid("roles", "角色重复")
    return roles


@dataclass
class Profile:
    """Who a person is, as staff enter it."""

    login: str
    display_name: str
    email: str | None = None
    phone: str | None = None

    def checked(self) -> Profile:
        login = self.login.strip()
        if not LOGIN.fullmatch(login):
            raise Invalid("login", "登录名须为 3–64 个字母、数字或 . _ @ -，以字母或数字开头")
        name = self.display_name.strip()
        if not name or len(name) > 100:
            raise Invalid("display_name", "姓名不能为空，且不超过 100 字")
        email = (self.email or "").strip() or None
        if email is not None and (len(email) > 254 or not EMAIL.fullmatch(email)):
            raise Invalid("email", "电子邮箱格式不正确")
        phone = (self.phone or "").strip() or None
        if phone is not None and (len(phone) > 40 or not re.fullmatch(r"[0-9+\- ()]{3,40}", phone)):
            raise Invalid("phone", "电话号码格式不正确")
        return Profile(login, name, email, phone)


@dataclass
class Account:
    account_id: UUID
    login: str
    display_name: str
    email: str | None
    phone: str | None
    roles: list[Grant]
    status: Status
    created_at: datetime
    updated_at: datetime
    version: int = 1
    password_hash: str | None = None
    totp_secret: str | None = None
    totp_enabled: bool = False
    totp_last_step: int | None = None
    failed_signins: int = 0
    locked_until: datetime | None = None
    org_id: UUID | None = None

    @classmethod
    def invite(
        cls, account_id: UUID, profile: Profile, roles: list[Grant], *, now: datetime, org_id: UUID | None = None
    ) -> Account:
        """A new account waiting for its invitee to set a password (the invitation is the handler's)."""
        p = profile.checked()
        if p.email is None:
            raise Invalid("email", "邀请需要电子邮箱，用于发送设置密码的链接")
        return cls(
            account_id,
            p.login,
            p.display_name,
            p.email,
            p.phone,
            check_grants(roles),
            Status.INVITED,
            now,
            now,
            org_id=org_id,
        )

    def snapshot(self) -> AccountSnapshot:
        return AccountSnapshot(
            account_id=self.account_id,
            version=self.version,
            login=self.login,
            display_name=self.display_name,
            email=self.email,
            phone=self.phone,
            roles=[g.contract() for g in self.roles],
            status=self.status.value,
        )

    def _changed(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now

    @property
    def requires_totp(self) -> bool:
        """A district admin signs in with a second factor, always."""
        return any(g.role is Role.DISTRICT_ADMIN for g in self.roles)

    def set_password(self, password_hash: str, *, now: datetime) -> AccountActivated | None:
        """The person set a password through a one-time link: an invitee's account becomes active."""
        if self.status is Status.DISABLED:
            raise Conflict("账号已停用，无法设置密码", code="account_disabled")
        self.password_hash, self.failed_signins, self.locked_until = password_hash, 0, None
        first = self.status is Status.INVITED
        self.status = Status.ACTIVE
        self._changed(now)
        return AccountActivated(account=self.snapshot()) if first else None

    def disable(self, reason: str, *, actor: str, now: datetime) -> AccountDisabled:
        if self.status is Status.DISABLED:
            raise Conflict("账号已经是停用状态", code="already_disabled")
        reason = reason.strip()
        if not reason or len(reason) > 500:
            raise Invalid("reason", "停用原因不能为空，且不超过 500 字")
        self.status = Status.DISABLED
        self._changed(now)
        return AccountDisabled(account=self.snapshot(), reason=reason, actor=actor)

    def enable(self, *, actor: str, now: datetime) -> AccountEnabled:
        if self.status is not Status.DISABLED:
            raise Conflict("账号未停用", code="not_disabled")
        self.status = Status.ACTIVE if self.password_hash else Status.INVITED
        self.failed_signins, self.locked_until = 0, None
        self._changed(now)
        return AccountEnabled(account=self.snapshot(), actor=actor)

    def change_roles(self, roles: list[Grant], *, actor: str, now: datetime) -> AccountRolesChanged:
        previous = [g.contract() for g in self.roles]
        self.roles = check_grants(roles)
        self._changed(now)
        return AccountRolesChanged(account=self.snapshot(), previous_roles=previous, actor=actor)

    # --- sign-in ----------------------------------------------------------------------------

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def sign_in_failed(self, *, now: datetime, limit: int, lock_for: timedelta) -> bool:
        """Count a wrong password or code; at `limit` the account locks for `lock_for`. True when it locked now."""
        self.failed_signins += 1
        if self.failed_signins >= limit:
            self.failed_signins, self.locked_until = 0, now + lock_for
            return True
        return False

    def signed_in(self) -> None:
        self.failed_signins, self.locked_until = 0, None

    def may_sign_in(self) -> bool:
        return self.status is Status.ACTIVE and self.password_hash is not None

    def copy(self) -> Account:
        return replace(self, roles=list(self.roles))
