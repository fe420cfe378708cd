"""Registering, filing, graduating and changing organisations over HTTP, with their events."""

from __future__ import annotations

import json

from testkit import EventTap, eventually, token

from .helpers import filing, new_code, registration

ADMIN = token("district_admin", sub="alice")


async def outbox_events(db, org_id: str) -> list[tuple[str, dict]]:
    rows = await db.fetch(
        "SELECT routing_key, payload FROM outbox WHERE payload->'org'->>'org_id' = $1 ORDER BY id", org_id
    )
    return [(r["routing_key"], json.loads(r["payload"])) for r in rows]


async def test_registering_an_org_over_http_puts_org_registered_on_the_broker(client):
    async with EventTap("registry.org_registered.v1") as tap:
        response = await client.post("/orgs", json=registration(), headers=ADMIN)
        assert response.status_code == 201, response.text
        org_id = response.json()["org_id"]

        async def mine() -> list:
            return [m for m in tap.messages if org_id.encode() in m.body]

        (message,) = await eventually(mine)
    body = json.loads(message.body)
    assert message.message_id == body["event_id"]
    assert message.type == "registry.org_registered.v1"
    assert body["org"]["version"] == 1 and body["org"]["status"] == "registered"
    assert body["org"]["platform_code"] == "110101006"
    assert body["graduated_from_filing"] is False


async def test_a_duplicate_credit_code_is_a_conflict_and_writes_nothing(client, db):
    body = registration()
    assert (await client.post("/orgs", json=body, headers=ADMIN)).status_code == 201
    again = await client.post("/orgs", json={**body, "name": "另一个名字"}, headers=ADMIN)
    assert again.status_code == 409, again.text
    assert await db.fetchval("SELECT count(*) FROM orgs WHERE credit_code = $1", body["credit_code"]) == 1


async def test_registered_org_is_found_by_id_and_by_credit_code(client):
    created = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()
    by_id = await client.get(f"/orgs/{created['org_id']}", headers=ADMIN)
    assert by_id.status_code == 200
    assert by_id.json()["org"]["identifier"] == f"CN-USCI-{created['credit_code']}"
    assert [h["kind"] for h in by_id.json()["history"]] == ["OrgRegistered"]
    by_code = await client.get(f"/orgs/by-code/{created['credit_code']}", headers=ADMIN)
    assert by_code.json()["org_id"] == created["org_id"]
    assert (await client.get(f"/orgs/by-code/{new_code()}", headers=ADMIN)).status_code == 404


async def test_graduation_keeps_the_org_id_and_the_filing_history_and_emits_both_events(client, db):
    filed = (await client.post("/filings", json=filing(), headers=ADMIN)).json()
    assert (filed["status"], filed["credit_code"], filed["platform_code"]) == ("filed", None, "110101005")
    code = new_code("51")
    response = await client.post(
        f"/orgs/{filed['org_id']}/graduation",
        json={"org_type": "social_association", "credit_code": code, "registered_on": "2023-04-10"},
        headers=ADMIN,
    )
    assert response.status_code == 200, response.text
    org = response.json()
    assert (org["org_id"], org["status"], org["version"]) == (filed["org_id"], "registered", 2)
    assert (org["filed_on"], org["registered_on"], org["community"]) == ("2019-03-15", "2023-04-10", "民安社区")

    events = await outbox_events(db, filed["org_id"])
    assert [k for k, _ in events] == [
        "registry.org_filed.v1",
        "registry.org_graduated.v1",
        "registry.org_registered.v1",
    ]
    assert events[2][1]["graduated_from_filing"] is True
    assert events[1][1]["org"]["version"] == events[2][1]["org"]["version"] == 2
    profile = (await client.get(f"/orgs/{filed['org_id']}", headers=ADMIN)).json()
    assert [h["kind"] for h in profile["history"]] == ["OrgFiled", "OrgGraduated"]
    assert profile["history"][1]["detail"]["from_type"] == "community_org"

    again = await client.post(
        f"/orgs/{filed['org_id']}/graduation",
        json={"org_type": "social_association", "credit_code": new_code("51"), "registered_on": "2023-04-10"},
        headers=ADMIN,
    )
    assert again.status_code == 409


