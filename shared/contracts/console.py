"""Events the console publishes: accounts of people, and what staff did to them.

An account has one or more roles, each with the scope it is limited to. Every change staff make
to an account is an event naming who made it (`actor`), so the audit can be read by subscribers
as well as in the console. Invitation and password-reset events carry a one-time link for
notify to e-mail: the link works once and expires at `expires_at`; the console keeps only a hash
of its secret, and no other service is entitled to these two routing keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.base import ContractModel, IntegrationEvent


class RoleGrant(ContractModel):
    """One role of an account and the scope it is limited to (the claims its tokens carry)."""

    role: str = Field(
        description="district_admin, street_officer, district_department, community_worker, reviewer, monitor or org."
    )
    street: str | None = Field(default=None, description="Street code, for street_officer and community_worker.")
    community: str | None = Field(default=None, max_length=100, description="Community, for community_worker.")
    purchaser: str | None = Field(default=None, max_length=64, description="Purchaser code, for district_department.")
    org_id: UUID | None = Field(default=None, description="The organisation, for org.")


class AccountSnapshot(ContractModel):
    """An account as the console knows it after the change that carries it (no secret of any kind)."""

    account_id: UUID
    version: int = Field(ge=1)
    login: str = Field(max_length=64)
    display_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    roles: list[RoleGrant] = Field(default_factory=list)
    status: str = Field(description="invited, active or disabled.")


class AccountInvited(IntegrationEvent):
    """Staff (or the console itself, for an organisation's contact) invited a person; notify e-mails
    `invitation_url` to `account.email`. The invitee sets a password there before `expires_at`."""

    routing_key: ClassVar[str] = "console.account_invited.v1"
    account: AccountSnapshot
    invitation_url: str = Field(max_length=500, description="One-time link; works once, until expires_at.")
    expires_at: datetime
    actor: str = Field(description="Login of who invited, or `console` for an automatic invitation.")


class AccountActivated(IntegrationEvent):
    """The invitee set a password: the account can sign in."""

    routing_key: ClassVar[str] = "console.account_activated.v1"
    account: AccountSnapshot


class PasswordResetIssued(IntegrationEvent):
    """A password reset was issued (by staff, or asked for by the person); notify e-mails `reset_url`."""

    routing_key: ClassVar[str] = "console.password_reset_issued.v1"
    account: AccountSnapshot
    reset_url: str = Field(max_length=500, description="One-time link; works once, until expires_at.")
    expires_at: datetime
    actor: str


class AccountRolesChanged(IntegrationEvent):
    """Staff changed an account's roles; tokens minted from now on carry the new ones."""

    routing_key: ClassVar[str] = "console.account_roles_changed.v1"
    account: AccountSnapshot
    previous_roles: list[RoleGrant]
    actor: str


class AccountDisabled(IntegrationEvent):
    """Staff disabled an account: its sessions ended at once and its tokens are no longer renewed."""

    routing_key: ClassVar[str] = "console.account_disabled.v1"
    account: AccountSnapshot
    reason: str = Field(max_length=500)
    actor: str


class AccountEnabled(IntegrationEvent):
    """Staff re-enabled a disabled account."""

    routing_key: ClassVar[str] = "console.account_enabled.v1"
    account: AccountSnapshot
    actor: str
