"""The use cases against a small in-memory store: waiting for recipients, one notice per
channel, addresses, reminders and their cancellation — no database, no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from samples import STREET, org_registered, sample_dict
from services.notify.tests.unit.fakes import FakeStores

from notify import handlers, rules
from notify.rendering import Renderer
from shared.contracts.venture import GrantAwarded, ProgressReportSubmitted, ReportDue
from shared.workdays import WorkCalendar

NOW = datetime(2025, 9, 20, 2, tzinfo=UTC)
KIT = handlers.Toolkit(rules=rules.load(), renderer=Renderer(), calendar=WorkCalendar())


async def test_a_grant_for_an_unknown_org_waits_then_reaches_every_channel_with_an_address():
    store = FakeStores()
    org_id = uuid.uuid4()
    grant = GrantAwarded.model_validate(
        sample_dict(GrantAwarded, org_id=str(org_id), sponsor_org_id=None, mentor_org_id=None, street_code=STREET)
    )
    out = await handlers.on_event(KIT, store, grant, now=NOW)
    assert [(p["wait_kind"], p["wait_key"]) for p in store.pending.rows] == [("org", str(org_id))]
    assert {k[1] for k in store.notices.rows} == {"street"}  # the street platform is known at once
    assert out == []  # an inbox notice causes no event; deliveries are announced by the worker

    registered = org_registered(org_id, email="a@example.org", webhook=None)
    await handlers.on_event(KIT, store, registered, now=NOW)
    grant_notices = {k[3]: n for k, n in store.notices.rows.items() if k[0] == grant.event_id and k[1] == "org"}
    assert grant_notices["inbox"]["status"] == "sent"
    assert grant_notices["email"]["status"] == "queued"
    assert grant_notices["webhook"]["status"] == "no_address"
    assert [(c, a) for n, c, a, _ in store.deliveries.queued if n == grant_notices["email"]["notice_id"]] == [
        ("email", "a@example.org")
    ]
    assert store.pending.rows[0]["resolved"]

    before = len(store.notices.rows)
    await handlers.on_event(KIT, store, grant, now=NOW)
    assert len(store.notices.rows) == before  # the same event again makes no second notice


async def test_a_report_submitted_cancels_the_reminders_its_due_event_scheduled():
    store = FakeStores()
    org_id, grant_id = uuid.uuid4(), uuid.uuid4()
    await handlers.on_event(KIT, store, org_registered(org_id, email=None, webhook=None), now=NOW)
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
    await handlers.on_event(KIT, store, due, now=NOW)
    assert sorted(r["workdays_before"] for r in store.reminders.rows.values()) == [0, 1, 3]

    done = ProgressReportSubmitted.model_validate(
        sample_dict(ProgressReportSubmitted, org_id=str(org_id), grant_id=str(grant_id), tranche_number=1)
    )
    await handlers.on_event(KIT, store, done, now=NOW)
    assert {r["status"] for r in store.reminders.rows.values()} == {"cancelled"}


async def test_an_older_snapshot_does_not_replace_a_newer_one():
    store = FakeStores()
    org_id = uuid.uuid4()
    await handlers.learn(
        store.directory,
        "registry.org_registered.v1",
        org_registered(org_id, email="new@x.org", webhook=None, version=5).model_dump(mode="json"),
        NOW,
    )
    await handlers.learn(
        store.directory,
        "registry.org_registered.v1",
        org_registered(org_id, email="old@x.org", webhook=None, version=4).model_dump(mode="json"),
        NOW,
    )
    entry = await store.directory.entry("org", str(org_id))
    assert entry is not None and entry.email == "new@x.org"


async def test_a_webhook_url_notify_may_not_post_to_is_not_kept_when_the_org_is_learned():
    store = FakeStores()
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
        await handlers.on_event(KIT, store, org_registered(org_id, email="a@x.org", webhook=url), now=NOW)
        entry = await store.directory.entry("org", str(org_id))
        assert entry is not None and entry.email == "a@x.org"
        assert entry.webhook_url == (None if why else url), why