async def test_status_changes_bump_the_version_and_illegal_ones_are_conflicts(client, db):
    org_id = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    suspended = await client.post(f"/orgs/{org_id}/suspend", json={"reason": "年检不合格"}, headers=ADMIN)
    assert suspended.json()["status"] == "suspended" and suspended.json()["version"] == 2
    assert (await client.post(f"/orgs/{org_id}/suspend", json={"reason": "again"}, headers=ADMIN)).status_code == 409
    reinstated = await client.post(f"/orgs/{org_id}/reinstate", json={"reason": "整改完成"}, headers=ADMIN)
    assert reinstated.json()["status"] == "registered" and reinstated.json()["version"] == 3
    gone = await client.post(
        f"/orgs/{org_id}/deregister", json={"reason": "自行解散", "effective_on": "2024-12-31"}, headers=ADMIN
    )
    assert gone.json()["status"] == "deregistered" and gone.json()["deregistered_on"] == "2024-12-31"
    assert (await client.post(f"/orgs/{org_id}/reinstate", json={"reason": "x"}, headers=ADMIN)).status_code == 409
    changes = [p for k, p in await outbox_events(db, org_id) if k == "registry.org_status_changed.v1"]
    assert [(p["old_status"], p["new_status"], p["reason"], p["org"]["version"]) for p in changes] == [
        ("registered", "suspended", "年检不合格", 2),
        ("suspended", "registered", "整改完成", 3),
        ("registered", "deregistered", "自行解散", 4),
    ]


async def test_profile_update_emits_the_full_snapshot_with_changed_fields(client, db):
    org_id = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    response = await client.patch(
        f"/orgs/{org_id}",
        json={
            "contact": {"name": "李华", "email": "lihua@example.org", "webhook_url": "https://hooks.example.org/x"},
            "domains": ["elder_care", "mental_health"],
            "is_support_org": True,
        },
        headers=ADMIN,
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    (_, event), *_ = [e for e in await outbox_events(db, org_id) if e[0] == "registry.org_profile_updated.v1"]
    assert event["changed_fields"] == ["contact", "domains", "is_support_org"]
    assert event["org"]["contact"]["webhook_url"] == "https://hooks.example.org/x"
    assert event["org"]["name"] == registration()["name"] and event["org"]["credit_code"]


async def test_a_pilot_code_failing_the_checksum_needs_an_audited_admin_override(client, db):
    pilot = "52110101MJ0123456X"
    refused = await client.post("/orgs", json=registration(credit_code=pilot), headers=ADMIN)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "credit_code"]
    officer = token("street_officer", sub="bob", street="110101006")
    override = {"reason": "2016年试点期赋码，民政局来函确认合法"}
    forbidden = await client.post(
        "/orgs", json=registration(credit_code=pilot, checksum_override=override), headers=officer
    )
    assert forbidden.status_code == 403
    accepted = await client.post(
        "/orgs", json=registration(credit_code=pilot, checksum_override=override), headers=ADMIN
    )
    assert accepted.status_code == 201, accepted.text
    audit = await db.fetchrow("SELECT * FROM credit_code_overrides WHERE credit_code = $1", pilot)
    assert (audit["approved_by"], audit["reason"]) == ("alice", override["reason"])
    assert "校验码" in audit["failure"] and audit["recorded_at"] is not None
    wrong_category = await client.post(
        "/orgs",
        json=registration(org_type="foundation", credit_code="52110101MJ0123457X", checksum_override=override),
        headers=ADMIN,
    )
    assert wrong_category.status_code == 422
    assert wrong_category.json()["detail"][0]["loc"] == ["body", "credit_code"]


async def test_search_filters_by_type_status_street_domain_and_text_with_pagination(client):
    for i in range(3):
        await client.post("/orgs", json=registration(name=f"东四为老服务社{i}"), headers=ADMIN)
    await client.post(
        "/orgs",
        json=registration(
            name="天坛青少年足球协会",
            org_type="social_association",
            credit_code=new_code("51"),
            street_code="110101016",
            domains=["youth", "culture_sports"],
        ),
        headers=ADMIN,
    )
    await client.post("/filings", json=filing(), headers=ADMIN)

    async def search(**params) -> dict:
        response = await client.get("/orgs", params=params, headers=ADMIN)
        assert response.status_code == 200, response.text
        return response.json()

    assert (await search(type="social_association"))["total"] == 1
    assert (await search(status="filed"))["items"][0]["name"] == "北新桥邻里互助队"
    assert (await search(street="110101006"))["total"] == 3
    assert (await search(domain="youth"))["items"][0]["street_code"] == "110101016"
    assert (await search(q="足球"))["total"] == 1
    page = await search(q="东四为老", page=2, page_size=2)
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)


async def test_a_community_org_filed_with_a_registered_sponsor_keeps_the_link(client):
    sponsor = (await client.post("/orgs", json=registration(street_code="110101005"), headers=ADMIN)).json()
    officer = token("street_officer", sub="dan", street="110101005")
    filed = await client.post("/filings", json=filing(sponsor_org_id=sponsor["org_id"]), headers=officer)
    assert filed.status_code == 201, filed.text
    assert filed.json()["sponsor_org_id"] == sponsor["org_id"]
    assert filed.json()["identifier"] == f"sogc-registry:{filed.json()['org_id']}"
    graduated = await client.post(
        f"/orgs/{filed.json()['org_id']}/graduation",
        json={"org_type": "private_non_enterprise", "credit_code": new_code("52"), "registered_on": "2024-01-02"},
        headers=officer,
    )
    assert graduated.status_code == 200 and graduated.json()["sponsor_org_id"] == sponsor["org_id"]
