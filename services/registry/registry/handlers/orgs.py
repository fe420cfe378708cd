"""Use cases of the organisation registry: load → decide (domain) → save → return events.

Each takes the stores it needs (`handlers/ports.py`) and returns the events it caused; the
caller's unit of work emits them, so they reach the outbox in the same transaction. Single
registration and bulk import share `prepare_*` (every rule) and `commit_new` (batched SQL,
history, overrides, events).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import structlog

from registry.access import check_org_changes, check_override, check_street_scope, may_see_contact
from registry.domain import uscc
from registry.domain.organisation import (
    Filing,
    Graduation,
    Organisation,
    ProfileChanges,
    Registration,
    check_sponsor,
    check_street,
)
from registry.domain.platform import Platform, check_placement, community_platform, default_platform
from registry.handlers.ports import Orgs
from registry.store.orgs import HistoryEntry
from shared.auth import Principal, Role
from shared.contracts.base import IntegrationEvent
from shared.contracts.registry import Contact, OrgFiled, OrgRegistered
from shared.errors import Conflict, Invalid, NotFound
from shared.reference import STREETS, OrgType

log = structlog.get_logger("registry.handlers")


@dataclass(frozen=True)
class NewOrg:
    """A registration or filing that passed every rule, ready to be written."""

    org: Organisation
    event: OrgRegistered | OrgFiled
    override: uscc.ChecksumOverride | None = None


def _approved(reason: str | None, principal: Principal, now: datetime) -> uscc.ChecksumOverride | None:
    """The checksum override a command asks for, as approved by `principal` (checked: an admin) now."""
    check_override(principal, reason is not None)
    return None if reason is None else uscc.ChecksumOverride(approved_by=principal.sub, reason=reason, recorded_at=now)


# --- registration and filing ------------------------------------------------------------------


def _placement(platforms: Mapping[str, Platform], code: str | None, default: str, street: str | None) -> str:
    chosen = code if code is not None else default
    return check_placement(platforms.get(chosen), street).code


def prepare_registration(
    cmd: Registration, *, platforms: Mapping[str, Platform], principal: Principal, now: datetime
) -> NewOrg:
    """Every rule of registering one organisation (no I/O: platforms are passed in)."""
    check_street_scope(principal, cmd.street_code)
    override = _approved(cmd.override_reason, principal, now)
    street = check_street(cmd.street_code)
    placed = _placement(platforms, cmd.platform_code, default_platform(cmd.org_type, street), street)
    org, event = Organisation.register(cmd, org_id=uuid4(), now=now, platform_code=placed)
    return NewOrg(org, event, override)


def prepare_filing(
    cmd: Filing,
    *,
    platforms: Mapping[str, Platform],
    sponsors: Mapping[UUID, Organisation],
    principal: Principal,
    now: datetime,
) -> NewOrg:
    """Every rule of filing one community organisation; `sponsors` holds the named sponsor, if any."""
    check_street_scope(principal, cmd.street_code)
    if cmd.sponsor_org_id is not None:
        check_sponsor(sponsors.get(cmd.sponsor_org_id))
    street = check_street(cmd.street_code)
    placed = _placement(platforms, cmd.platform_code, default_platform(OrgType.COMMUNITY_ORG, street), street)
    org, event = Organisation.file(cmd, org_id=uuid4(), now=now, platform_code=placed)
    return NewOrg(org, event)


def _history(org: Organisation, event: IntegrationEvent, actor: str, detail: dict[str, Any]) -> HistoryEntry:
    kind = type(event).__name__
    return HistoryEntry(org.org_id, org.version, kind, event.event_id, event.occurred_at, actor, detail)


async def commit_new(orgs: Orgs, new: Sequence[NewOrg], *, actor: str) -> list[IntegrationEvent]:
    """Write prepared organisations in one batch with their history and audited overrides."""
    await orgs.insert_many([n.org for n in new])
    entries = []
    for n in new:
        detail: dict[str, Any] = {"credit_code": n.org.credit_code} if n.org.credit_code else {}
        if n.override is not None:
            detail["checksum_override"] = {"approved_by": n.override.approved_by, "reason": n.override.reason}
        entries.append(_history(n.org, n.event, actor, detail))
    await orgs.add_history(entries)
    for n in new:
        if n.override is not None and n.org.credit_code is not None:
            failure = uscc.checksum_problem(n.org.credit_code) or ""
            await orgs.record_override(n.org.org_id, n.org.credit_code, failure, n.override)
            log.warning("credit_code_checksum_overridden", org_id=str(n.org.org_id), by=n.override.approved_by)
    return [n.event for n in new]


async def register(
    orgs: Orgs, cmd: Registration, *, principal: Principal, now: datetime
) -> tuple[Organisation, list[IntegrationEvent]]:
    """Register a 社团/民非/基金会 with its validated credit code; a duplicate code is a 409."""
    new = prepare_registration(cmd, platforms=await orgs.platforms(), principal=principal, now=now)
    if await orgs.code_taken(cmd.credit_code):
        raise Conflict(f"统一社会信用代码 {cmd.credit_code} 已登记", code="duplicate_credit_code")
    log.info("org_registered", org_id=str(new.org.org_id), org_type=str(new.org.org_type))
    return new.org, await commit_new(orgs, [new], actor=principal.sub)


async def file(
    orgs: Orgs, cmd: Filing, *, principal: Principal, now: datetime
) -> tuple[Organisation, list[IntegrationEvent]]:
    """File (备案) a community social organisation with its street and community."""
    sponsors = {}
    if cmd.sponsor_org_id is not None:
        sponsor = await orgs.get(cmd.sponsor_org_id)
        if sponsor is not None:
            sponsors[sponsor.org_id] = sponsor
    new = prepare_filing(cmd, platforms=await orgs.platforms(), sponsors=sponsors, principal=principal, now=now)
    events = await commit_new(orgs, [new], actor=principal.sub)
    log.info("org_filed", org_id=str(new.org.org_id), street_code=new.org.street_code)
    return new.org, events


# --- changes to an existing organisation ----------------------------------------------------


async def _load_for_change(orgs: Orgs, org_id: UUID, principal: Principal) -> Organisation:
    org = await orgs.get(org_id, for_update=True)
    if org is None:
        raise NotFound(f"组织 {org_id} 不存在")
    check_street_scope(principal, org.street_code)
    return org


async def graduate(
    orgs: Orgs, org_id: UUID, cmd: Graduation, *, principal: Principal, now: datetime
) -> tuple[Organisation, list[IntegrationEvent]]:
    """A filed community organisation registers: same org_id, the filing's record kept."""
    org = await _load_for_change(orgs, org_id, principal)
    override = _approved(cmd.override_reason, principal, now)
    if await orgs.code_taken(cmd.credit_code):
        raise Conflict(f"统一社会信用代码 {cmd.credit_code} 已登记", code="duplicate_credit_code")
    if cmd.platform_code is not None:
        check_placement(await orgs.platform(cmd.platform_code), org.street_code)
    before, old_type = org.version, org.org_type
    events = org.graduate(cmd, now=now)
    await orgs.update(org, expected_version=before)
    detail: dict[str, Any] = {
        "from_type": str(old_type),
        "to_type": str(org.org_type),
        "credit_code": org.credit_code,
        "filed_on": org.filed_on,
        "registered_on": org.registered_on,
    }
    if override is not None:
        detail["checksum_override"] = {"approved_by": override.approved_by, "reason": override.reason}
        await orgs.record_override(org.org_id, cmd.credit_code, uscc.checksum_problem(cmd.credit_code) or "", override)
    await orgs.add_history([_history(org, events[0], principal.sub, detail)])
    log.info("org_graduated", org_id=str(org.org_id), org_type=str(org.org_type))
    return org, events


