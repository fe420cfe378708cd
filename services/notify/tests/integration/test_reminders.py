"""Deadline reminders: N working days before and on the day, on the Chinese calendar, fired by
the worker on an injected clock, and cancelled when the thing was done."""

from __future__ import annotations

import uuid
from datetime import datetime

from samples import eventually, org_registered, sample_dict

from shared.clock import DISTRICT_ZONE
from shared.contracts.venture import ProgressReportSubmitted, ReportAccepted, ReportDue
from shared.messaging.publish import publish_event
from testkit import token


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=DISTRICT_ZONE)


def report_due(org_id: uuid.UUID, grant_id: uuid.UUID, due: str) -> ReportDue:
    return ReportDue.model_validate(
        sample_dict(
            ReportDue,
            grant_id=str(grant_id),
            org_id=str(org_id),
            mentor_org_id=None,
            sponsor_org_id=None,
            project_title="社区长者食堂",
            tranche_number=2,
            final=False,
            report_due_on=due,
        )
        | {"occurred_at": "2025-09-20T10:00:00+08:00"}
    )


async def reminders(client, source_id: uuid.UUID) -> list[tuple[str, int, str]]:
    async with client.app.state.service.connection() as conn:
        rows = await conn.fetch(
            "SELECT remind_on, workdays_before, status FROM reminders WHERE source_id = $1 ORDER BY remind_on",
            source_id,
        )
    return [(r["remind_on"].isoformat(), r["workdays_before"], r["status"]) for r in rows]


async def org_inbox(client, org_id: uuid.UUID) -> list[dict]:
    response = await client.get("/inbox", headers=token("org", org_id=org_id))
    return [n for n in response.json() if n["subject"].startswith("进度报告提交提醒")]


async def test_report_reminders_fall_on_working_days_across_national_day_and_stop_once_submitted(client, publisher):
    client.app.state.service.clock = lambda: at(2025, 9, 20, 10)
    org_id, grant_id = uuid.uuid4(), uuid.uuid4()
    await publish_event(publisher, org_registered(org_id, email=None, webhook=None))
    due = report_due(org_id, grant_id, "2025-10-10")
    await publish_event(publisher, due)

    async def planned() -> list:
        found = await reminders(client, due.event_id)
        return found if len(found) == 3 else []

    # 3 working days before Friday 10 October 2025 is Monday 29 September: 1–8 October are holidays.
    assert await eventually(planned) == [
        ("2025-09-29", 3, "scheduled"),
        ("2025-10-09", 1, "scheduled"),
        ("2025-10-10", 0, "scheduled"),
    ]
    # the notice about the due report itself is there at once
    await eventually(lambda: org_inbox(client, org_id))

    client.app.state.service.clock = lambda: at(2025, 9, 29, 9, 5)

    async def fired() -> list:
        return [r for r in await reminders(client, due.event_id) if r[2] == "fired"]

    assert await eventually(fired) == [("2025-09-29", 3, "fired")]
    reminder_notices = [n for n in await org_inbox(client, org_id) if "工作日" in n["body"]]
    assert len(reminder_notices) == 1
    assert "还有 3 个工作日截止（2025年10月10日）" in reminder_notices[0]["body"]

    submitted = ProgressReportSubmitted.model_validate(
        sample_dict(
            ProgressReportSubmitted, grant_id=str(grant_id), org_id=str(org_id), tranche_number=2, mentor_org_id=None
        )
    )
    await publish_event(publisher, submitted)

    async def cancelled() -> list:
        return [r for r in await reminders(client, due.event_id) if r[2] == "cancelled"]

    await eventually(lambda: _len(cancelled, 2))
    client.app.state.service.clock = lambda: at(2025, 10, 10, 18)
    await client.app.state.service.worker.run_once()
    assert [r[2] for r in await reminders(client, due.event_id)] == ["fired", "cancelled", "cancelled"]
    assert len([n for n in await org_inbox(client, org_id) if "工作日" in n["body"] or "今天" in n["body"]]) == 1


async def _len(check, n: int) -> bool:
    return len(await check()) == n


async def test_a_report_accepted_before_its_due_event_arrives_cancels_the_reminders_anyway(client, publisher):
    client.app.state.service.clock = lambda: at(2025, 9, 20, 10)
    org_id, grant_id = uuid.uuid4(), uuid.uuid4()
    accepted = ReportAccepted.model_validate(
        sample_dict(ReportAccepted, grant_id=str(grant_id), org_id=str(org_id), tranche_number=2, sponsor_org_id=None)
    )
    await publish_event(publisher, accepted)

    async def cancellation_recorded() -> bool:
        async with client.app.state.service.connection() as conn:
            return bool(
                await conn.fetchval(
                    "SELECT count(*) FROM reminder_cancellations WHERE source_id = $1", accepted.event_id
                )
            )

    await eventually(cancellation_recorded)
    due = report_due(org_id, grant_id, "2025-10-10")
    await publish_event(publisher, due)

    async def planned() -> list:
        found = await reminders(client, due.event_id)
        return found if len(found) == 3 else []

    assert {status for *_, status in await eventually(planned)} == {"cancelled"}


async def test_a_reminder_fires_on_the_make_up_saturday_and_a_missed_earlier_one_is_not_sent_late(client, publisher):
    client.app.state.service.clock = lambda: at(2025, 9, 20, 10)
    org_id, grant_id = uuid.uuid4(), uuid.uuid4()
    await publish_event(publisher, org_registered(org_id, email=None, webhook=None))
    due = report_due(org_id, grant_id, "2025-10-13")  # a Monday after National Day

    await publish_event(publisher, due)

    async def planned() -> list:
        found = await reminders(client, due.event_id)
        return found if len(found) == 3 else []

    assert await eventually(planned) == [
        ("2025-10-09", 3, "scheduled"),
        ("2025-10-11", 1, "scheduled"),  # Saturday 11 October 2025 is a make-up workday
        ("2025-10-13", 0, "scheduled"),
    ]
    # the worker was down on the 9th; it wakes on the make-up Saturday
    client.app.state.service.clock = lambda: at(2025, 10, 11, 9, 30)
    listed = await client.get(
        "/reminders", params={"source_event_id": str(due.event_id)}, headers=token("district_admin")
    )
    assert [r["remind_on"] for r in listed.json()] == ["2025-10-09", "2025-10-11", "2025-10-13"]
    for role, claims in (("org", {"org_id": org_id}), ("street_officer", {"street": "110101006"})):
        assert (await client.get("/reminders", headers=token(role, **claims))).status_code == 403

    async def settled() -> list:
        found = await reminders(client, due.event_id)
        return found if [s for *_, s in found] == ["skipped", "fired", "scheduled"] else []

    await eventually(settled)
    bodies = [n["body"] for n in await org_inbox(client, org_id) if "工作日" in n["body"]]
    assert bodies == ["项目“社区长者食堂”第2期进度报告还有 1 个工作日截止（2025年10月13日），请按时提交。"]
