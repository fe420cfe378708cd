"""Across the change to named consumers and the kit's clock: inbox rows written before still
deduplicate, and "this year" is Beijing's year whatever the server's zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, tzinfo

import pytest

import shared.clock
from testkit import eventually, token

from .test_support_history import contract, grant, send

ADMIN = token("district_admin", sub="alice")


@pytest.mark.parametrize(
    ("old_identity", "event_of", "table"),
    [
        ("registry.grant_awarded", grant, "support_grants"),
        ("registry.project_signed", contract, "support_contracts"),
    ],
)
async def test_an_event_consumed_before_the_upgrade_is_not_consumed_again(client, db, old_identity, event_of, table):
    # The inbox row as the code before named consumers wrote it: the identity was the function's
    # name (`grant_awarded`, `project_signed`), which the explicit names keep.
    org_id = uuid.uuid4()
    before = event_of(org_id)
    await db.execute(
        "INSERT INTO inbox (consumer, event_id, routing_key) VALUES ($1, $2, $3)",
        old_identity,
        before.event_id,
        before.routing_key,
    )
    await send(before)  # the broker redelivers it after the upgrade
    marker = event_of(org_id)
    await send(marker)  # same queue, after it: once the marker is recorded, the redelivery was seen

    async def marker_recorded() -> bool:
        return await db.fetchval(f"SELECT count(*) FROM {table} WHERE org_id = $1", org_id) >= 1

    assert await eventually(marker_recorded)
    assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE org_id = $1", org_id) == 1
    assert await db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", before.event_id) == 1
    consumers = await db.fetch("SELECT DISTINCT consumer FROM inbox WHERE event_id = $1", marker.event_id)
    assert [r["consumer"] for r in consumers] == [old_identity]


class _NewYearInBeijing(datetime):
    """Half past four on New Year's morning in Beijing: still 31 December in UTC and westwards."""

    instant = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return cls.instant.astimezone(tz) if tz is not None else cls.instant.replace(tzinfo=None)


async def test_this_year_of_the_statistics_is_beijings_year(client, monkeypatch):
    monkeypatch.setattr(shared.clock, "datetime", _NewYearInBeijing)
    answer = await client.get("/statistics/by-year", params={"from_year": 2025}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    assert [y["year"] for y in answer.json()["years"]] == [2025, 2026, 2027]
    assert date(2027, 1, 1) > _NewYearInBeijing.instant.date()  # the server's (UTC) date is still 2026