async def change_status(
    orgs: Orgs,
    org_id: UUID,
    action: str,
    reason: str,
    *,
    effective_on: date | None,
    principal: Principal,
    now: datetime,
) -> tuple[Organisation, list[IntegrationEvent]]:
    """Suspend, reinstate or deregister with a reason; an illegal transition is a 409."""
    org = await _load_for_change(orgs, org_id, principal)
    before = org.version
    on = effective_on or now.date()
    if action == "suspend":
        event = org.suspend(reason, on=on, now=now)
    elif action == "reinstate":
        event = org.reinstate(reason, on=on, now=now)
    elif action == "deregister":
        event = org.deregister(reason, on=on, now=now)
    else:
        raise Invalid("action", f"未知操作 {action}：应为 suspend、reinstate 或 deregister")
    await orgs.update(org, expected_version=before)
    detail = {"old_status": str(event.old_status), "new_status": str(event.new_status), "reason": event.reason}
    await orgs.add_history([_history(org, event, principal.sub, {**detail, "effective_on": on})])
    log.info("org_status_changed", org_id=str(org.org_id), old=detail["old_status"], new=detail["new_status"])
    return org, [event]


async def update_profile(
    orgs: Orgs, org_id: UUID, changes: ProfileChanges, *, principal: Principal, now: datetime
) -> tuple[Organisation, list[IntegrationEvent]]:
    """Change name, contact, domains or the support-org flag. An org may change only its contact."""
    if principal.role is Role.ORG:
        check_org_changes(principal, org_id, changes)
        org = await orgs.get(org_id, for_update=True)
        if org is None:
            raise NotFound(f"组织 {org_id} 不存在")
    else:
        org = await _load_for_change(orgs, org_id, principal)
    before = org.version
    event = org.update_profile(changes, now=now)
    if event is None:
        return org, []
    await orgs.update(org, expected_version=before)
    await orgs.add_history([_history(org, event, principal.sub, {"changed_fields": event.changed_fields})])
    log.info("org_profile_updated", org_id=str(org.org_id), changed=event.changed_fields)
    return org, [event]


