"""An organisation's contact is invited from the registry's events — once, whichever event comes
first or however often it is redelivered — and an organisation without an e-mail gets no account."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import asyncpg

from shared.contracts.registry import Contact, OrgFiled, OrgGraduated, OrgRegistered, OrgSnapshot
from testkit import ADMIN_AMQP_URL, EventTap, eventually, publish_message


def snapshot(org_id=None, email: str | None = "chen@example.org", version: int = 1) -> OrgSnapshot:
    return OrgSnapshot(
        org_id=org_id or uuid4(),
        version=version,
        name="东城区阳光为老服务中心",
        org_type="private_non_enterprise",
        status="registered",
        street_code="110101006",
        domains=["elder_care"],
        contact=Contact(name="陈静", email=email, phone="010-64001234"),
        registered_on=date(2015, 6, 1),
    )


async def publish(event) -> None:
    await publish_message(
        ADMIN_AMQP_URL,
        event.routing_key,
        event.model_dump_json().encode(),
        message_id=str(event.event_id),
        content_type="application/json",
    )


async def accounts_of(settings, org_id) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch("SELECT login, status, roles::text AS roles FROM accounts WHERE org_id = $1", org_id)
    finally:
        await conn.close()


async def handled(settings, event_ids) -> bool:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = ANY($1)", event_ids) == len(event_ids)
    finally:
        await conn.close()


async def outbox_empty(settings) -> bool:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await conn.close()


async def test_a_registered_organisations_contact_is_invited_once_as_its_account(app, settings):
    org = snapshot()
    event = OrgRegistered(org=org)
    graduated = OrgGraduated(org=snapshot(org.org_id, version=2), registered_on=date(2020, 1, 1))
    async with EventTap("console.account_invited.v1") as tap:
        await publish(event)
        await publish(event)  # redelivered
        await publish(graduated)
        (invited,) = await tap.wait_for("console.account_invited.v1")
        assert await eventually(lambda: handled(settings, [event.event_id, graduated.event_id]))
        assert await eventually(lambda: outbox_empty(settings))
        await tap.settle()
        assert len(tap.bodies("console.account_invited.v1")) == 1
    assert invited["actor"] == "console" and invited["account"]["email"] == "chen@example.org"
    (grant,) = invited["account"]["roles"]
    assert grant["role"] == "org" and grant["org_id"] == str(org.org_id) and grant["street"] is None
    (row,) = await accounts_of(settings, org.org_id)
    assert row["login"] == "chen@example.org" and row["status"] == "invited"


async def test_a_filed_organisation_then_graduated_keeps_its_one_account(app, settings):
    org = snapshot(email="team@example.org")
    await publish(OrgFiled(org=org))
    await publish(
        OrgGraduated(org=snapshot(org.org_id, email="team@example.org", version=2), registered_on=date(2021, 5, 1))
    )

    async def one() -> bool:
        return len(await accounts_of(settings, org.org_id)) == 1

    assert await eventually(one)


async def test_an_organisation_without_a_contact_email_gets_no_account(app, settings):
    marker, silent = snapshot(email="marker@example.org"), snapshot(email=None)
    await publish(OrgRegistered(org=silent))
    await publish(OrgRegistered(org=marker))

    async def marker_done() -> bool:
        return len(await accounts_of(settings, marker.org_id)) == 1

    assert await eventually(marker_done)
    assert await accounts_of(settings, silent.org_id) == []


async def test_a_contact_whose_email_is_already_a_login_gets_a_login_of_its_own(app, settings):
    first, second = snapshot(email="shared@example.org"), snapshot(email="shared@example.org")
    await publish(OrgRegistered(org=first))
    await publish(OrgRegistered(org=second))

    async def both() -> bool:
        return (
            len(await accounts_of(settings, first.org_id)) == 1 and len(await accounts_of(settings, second.org_id)) == 1
        )

    assert await eventually(both)
    logins = {(await accounts_of(settings, o.org_id))[0]["login"] for o in (first, second)}
    assert "shared@example.org" in logins and len(logins) == 2
