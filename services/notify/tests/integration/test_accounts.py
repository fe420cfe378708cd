"""The console's account events: an invitation's and a password reset's one-time links are
e-mailed to the person, to the address of the newest account snapshot, once, and never to an
inbox, a webhook or the public feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from receivers import MailCatcher
from samples import eventually

from shared.contracts.console import (
    AccountInvited,
    AccountSnapshot,
    PasswordResetIssued,
    RoleGrant,
)
from shared.messaging.publish import publish_event
from testkit import token

EXPIRES = datetime(2026, 12, 6, 8, 30, tzinfo=UTC)  # 16:30 in Beijing


def account(account_id: uuid.UUID, *, version: int, email: str | None) -> AccountSnapshot:
    return AccountSnapshot(
        account_id=account_id,
        version=version,
        login=f"u{account_id.hex[:8]}",
        display_name="王小梅",
        email=email,
        roles=[RoleGrant(role="street_officer", street="110101001")],
        status="invited",
    )


async def deliveries(client: httpx.AsyncClient, source_id: uuid.UUID) -> list[dict]:
    response = await client.get(
        "/deliveries", params={"source_event_id": str(source_id)}, headers=token("district_admin")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_invitation_is_mailed_once_with_its_link_and_the_beijing_expiry(running, publisher):
    account_id = uuid.uuid4()
    address = f"{account_id.hex[:8]}@example.org"
    link = f"https://console.example.org/invitation/{uuid.uuid4().hex}"
    event = AccountInvited(
        account=account(account_id, version=1, email=address),
        invitation_url=link,
        expires_at=EXPIRES,
        actor="alice",
    )
    with MailCatcher() as mail:
        async with running(smtp_port=mail.port) as client:
            await publish_event(publisher, event)
            await publish_event(publisher, event)  # a redelivery: same event_id

            async def sent() -> bool:
                rows = await deliveries(client, event.event_id)
                return len(rows) == 1 and rows[0]["status"] == "sent"

            await eventually(sent, timeout=60)
            await eventually(lambda: _async(len(mail.to(address)) == 1), timeout=60)
            message = mail.to(address)[0]
            assert "邀请您开通" in str(message["Subject"])
            body = message.get_content()
            assert link in body and "王小梅" in body
            assert "2026年12月6日 16:30（北京时间）" in body
            assert [r["channel"] for r in await deliveries(client, event.event_id)] == ["email"]
            # No one's inbox holds the link, staff's included.
            for headers in (token("district_admin"), token("street_officer", street="110101001")):
                inbox = (await client.get("/inbox", headers=headers)).json()
                assert all(n["source_event_id"] != str(event.event_id) for n in inbox)


async def test_a_reset_goes_to_the_newest_address_and_an_older_snapshot_arriving_late_changes_nothing(
    running, publisher
):
    account_id = uuid.uuid4()
    old, new = f"old-{account_id.hex[:8]}@example.org", f"new-{account_id.hex[:8]}@example.org"
    with MailCatcher() as mail:
        async with running(smtp_port=mail.port) as client:
            # Version 3 (the new address) is learned first: its invitation is mailed there.
            newer = AccountInvited(
                account=account(account_id, version=3, email=new),
                invitation_url="https://console.example.org/invitation/v3",
                expires_at=EXPIRES,
                actor="alice",
            )
            await publish_event(publisher, newer)
            await eventually(lambda: _async(len(mail.to(new)) == 1), timeout=60)
            # Version 2 (the old address) arrives after version 3: the directory keeps version 3's.
            reset = PasswordResetIssued(
                account=account(account_id, version=2, email=old),
                reset_url="https://console.example.org/reset/one-time",
                expires_at=datetime.now(UTC) + timedelta(hours=2),
                actor="alice",
            )
            await publish_event(publisher, reset)

            async def sent() -> bool:
                rows = await deliveries(client, reset.event_id)
                return len(rows) == 1 and rows[0]["status"] == "sent"

            await eventually(sent, timeout=60)
            await eventually(lambda: _async(len(mail.to(new)) == 2), timeout=60)
            assert mail.to(old) == []
            assert "https://console.example.org/reset/one-time" in mail.to(new)[1].get_content()


async def test_an_account_without_an_address_gets_no_mail_and_the_consumer_goes_on(running, publisher):
    account_id = uuid.uuid4()
    event = AccountInvited(
        account=account(account_id, version=1, email=None),
        invitation_url="https://console.example.org/invitation/x",
        expires_at=EXPIRES,
        actor="console",
    )
    follower = uuid.uuid4()
    after = AccountInvited(
        account=account(follower, version=1, email=f"{follower.hex[:8]}@example.org"),
        invitation_url="https://console.example.org/invitation/y",
        expires_at=EXPIRES,
        actor="console",
    )
    with MailCatcher() as mail:
        async with running(smtp_port=mail.port) as client:
            await publish_event(publisher, event)
            await publish_event(publisher, after)

            async def follower_sent() -> bool:
                rows = await deliveries(client, after.event_id)
                return len(rows) == 1 and rows[0]["status"] == "sent"

            await eventually(follower_sent, timeout=60)
            assert await deliveries(client, event.event_id) == []
            assert len(mail.messages) == 1


async def _async(value: bool) -> bool:
    return value