async def attach_sponsor(
    orgs: Orgs, org_id: UUID, sponsor_org_id: UUID, *, principal: Principal, now: datetime
) -> tuple[Organisation, list[IntegrationEvent]]:
    """Staff record the sponsor of a filed group that has none (imports often name none) or replace it."""
    org = await _load_for_change(orgs, org_id, principal)
    before = org.version
    event = org.attach_sponsor(await orgs.get(sponsor_org_id), now=now)
    if event is None:
        return org, []
    await orgs.update(org, expected_version=before)
    await orgs.add_history([_history(org, event, principal.sub, {"sponsor_org_id": str(sponsor_org_id)})])
    log.info("org_sponsor_attached", org_id=str(org.org_id), sponsor_org_id=str(sponsor_org_id))
    return org, [event]


def contact_changes(contact: Contact) -> ProfileChanges:
    return ProfileChanges(contact=contact)


__all__ = [  # check_street_scope and may_see_contact live in registry.access; importable here as before
    "NewOrg",
    "add_community_platform",
    "attach_sponsor",
    "change_status",
    "check_street_scope",
    "commit_new",
    "contact_changes",
    "file",
    "graduate",
    "may_see_contact",
    "prepare_filing",
    "prepare_registration",
    "register",
    "update_profile",
]


# --- platforms -----------------------------------------------------------------------------------


async def add_community_platform(
    orgs: Orgs, street_code: str, name: str, *, principal: Principal, now: datetime
) -> tuple[Platform, list[IntegrationEvent]]:
    """Staff add a community platform under a street platform; it is announced like the others."""
    if street_code not in STREETS:
        raise Invalid("street_code", f"未知街道代码 {street_code}")
    check_street_scope(principal, street_code)
    platform = community_platform(street_code, await orgs.next_community_sequence(street_code), name)
    await orgs.add_platform(platform, by=principal.sub)
    log.info("platform_established", platform_code=platform.code, level=str(platform.level))
    return platform, [platform.established(now=now)]
