"""Bad HTTP input: 422 naming the field, and nothing half-written (no org row, no outbox row)."""

from __future__ import annotations

import pytest

from testkit import token

from .helpers import filing, new_code, registration

ADMIN = token("district_admin", sub="alice")


async def nothing_written(db) -> bool:
    orgs = await db.fetchval("SELECT count(*) FROM orgs")
    history = await db.fetchval("SELECT count(*) FROM org_history")
    events = await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'registry.org_%'")
    return (orgs, history, events) == (0, 0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (registration(credit_code="52110101MJ0123457W"), "credit_code"),
        (registration(credit_code=new_code("51")), "credit_code"),  # 社团 code for a 民非
        (registration(org_type="community_org"), "org_type"),
        (registration(org_type="charity_shop"), "org_type"),
        (registration(registered_on="2099-01-01"), "registered_on"),
        (registration(registered_on="yesterday"), "registered_on"),
        (registration(street_code="110105001"), "street_code"),
        (registration(platform_code="110101016"), "platform_code"),  # a platform of another street
        (registration(platform_code="999"), "platform_code"),
        (registration(domains=["astrology"]), "domains"),
        (registration(contact={"email": "not-an-email"}), "contact"),
        (registration(name=""), "name"),
        (registration(unexpected="x"), "unexpected"),
        ({k: v for k, v in registration().items() if k != "credit_code"}, "credit_code"),
    ],
)
async def test_bad_registration_is_422_naming_the_field_and_writes_nothing(client, db, body, field):
    response = await client.post("/orgs", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    fields = [d["loc"] for d in response.json()["detail"]]
    assert any(field in loc for loc in fields), fields
    assert await nothing_written(db)


async def test_bad_filing_is_422_naming_the_field_and_writes_nothing(client, db):
    for body, field in [
        (filing(community=" "), "community"),
        (filing(sponsor_org_id="00000000-0000-0000-0000-000000000001"), "sponsor_org_id"),
        (filing(street_code=None), "street_code"),
    ]:
        response = await client.post("/filings", json=body, headers=ADMIN)
        assert response.status_code == 422, response.text
        assert any(field in d["loc"] for d in response.json()["detail"])
    assert await nothing_written(db)


async def test_a_failed_graduation_leaves_the_filed_org_and_its_events_untouched(client, db):
    org_id = (await client.post("/filings", json=filing(), headers=ADMIN)).json()["org_id"]
    response = await client.post(
        f"/orgs/{org_id}/graduation",
        json={"org_type": "social_association", "credit_code": new_code("52"), "registered_on": "2023-01-01"},
        headers=ADMIN,
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "credit_code"]
    row = await db.fetchrow("SELECT version, status, credit_code FROM orgs")
    assert (row["version"], row["status"], row["credit_code"]) == (1, "filed", None)
    assert await db.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'registry.org_%'") == 1
