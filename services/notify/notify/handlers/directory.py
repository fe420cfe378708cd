"""The recipient directory, learned only from events (never by asking another service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from notify.adapters.failures import DeliveryError
from notify.adapters.targets import TargetPolicy
from notify.domain import Entry
from notify.handlers.ports import Directory
from shared.reference import street_of_office

log = structlog.get_logger("notify.handlers")


def _epoch_version(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


def _webhook_url(url: Any, targets: TargetPolicy, org_id: str) -> str | None:
    """The organisation's webhook URL if notify may post to it; a refused one is not kept (its
    webhook notices are `no_address`). Names are not resolved here: the worker checks again,
    resolving, at every delivery."""
    if not url:
        return None
    try:
        targets.check_url(str(url))
    except DeliveryError as exc:
        log.warning("webhook_url_refused", org_id=org_id, error_class=exc.error_class)
        return None
    return str(url)


async def learn(
    directory: Directory,
    routing_key: str,
    payload: dict[str, Any],
    occurred_at: datetime,
    targets: TargetPolicy | None = None,
) -> list[Entry]:
    """Directory entries this event teaches; returns those that changed (pending notices may wait on them)."""
    learned: list[Entry] = []
    org = payload.get("org")
    if routing_key.startswith("registry.") and isinstance(org, dict) and org.get("org_id"):
        entry = await _learn_org(directory, org, targets or TargetPolicy())
        if entry is not None:
            learned.append(entry)
    purchaser = payload.get("purchaser")
    if isinstance(purchaser, dict) and purchaser.get("code") and purchaser.get("name"):
        await _learn_purchaser(directory, purchaser, occurred_at)
    account = payload.get("account")
    if routing_key.startswith("console.") and isinstance(account, dict) and account.get("account_id"):
        entry = await _learn_account(directory, account)
        if entry is not None:
            learned.append(entry)
    return learned


async def _learn_account(directory: Directory, account: dict[str, Any]) -> Entry | None:
    """A person's account from the console: where its invitation and reset links are e-mailed.
    Kept unless a newer snapshot is (an e-mail changed after an invitation wins over it)."""
    await directory.lock_recipient("account", str(account["account_id"]))
    entry = Entry(
        kind="account",
        key=str(account["account_id"]),
        name=account.get("display_name"),
        email=account.get("email"),
        status=account.get("status"),
    )
    applied = await directory.learn(entry, version=int(account["version"]))
    return entry if applied else None


async def _learn_org(directory: Directory, org: dict[str, Any], targets: TargetPolicy) -> Entry | None:
    """An organisation's snapshot from registry, kept unless a newer one is; the entry when applied."""
    await directory.lock_recipient("org", str(org["org_id"]))
    contact = org.get("contact") or {}
    entry = Entry(
        kind="org",
        key=str(org["org_id"]),
        name=org.get("name"),
        email=contact.get("email"),
        webhook_url=_webhook_url(contact.get("webhook_url"), targets, str(org["org_id"])),
        street_code=org.get("street_code"),
        status=org.get("status"),
    )
    applied = await directory.learn(entry, version=int(org["version"]), domains=list(org.get("domains") or []))
    return entry if applied else None


async def _learn_purchaser(directory: Directory, purchaser: dict[str, Any], occurred_at: datetime) -> None:
    # A purchaser's street is that of the office its code names (`<street>JDB`), whatever the
    # event claims, so no message can move a department's notices to a street's officers.
    code = str(purchaser["code"])
    entry = Entry(kind="purchaser", key=code, name=purchaser["name"], street_code=street_of_office(code))
    known = await directory.entry("purchaser", entry.key)
    # Every demand names its purchaser; most say what is already known. Writing the row only
    # when it changes keeps one department's row from being locked by every transaction that
    # handles one of its demands (batches holding it while waiting on each other deadlocked).
    if known is None or (known.name, known.street_code) != (entry.name, entry.street_code):
        await directory.learn(entry, version=_epoch_version(occurred_at))
