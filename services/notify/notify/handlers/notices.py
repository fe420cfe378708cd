"""From rule entries to notices: resolve recipients, wait for unknown ones, one notice per channel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog

from notify import domain
from notify.domain import Target
from notify.handlers.toolkit import Toolkit
from notify.rendering import SIGNATURE
from notify.rules import RecipientSpec
from notify.store import Entry, NewNotice, Store
from shared.reference import STREETS, street_of_office

log = structlog.get_logger("notify.handlers")

WAITING_ROLES = {"org", "sponsor", "mentor", "applicant"}


def _recipient(target: Target, entry: Entry | None) -> dict[str, Any]:
    if target.kind == "street":
        name = STREETS.get(target.key, target.key) + "社会组织服务平台"
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


def _plan(
    kit: Toolkit,
    *,
    source_id: UUID,
    routing_key: str,
    template: str,
    payload: dict[str, Any],
    spec: RecipientSpec,
    target: Target,
    entry: Entry | None,
) -> list[_Planned]:
    """One notice per channel for a known recipient, rendered; written later, all at once."""
    planned: list[_Planned] = []
    recipient = _recipient(target, entry)
    scope_street = target.scope_street
    if target.kind == "purchaser":
        scope_street = street_of_office(target.key)
    elif target.kind == "org" and entry is not None:
        scope_street = entry.street_code or scope_street
    for channel in spec.channels:
        rendered = kit.renderer.render(template, channel, payload, recipient)
        address = None
        if channel == "email" and entry is not None:
            address = entry.email
        elif channel == "webhook" and entry is not None:
            address = entry.webhook_url
        if channel == "inbox":
            status = "sent"
        else:
            status = "queued" if address else "no_address"
        notice = NewNotice(
            notice_id=domain.notice_id(source_id, target.kind, target.key, channel),
            source_id=source_id,
            routing_key=routing_key,
            kind=target.kind,
            key=target.key,
            scope_street=scope_street,
            channel=channel,
            subject=rendered.subject,
            body=rendered.body,
            status=status,
        )
        delivery = None
        if channel != "inbox" and address:
            delivery = {
                "subject": rendered.subject,
                "body": rendered.body,
                "to_name": recipient["name"],
                "event_type": routing_key,
                "source_event_id": str(source_id),
                "recipient": {"kind": target.kind, "key": target.key},
                "data": payload,
            }
        planned.append(_Planned(notice, address, delivery))
    return planned


async def _write(store: Store, planned: list[_Planned]) -> None:
    """Write the planned notices (one statement); each new e-mail or webhook notice gets a
    delivery row for the worker. An inbox notice is delivered by being written (GET /inbox,
    /statistics) and causes no event; the worker announces each delivery that leaves the system
    (`notify.notification_sent.v1`) or finally fails (`notify.delivery_failed.v1`)."""
    created = await store.add_notices([p.notice for p in planned])
    for p in planned:
        n = p.notice
        if n.notice_id not in created or n.channel == "inbox":
            continue
        if p.address and p.delivery is not None:
            await store.add_delivery(n.notice_id, n.channel, p.address, p.delivery)
        else:
            log.info("notice_without_address", notice_id=str(n.notice_id), channel=n.channel, recipient_kind=n.kind)


async def _resolve(store: Store, target: Target) -> tuple[Target, Entry | None, tuple[str, str] | None]:
    """The directory entry of a target, or what it waits for when the directory does not know it yet."""
    # Without this lock a recipient learned by a concurrent transaction could miss this pending notice.
    if target.role in WAITING_ROLES:
        await store.lock_recipient(target.kind, target.key)
    entry = await store.entry(target.kind, target.key)
    if entry is None and target.role in WAITING_ROLES:
        return target, None, (target.kind, target.key)
    return target, entry, None


async def fan_out(
    kit: Toolkit,
    store: Store,
    *,
    source_id: UUID,
    routing_key: str,
    template: str,
    payload: dict[str, Any],
    specs: tuple[RecipientSpec, ...],
) -> None:
    planned: list[_Planned] = []
    for index, spec in enumerate(specs):
        found = domain.targets(spec, payload)
        if spec.to == "orgs_in_domain":
            found = [
                Target("orgs_in_domain", "org", e.key, e.street_code)
                for key in {t.key for t in found}
                for e in await store.orgs_in_domain(key)
            ]
        for target in found:
            resolved, entry, wait = await _resolve(store, target)
            if wait is not None:
                await store.add_pending(
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
            planned += _plan(
                kit,
                source_id=source_id,
                routing_key=routing_key,
                template=template,
                payload=payload,
                spec=spec,
                target=resolved,
                entry=entry,
            )
    await _write(store, planned)


async def release_pending(kit: Toolkit, store: Store, entry: Entry) -> None:
    """The directory learned a recipient: deliver the notices that waited for it."""
    planned: list[_Planned] = []
    for row in await store.waiting_for(entry.kind, entry.key):
        spec = RecipientSpec.from_json(as_json(row["spec"]))
        payload = as_json(row["payload"])
        target = next(t for t in domain.targets(spec, payload) if t.key == entry.key)
        resolved, known, wait = await _resolve(store, target)
        if wait is not None:
            continue
        planned += _plan(
            kit,
            source_id=row["source_id"],
            routing_key=row["routing_key"],
            template=row["template"],
            payload=payload,
            spec=spec,
            target=resolved,
            entry=known,
        )
        await store.resolved(row["id"])
        log.info("notice_released", source_id=str(row["source_id"]), kind=entry.kind, key=entry.key)
    await _write(store, planned)


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
