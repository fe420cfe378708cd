"""The use cases against a small in-memory store: waiting for recipients, one notice per
channel, addresses, reminders and their cancellation — no database, no broker."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from samples import STREET, org_registered, sample_dict

from notify import handlers, rules
from notify.domain import Entry, NewNotice
from notify.rendering import Renderer
from shared.contracts.venture import GrantAwarded, ProgressReportSubmitted, ReportDue
from shared.workdays import WorkCalendar

NOW = datetime(2025, 9, 20, 2, tzinfo=UTC)
KIT = handlers.Toolkit(rules=rules.load(), renderer=Renderer(), calendar=WorkCalendar())


class FakeStore:
    """Just enough of notify.store.Store, in dictionaries."""

    def __init__(self) -> None:
        self.directory: dict[tuple[str, str], tuple[Entry, int]] = {}
        self.pending: list[dict[str, Any]] = []
        self.notices: dict[tuple[Any, str, str, str], dict[str, Any]] = {}
        self.deliveries: list[tuple[Any, str, str]] = []
        self.reminders: dict[Any, dict[str, Any]] = {}
        self.cancelled: set[tuple[str, str]] = set()
        self.feed: list[dict[str, Any]] = []

    async def lock_recipient(self, kind: str, key: str) -> None:
        pass

    async def entry(self, kind: str, key: str) -> Entry | None:
        found = self.directory.get((kind, key))
        return found[0] if found else None

    async def learn(self, entry: Entry, *, version: int, domains: list[str] | None = None) -> bool:
        old = self.directory.get((entry.kind, entry.key))
        if old and old[1] >= version:
            return False
        self.directory[(entry.kind, entry.key)] = (entry, version)
        return True

    async def orgs_in_domain(self, domain: str) -> list[Entry]:
        return []

    async def add_pending(self, **row: Any) -> None:
        self.pending.append({"id": len(self.pending) + 1, "resolved": False, **row})

    async def waiting_for(self, kind: str, key: str) -> list[dict[str, Any]]:
        return [p for p in self.pending if (p["wait_kind"], p["wait_key"]) == (kind, key) and not p["resolved"]]

    async def resolved(self, pending_id: int) -> None:
        self.pending[pending_id - 1]["resolved"] = True

    async def add_notices(self, notices: list[NewNotice]) -> set[Any]:
        created = set()
        for n in notices:
            key = (n.source_id, n.kind, n.key, n.channel)
            if key not in self.notices:
                self.notices[key] = asdict(n)
                created.add(n.notice_id)
        return created

    async def add_delivery(self, notice_id: Any, channel: str, address: str, payload: dict[str, Any]) -> None:
        self.deliveries.append((notice_id, channel, address))

    async def cancel(self, name: str, thing: str, source_id: Any) -> None:
        self.cancelled.add((name, thing))
        for r in self.reminders.values():
            if (r["name"], r["thing_key"]) == (name, thing) and r["status"] == "scheduled":
                r["status"] = "cancelled"

    async def is_cancelled(self, name: str, thing: str) -> bool:
        return (name, thing) in self.cancelled

    async def supersede(self, name: str, thing: str, source_id: Any) -> None:
        pass

    async def add_reminder(self, **r: Any) -> None:
        self.reminders.setdefault(r["id"], r)

    async def add_feed_item(self, **f: Any) -> None:
        self.feed.append(f)


async def test_a_grant_for_an_unknown_org_waits_then_reaches_every_channel_with_an_address():
    store = FakeStore()
    org_id = uuid.uuid4()
    grant = GrantAwarded.model_validate(
        sample_dict(GrantAwarded, org_id=str(org_id), sponsor_org_id=None, mentor_org_id=None, street_code=STREET)
    )
    out = await handlers.on_event(KIT, store, grant, now=NOW)  # type: ignore[arg-type]
    assert [(p["wait_kind"], p["wait_key"]) for p in store.pending] == [("org", str(org_id))]
    assert {k[1] for k in store.notices} == {"street"}  # the street platform is known at once
    assert out == []  # an inbox notice causes no event; deliveries are announced by the worker

    registered = org_registered(org_id, email="a@example.org", webhook=None)
    await handlers.on_event(KIT, store, registered, now=NOW)  # type: ignore[arg-type]
    grant_notices = {k[3]: n for k, n in store.notices.items() if k[0] == grant.event_id and k[1] == "org"}
    assert grant_notices["inbox"]["status"] == "sent"
    assert grant_notices["email"]["status"] == "queued"
    assert grant_notices["webhook"]["status"] == "no_address"
    assert [(c, a) for n, c, a in store.deliveries if n == grant_notices["email"]["notice_id"]] == [
        ("email", "a@example.org")
    ]
    assert store.pending[0]["resolved"]

    before = len(store.notices)
    await handlers.on_event(KIT, store, grant, now=NOW)  # type: ignore[arg-type]
    assert len(store.notices) == before  # the same event again makes no second notice


async def test_a_report_submitted_cancels_the_reminders_its_due_event_scheduled():
    store = FakeStore()
    org_id, grant_id = uuid.uuid4(), uuid.uuid4()
    await handlers.on_event(KIT, store, org_registered(org_id, email=None, webhook=None), now=NOW)  # type: ignore[arg-type]
    due = ReportDue.model_validate(
        sample_dict(
            ReportDue,
            org_id=str(org_id),
            grant_id=str(grant_id),
            tranche_number=1,
            mentor_org_id=None,
            report_due_on="2025-10-10",
        )
        | {"occurred_at": "2025-09-20T10:00:00+08:00"}
    )
    await handlers.on_event(KIT, store, due, now=NOW)  # type: ignore[arg-type]
    assert sorted(r["workdays_before"] for r in store.reminders.values()) == [0, 1, 3]

    done = ProgressReportSubmitted.model_validate(
        sample_dict(ProgressReportSubmitted, org_id=str(org_id), grant_id=str(grant_id), tranche_number=1)
    )
    await handlers.on_event(KIT, store, done, now=NOW)  # type: ignore[arg-type]
    assert {r["status"] for r in store.reminders.values()} == {"cancelled"}


async def test_an_older_snapshot_does_not_replace_a_newer_one():
    store = FakeStore()
    org_id = uuid.uuid4()
    await handlers.learn(
        store,
        "registry.org_registered.v1",  # type: ignore[arg-type]
        org_registered(org_id, email="new@x.org", webhook=None, version=5).model_dump(mode="json"),
        NOW,
    )
    await handlers.learn(
        store,
        "registry.org_registered.v1",  # type: ignore[arg-type]
        org_registered(org_id, email="old@x.org", webhook=None, version=4).model_dump(mode="json"),
        NOW,
    )
    entry = await store.entry("org", str(org_id))
    assert entry is not None and entry.email == "new@x.org"


async def test_a_webhook_url_notify_may_not_post_to_is_not_kept_when_the_org_is_learned():
    store = FakeStore()
    hostile = {
        "http://admin:pw@hooks.example.org/x": "credentials",
        "http://169.254.169.254/latest/meta-data/": "cloud metadata",
        "http://100.100.100.200/latest/meta-data/": "shared address space metadata",
        "http://hooks.example.org:25/": "SMTP port",
        "gopher://hooks.example.org/": "scheme",
        "https://hooks.example.org/h": None,
    }
    for url, why in hostile.items():
        org_id = uuid.uuid4()
        await handlers.on_event(KIT, store, org_registered(org_id, email="a@x.org", webhook=url), now=NOW)  # type: ignore[arg-type]
        entry = await store.entry("org", str(org_id))
        assert entry is not None and entry.email == "a@x.org"
        assert entry.webhook_url == (None if why else url), why
