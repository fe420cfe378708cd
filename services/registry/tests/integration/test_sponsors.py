"""A filed community group's sponsor (支持单位): recorded at filing, by a roster that names it, or
attached by staff — never chosen by whoever applies in the group's name (venture trusts this record)."""

from __future__ import annotations

import csv
import io
import json

from testkit import token

from .helpers import filing, new_code, registration

ADMIN = token("district_admin", sub="alice")
OFFICER = token("street_officer", sub="dan", street="110101005")  # the group's street (北新桥)


async def _registered(client, **over) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post("/orgs", json=registration(**over), headers=ADMIN)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _group(client) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post("/filings", json=filing(), headers=ADMIN)
    assert r.status_code == 201, r.text
    assert r.json()["sponsor_org_id"] is None
    return dict(r.json())


async def test_staff_attach_a_sponsor_and_its_snapshot_tells_the_other_services(client, db):
    sponsor, group = await _registered(client), await _group(client)
    r = await client.put(
        f"/orgs/{group['org_id']}/sponsor", json={"sponsor_org_id": sponsor["org_id"]}, headers=OFFICER
    )
    assert r.status_code == 200, r.text
    assert r.json()["sponsor_org_id"] == sponsor["org_id"] and r.json()["version"] == group["version"] + 1
    row = await db.fetchrow(
        "SELECT payload FROM outbox WHERE routing_key = 'registry.org_profile_updated.v1' ORDER BY id DESC LIMIT 1"
    )
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    assert payload["changed_fields"] == ["sponsor_org_id"]
    assert payload["org"]["org_id"] == group["org_id"] and payload["org"]["sponsor_org_id"] == sponsor["org_id"]
    again = await client.put(
        f"/orgs/{group['org_id']}/sponsor", json={"sponsor_org_id": sponsor["org_id"]}, headers=ADMIN
    )
    assert again.status_code == 200 and again.json()["version"] == r.json()["version"]  # nothing new, no event


async def test_only_staff_of_the_groups_street_may_attach_a_sponsor(client):
    sponsor, group = await _registered(client), await _group(client)
    body = {"sponsor_org_id": sponsor["org_id"]}
    path = f"/orgs/{group['org_id']}/sponsor"
    assert (await client.put(path, json=body)).status_code == 401
    for who in (
        token("street_officer", sub="x", street="110101006"),  # another street
        token("org", sub="o", org_id=sponsor["org_id"]),  # an org cannot make itself the sponsor
        token("reviewer", sub="r"),
        token("monitor", sub="m"),
    ):
        r = await client.put(path, json=body, headers=who)
        assert r.status_code == 403, (who, r.text)
    listed = (await client.get(f"/orgs/{group['org_id']}", headers=ADMIN)).json()
    assert listed["org"]["sponsor_org_id"] is None


async def test_a_sponsor_must_be_a_registered_org_in_good_standing_and_only_groups_have_one(client):
    group, other_group = await _group(client), await _group(client)
    registered = await _registered(client)
    path = f"/orgs/{group['org_id']}/sponsor"
    for sponsor_id in (other_group["org_id"], group["org_id"], "00000000-0000-4000-8000-000000000001"):
        r = await client.put(path, json={"sponsor_org_id": sponsor_id}, headers=ADMIN)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "sponsor_org_id"], r.text
        assert "支持单位" in r.json()["detail"][0]["msg"]
    suspended = await _registered(client)
    await client.post(f"/orgs/{suspended['org_id']}/suspend", json={"reason": "年检未通过"}, headers=ADMIN)
    r = await client.put(path, json={"sponsor_org_id": suspended["org_id"]}, headers=ADMIN)
    assert r.status_code == 422
    r = await client.put(
        f"/orgs/{registered['org_id']}/sponsor", json={"sponsor_org_id": group["org_id"]}, headers=ADMIN
    )
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"


def _roster(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["名称", "类型", "统一社会信用代码", "登记日期", "备案日期", "街道", "社区", "支持单位统一社会信用代码"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def test_a_roster_that_names_a_groups_sponsor_records_it(client, db):
    before = await _registered(client)
    in_file = new_code("52")
    roster = _roster(
        [
            ["东四社工事务所", "民非", in_file, "2010-01-01", "", "东四", "", ""],
            ["北新桥合唱团", "社区社会组织", "", "", "2019-03-01", "北新桥", "民安社区", before["credit_code"]],
            ["东四秧歌队", "社区社会组织", "", "", "2019-03-01", "东四", "东四社区", in_file],
            ["未登记支持单位", "社区社会组织", "", "", "2019-03-01", "东四", "东四社区", new_code("52")],
            ["社区组织当支持单位", "社区社会组织", "", "", "2019-03-01", "东四", "东四社区", ""],
            ["乱填支持单位", "民非", new_code("52"), "2011-01-01", "", "东四", "", before["credit_code"]],
        ]
    )
    r = await client.post("/imports", files={"file": ("roster.csv", roster, "text/csv")}, headers=ADMIN)
    assert r.status_code == 200, r.text
    report = r.json()
    assert [(e["row"], e["field"]) for e in report["rejected"]] == [
        (5, "sponsor_credit_code"),
        (7, "sponsor_credit_code"),
    ]
    assert report["imported"] == 4
    sponsors = {
        row["name"]: row["sponsor"]
        for row in await db.fetch(
            """SELECT g.name, s.credit_code AS sponsor FROM orgs g LEFT JOIN orgs s ON s.org_id = g.sponsor_org_id
               WHERE g.org_type = 'community_org'"""
        )
    }
    assert sponsors == {"北新桥合唱团": before["credit_code"], "东四秧歌队": in_file, "社区组织当支持单位": None}
    filed = await db.fetchval(
        "SELECT payload->'org'->>'sponsor_org_id' FROM outbox WHERE payload->'org'->>'name' = '北新桥合唱团'"
    )
    assert filed == before["org_id"]  # OrgFiled carries the sponsor to venture
