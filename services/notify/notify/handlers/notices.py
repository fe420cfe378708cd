"""From rule entries to notices: resolve recipients, wait for unknown ones, one notice per channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog

from notify import domain
from notify.domain import Entry, NewNotice, Target
from notify.handlers.ports import FanOut
from notify.handlers.toolkit import Toolkit
from notify.rendering import SIGNATURE, Rendered
from notify.rules import RecipientSpec
from shared.reference import STREETS, street_of_office

log = structlog.get_logger("notify.handlers")

WAITING_ROLES = {"org", "sponsor", "mentor", "applicant"}


def _recipient(target: Target, entry: Entry | None) -> dict[str, Any]:
    if target.kind == "street":
        name = STREETS.get(target.key, target.key) + "社会组织服务平台"
    elif target.kind == "community":  # key `<street code>/<community>`
        name = target.key.split("/", 1)[-1] + "社区级平台"
    elif target.kind == "district":
        name = SIGNATURE
    elif target.kind == "reviewer":
        name = "评审专家"
    else:
        name = (entry.name if entry and entry.name else None) or target.key
    return {"role": target.role, "kind": target.kind, "key": target.key, "name": name}


@dataclass(frozen=True)
class _Planned:
    notice: NewNotice
    address: str | None
    delivery: dict[str, Any] | None


@dataclass(frozen=True)
class _Source:
    """The event (or reminder) a notice comes from, and how it is worded."""

    id: UUID
    routing_key: str
    template: str
    payload: dict[str, Any]


def _scope_street(target: Target, entry: Entry | None) -> str | None:
    if target.kind == "purchaser":
        return street_of_office(target.key)
    if target.kind == "org" and entry is not None:
        return entry.street_code or target.scope_street
    return target.scope_street


def _address(channel: str, entry: Entry | None) -> str | None:
    if entry is None:
        return None
    if channel == "email":
        return entry.email
    if channel == "webhook":
        return entry.webhook_url
    return None


def _delivery(source: _Source, target: Target, recipient: dict[str, Any], rendered: Rendered) -> dict[str, Any]:
    """What the worker sends: the words, and the event's data for a webhook receiver."""
    return {
        "subject": rendered.subject,
        "body": rendered.body,
        "to_name": recipient["name"],
        "event_type": source.routing_key,
        "source_event_id": str(source.id),
        "recipient": {"kind": target.kind, "key": target.key},
        "data": source.payload,
    }


def _plan(kit: Toolkit, source: _Source, spec: RecipientSpec, target: Target, entry: Entry | None) -> list[_Planned]:
    """One notice per channel for a known recipient, rendered; written later, all at once."""
    planned: list[_Planned] = []
    recipient = _recipient(target, entry)
    scope_street = _scope_street(target, entry)
    for channel in spec.channels:
        rendered = kit.renderer.render(source.template, channel, source.payload, recipient)
        address = _address(channel, entry)
        if channel == "inbox":
            status = "sent"
        else:
            status = "queued" if address else "no_address"
        notice = NewNotice(
            notice_id=domain.notice_id(source.id, target.kind, target.key, channel),
            source_id=source.id,
            routing_key=source.routing_key,
            kind=target.kind,
            key=target.key,
            scope_street=scope_street,
            channel=channel,
            subject=rendered.subject,
            body=rendered.body,
            status=status,
        )
        delivery = _delivery(source, target, recipient, rendered) if channel != "inbox" and address else None
        planned.append(_Planned(notice, address, delivery))
    return planned


async def _write(stores: FanOut, planned: list[_Planned]) -> None:
    """Write the planned notices (one statement); each new e-mail or webhook notice gets a
    delivery row for the worker. An inbox notice is delivered by being written (GET /inbox,
    /statistics) and causes no event; the worker announces each delivery that leaves the system
    (`notify.notification_sent.v1`) or finally fails (`notify.delivery_failed.v1`)."""
    created = await stores.notices.add([p.notice for p in planned])
    for p in planned:
        n = p.notice
        if n.notice_id not in created or n.channel == "inbox":
            continue
        if p.address and p.delivery is not None:
            await stores.deliveries.add(n.notice_id, n.channel, p.address, p.delivery)
        else:
            log.info("notice_without_address", notice_id=str(n.notice_id), channel=n.channel, recipient_kind=n.kind)


async def _resolve(stores: FanOut, target: Target) -> tuple[Target, Entry | None, tuple[str, str] | None]:
    """The directory entry of a target, or what it waits for when the directory does not know it yet."""
    # Without this lock a recipient learned by a concurrent transaction could miss this pending notice.
    if target.role in WAITING_ROLES:
        await stores.directory.lock_recipient(target.kind, target.key)
    entry = await stores.directory.entry(target.kind, target.key)
    if entry is None and target.role in WAITING_ROLES:
        return target, None, (target.kind, target.key)
    return target, entry, None


async def _targets(stores: FanOut, spec: RecipientSpec, payload: dict[str, Any]) -> list[Target]:
    found = domain.targets(spec, payload)
    if spec.to != "orgs_in_domain":
        return found
    return [
        Target("orgs_in_domain", "org", e.key, e.street_code)
        for key in {t.key for t in found}
        for e in await stores.directory.orgs_in_domain(key)
    ]


async def fan_out(
    kit: Toolkit,
    stores: FanOut,
    *,
    source_id: UUID,
    routing_key: str,
    template: str,
    payload: dict[str, Any],
    specs: tuple[RecipientSpec, ...],
) -> None:
    """Notices for every recipient the rule entries name; those for unknown recipients wait."""
    source = _Source(source_id, routing_key, template, payload)
    planned: list[_Planned] = []
    for index, spec in enumerate(specs):
        for target in await _targets(stores, spec, payload):
            resolved, entry, wait = await _resolve(stores, target)
            if wait is not None:
                await stores.pending.add(
                    source_id=source_id,
                    routing_key=routing_key,
                    template=template,
                    payload=payload,
                    spec=spec.as_json(),
                    spec_index=index,
                    wait_kind=wait[0],
                    wait_key=wait[1],
                )
                log.info("notice_pending", source_id=str(source_id), wait_kind=wait[0], wait_key=wait[1])
                continue
            planned += _plan(kit, source, spec, resolved, entry)
    await _write(stores, planned)


async def release_pending(kit: Toolkit, stores: FanOut, entry: Entry) -> None:
    """The directory learned a recipient: deliver the notices that waited for it."""
    planned: list[_Planned] = []
    for waiting in await stores.pending.waiting_for(entry.kind, entry.key):
        spec = RecipientSpec.from_json(waiting.spec)
        target = next(t for t in domain.targets(spec, waiting.payload) if t.key == entry.key)
        resolved, known, wait = await _resolve(stores, target)
        if wait is not None:
            continue
        source = _Source(waiting.source_id, waiting.routing_key, waiting.template, waiting.payload)
        planned += _plan(kit, source, spec, resolved, known)
        await stores.pending.resolved(waiting.id)
        log.info("notice_released", source_id=str(waiting.source_id), kind=entry.kind, key=entry.key)
    await _write(stores, planned)
