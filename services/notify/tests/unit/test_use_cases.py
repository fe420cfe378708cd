"""The use cases the worker and the routes run, against in-memory fakes of their store
interfaces (tests/unit/fakes.py): delivery outcomes and their events, due reminders, signing-key
rotation, organisations of a domain, the public feed — no database, no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from samples import STREET, org_registered, sample_dict
from services.notify.tests.unit.fakes import FakeStores

from notify import handlers, rules
from notify.adapters.failures import DeliveryError
from notify.adapters.keys import SecretBox
from notify.config import DEV_WEBHOOK_KEY_ENCRYPTION_KEY
from notify.domain import Claimed, NewReminder, NoticeRef
from notify.rendering import Renderer
from shared.contracts.notify import DeliveryFailed, NotificationSent
from shared.contracts.procurement import SolicitationOpened
from shared.workdays import WorkCalendar

NOW = datetime(2025, 9, 29, 1, 30, tzinfo=UTC)  # 09:30 in Beijing, a Monday
KIT = handlers.Toolkit(rules=rules.load(), renderer=Renderer(), calendar=WorkCalendar())
POLICY = handlers.RetryPolicy(max_attempts=3, base_seconds=30, max_seconds=3600)


def _claimed(stores: FakeStores, *, attempts: int) -> Claimed:
    notice_id = uuid.uuid4()
    stores.deliveries.notices[notice_id] = NoticeRef(uuid.uuid4(), "venture.grant_awarded.v1", "org", "o-1")
    return Claimed(7, notice_id, "webhook", "https://hooks.example.org/h", {"recipient": {}}, attempts)


async def test_a_sent_delivery_is_recorded_and_announced():
    stores = FakeStores()
    d = _claimed(stores, attempts=1)
    step, events = await handlers.record_attempt(stores.deliveries, d, None, now=NOW, policy=POLICY)
    assert step == "sent" and stores.deliveries.outcomes == [("sent", 7, NOW)]
    assert [type(e) for e in events] == [NotificationSent]
    assert events[0].notice_id == d.notice_id  # type: ignore[attr-defined]


async def test_a_failed_attempt_waits_the_backoff_and_announces_nothing():
    stores = FakeStores()
    step, events = await handlers.record_attempt(
        stores.deliveries, _claimed(stores, attempts=2), DeliveryError("http_5xx", code=503), now=NOW, policy=POLICY
    )
    assert step == "retry" and events == []
    assert stores.deliveries.outcomes == [("retry", 7, NOW + timedelta(seconds=60))]


async def test_the_last_attempt_or_a_permanent_error_parks_the_delivery_with_the_redacted_class():
    for attempts, error in ((3, DeliveryError("timeout")), (1, DeliveryError("forbidden_target", permanent=True))):
        stores = FakeStores()
        step, events = await handlers.record_attempt(
            stores.deliveries, _claimed(stores, attempts=attempts), error, now=NOW, policy=POLICY
        )
        assert step == "failed" and stores.deliveries.outcomes == [("failed", 7, error.error_class)]
        assert [type(e) for e in events] == [DeliveryFailed]
        assert events[0].last_error == error.reason  # type: ignore[attr-defined]


def _reminder(source: uuid.UUID, workdays_before: int, *, deadline: date, org_id: uuid.UUID) -> NewReminder:
    return NewReminder(
        id=uuid.uuid4(),
        source_id=source,
        routing_key="venture.report_due.v1",
        name="report_due",
        thing_key="g/1",
        deadline=deadline,
        workdays_before=workdays_before,
        remind_on=deadline,
        fire_at=NOW - timedelta(days=workdays_before),
        payload=sample_dict_report_due(org_id, deadline),
        recipients=[{"to": "org", "field": "org_id", "channels": ["inbox"]}],
        status="scheduled",
    )


def sample_dict_report_due(org_id: uuid.UUID, deadline: date) -> dict:
    from shared.contracts.venture import ReportDue

    return sample_dict(
        ReportDue, org_id=str(org_id), tranche_number=1, mentor_org_id=None, report_due_on=deadline.isoformat()
    )


async def test_after_a_pause_only_the_latest_due_reminder_of_a_thing_is_sent():
    stores = FakeStores()
    org_id = uuid.uuid4()
    await handlers.on_event(KIT, stores, org_registered(org_id, email=None, webhook=None), now=NOW)
    source, deadline = uuid.uuid4(), date(2025, 10, 1)
    early, late = (_reminder(source, n, deadline=deadline, org_id=org_id) for n in (3, 1))
    for r in (early, late):
        await stores.reminders.add(r)

    assert await handlers.fire_due_reminders(KIT, stores, now=NOW) == []
    assert stores.reminders.rows[early.id]["status"] == "skipped"
    assert stores.reminders.rows[late.id]["status"] == "fired"
    reminder_notices = [n for k, n in stores.notices.rows.items() if k[0] == late.id]
    assert [(n["kind"], n["key"], n["channel"]) for n in reminder_notices] == [("org", str(org_id), "inbox")]


async def test_a_reminder_whose_deadline_passed_is_dropped():
    stores = FakeStores()
    stale = _reminder(uuid.uuid4(), 0, deadline=date(2025, 9, 26), org_id=uuid.uuid4())
    await stores.reminders.add(stale)
    await handlers.fire_due_reminders(KIT, stores, now=NOW)
    assert stores.reminders.rows[stale.id]["status"] == "skipped"
    assert stores.notices.rows == {}


async def test_a_new_secret_replaces_the_old_one_which_signs_on_for_the_grace_period():
    stores, box, org_id = FakeStores(), SecretBox(DEV_WEBHOOK_KEY_ENCRYPTION_KEY), uuid.uuid4()
    grace = timedelta(hours=72)
    first, events = await handlers.issue_secret(stores.keys, box, org_id, now=NOW, grace=grace)
    assert events == [] and first.previous_key_id is None
    later = NOW + timedelta(hours=1)
    second, _ = await handlers.issue_secret(stores.keys, box, org_id, now=later, grace=grace)
    assert (second.previous_key_id, second.previous_valid_until) == (first.key_id, later + grace)

    signing = await handlers.signing_keys(stores.keys, box, org_id, now=later)
    assert [(k.key_id, k.secret) for k in signing] == [(second.key_id, second.secret), (first.key_id, first.secret)]
    after_grace = await handlers.signing_keys(stores.keys, box, org_id, now=later + grace)
    assert [k.key_id for k in after_grace] == [second.key_id]


async def test_a_solicitation_reaches_the_registered_orgs_of_its_domain_and_goes_on_the_feed():
    stores = FakeStores()
    inside, other = uuid.uuid4(), uuid.uuid4()
    for org_id, domain in ((inside, "elder_care"), (other, "environment")):
        event = org_registered(org_id, email=None, webhook=None)
        payload = event.model_dump(mode="json")
        payload["org"]["domains"], payload["org"]["status"] = [domain], "registered"
        await handlers.learn(stores.directory, event.routing_key, payload, event.occurred_at)
    opened = SolicitationOpened.model_validate(sample_dict(SolicitationOpened, domain="elder_care", street_code=STREET))

    await handlers.on_event(KIT, stores, opened, now=NOW)
    orgs = {k[2] for k in stores.notices.rows if k[0] == opened.event_id and k[1] == "org"}
    assert orgs == {str(inside)}
    assert [i.kind for i in stores.feed.items.values()] == ["solicitation"]
