"""Roles on every route: 401 without a token, 403 for the wrong role or another street, org scope."""

from __future__ import annotations

import uuid

import pytest

from testkit import token

from .helpers import filing, registration

ADMIN = token("district_admin", sub="alice")
DONGSI = token("street_officer", sub="bob", street="110101006")  # 东四街道
TIANTAN = token("street_officer", sub="carol", street="110101016")  # 天坛街道
REVIEWER = token("reviewer", sub="rita")
MONITOR = token("monitor", sub="mona")
OPEN = {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def routes(app):
    """Every documented route and method, with placeholder path parameters."""
    for path, operations in app.openapi()["paths"].items():
        if path in OPEN or path.startswith("/public/"):  # public by design: a certificate's check by code
            continue
        concrete = (
            path.replace("{org_id}", str(uuid.uuid4()))
            .replace("{branch_id}", str(uuid.uuid4()))
            .replace("{credit_code}", "52110101MJ0123456W")
        )
        for method in operations:
            yield method.upper(), concrete


async def test_every_route_but_health_ready_and_metrics_answers_401_without_a_token(client):
    app = client._transport.app  # the ASGI app under test
    checked = 0
    for method, path in routes(app):
        response = await client.request(method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        checked += 1
    assert checked >= 20
    for path in ("/health", "/ready", "/metrics"):
        assert (await client.get(path)).status_code == 200


async def test_a_bad_token_is_401_even_where_it_would_otherwise_be_allowed(client):
    response = await client.get("/orgs", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401


@pytest.mark.parametrize("who", [REVIEWER, MONITOR, token("org", sub="o", org_id=uuid.uuid4())])
async def test_read_only_roles_cannot_register_file_or_change_orgs(client, who):
    org_id = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    assert (await client.post("/orgs", json=registration(), headers=who)).status_code == 403
    assert (await client.post("/filings", json=filing(), headers=who)).status_code == 403
    assert (await client.post(f"/orgs/{org_id}/suspend", json={"reason": "x"}, headers=who)).status_code == 403
    assert (await client.patch(f"/orgs/{org_id}", json={"name": "改名"}, headers=who)).status_code == 403
    assert (
        await client.post("/platforms/community", json={"street_code": "110101006", "name": "x"}, headers=who)
    ).status_code == 403
    assert (
        await client.post("/party-branches", json={"name": "x", "formed_on": "2020-01-01"}, headers=who)
    ).status_code == 403
    assert (await client.post("/imports", files={"file": ("r.csv", b"a,b\n")}, headers=who)).status_code == 403


async def test_reviewers_and_monitors_read_everything(client):
    org_id = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    for who in (REVIEWER, MONITOR, TIANTAN):
        assert (await client.get(f"/orgs/{org_id}", headers=who)).status_code == 200
        assert (await client.get("/orgs", headers=who)).status_code == 200
        assert (await client.get("/statistics/by-status", headers=who)).status_code == 200


async def test_street_officer_registers_and_changes_only_orgs_of_its_own_street(client, db):
    own = await client.post("/orgs", json=registration(street_code="110101006"), headers=DONGSI)
    assert own.status_code == 201, own.text
    other = await client.post("/orgs", json=registration(street_code="110101016"), headers=DONGSI)
    assert other.status_code == 403
    district_level = await client.post("/orgs", json=registration(street_code=None), headers=DONGSI)
    assert district_level.status_code == 403
    assert (await client.post("/filings", json=filing(street_code="110101016"), headers=DONGSI)).status_code == 403

    tiantan_org = (await client.post("/orgs", json=registration(street_code="110101016"), headers=ADMIN)).json()
    oid = tiantan_org["org_id"]
    assert (await client.post(f"/orgs/{oid}/suspend", json={"reason": "x"}, headers=DONGSI)).status_code == 403
    assert (await client.patch(f"/orgs/{oid}", json={"name": "改名"}, headers=DONGSI)).status_code == 403
    assert (await client.put(f"/orgs/{oid}/contact", json={"name": "x"}, headers=DONGSI)).status_code == 403
    assert (await client.post(f"/orgs/{oid}/deregister", json={"reason": "x"}, headers=DONGSI)).status_code == 403
    unchanged = await db.fetchrow("SELECT version, status, name FROM orgs WHERE org_id = $1", uuid.UUID(oid))
    assert (unchanged["version"], unchanged["status"]) == (1, "registered")
    assert (await client.post(f"/orgs/{oid}/suspend", json={"reason": "x"}, headers=TIANTAN)).status_code == 200
    assert (
        await client.post(
            "/platforms/community", json={"street_code": "110101016", "name": "天坛东里社区平台"}, headers=DONGSI
        )
    ).status_code == 403


async def test_an_org_reads_and_updates_only_its_own_contact(client):
    mine = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    theirs = (await client.post("/orgs", json=registration(), headers=ADMIN)).json()["org_id"]
    me = token("org", sub="org-user", org_id=mine)
    assert (await client.get(f"/orgs/{mine}", headers=me)).status_code == 200
    assert (await client.get(f"/orgs/{theirs}", headers=me)).status_code == 403
    assert (await client.get("/orgs", headers=me)).status_code == 403
    updated = await client.put(f"/orgs/{mine}/contact", json={"email": "new@example.org"}, headers=me)
    assert updated.status_code == 200 and updated.json()["contact"]["email"] == "new@example.org"
    assert (await client.put(f"/orgs/{theirs}/contact", json={"email": "x@example.org"}, headers=me)).status_code == 403
    assert (await client.patch(f"/orgs/{mine}", json={"name": "我改名"}, headers=me)).status_code == 403


CONTACT = {"name": "王敏", "email": "wangmin@example.org", "phone": "010-64001234"}


async def _reads_of_one_org(client, who, org):
    """Every read that carries this org for `who`: search, search by text, by code, profile."""
    by_text = await client.get("/orgs", params={"q": org["name"]}, headers=who)
    listed = await client.get("/orgs", params={"street": org["street_code"]}, headers=who)
    by_code = await client.get(f"/orgs/by-code/{org['credit_code']}", headers=who)
    profile = await client.get(f"/orgs/{org['org_id']}", headers=who)
    found = [r for page in (by_text, listed) for r in page.json()["items"] if r["org_id"] == org["org_id"]]
    assert len(found) == 2 and by_code.status_code == 200 and profile.status_code == 200
    return [*found, by_code.json(), profile.json()["org"]]


@pytest.mark.parametrize(
    ("who", "sees"),
    [(ADMIN, True), (DONGSI, True), (TIANTAN, False), (REVIEWER, False), (MONITOR, False)],
    ids=["district_admin", "own_street_officer", "other_street_officer", "reviewer", "monitor"],
)
async def test_only_admins_and_the_orgs_street_officer_see_its_contact_in_every_read(client, who, sees):
    org = (await client.post("/orgs", json=registration(contact=CONTACT), headers=ADMIN)).json()
    for seen in await _reads_of_one_org(client, who, org):
        assert seen["name"] == org["name"]  # the register itself stays readable to every staff role
        assert seen["contact"] == ({**CONTACT, "webhook_url": None} if sees else None)
    if not sees:
        everything = (await client.get("/orgs", params={"page_size": 500}, headers=who)).text
        assert CONTACT["email"] not in everything and CONTACT["phone"] not in everything


async def test_an_org_sees_its_own_contact_and_its_writes_answer_with_it(client):
    org = (await client.post("/orgs", json=registration(contact=CONTACT), headers=ADMIN)).json()
    me = token("org", sub="org-user", org_id=org["org_id"])
    assert (await client.get(f"/orgs/{org['org_id']}", headers=me)).json()["org"]["contact"]["email"] == CONTACT[
        "email"
    ]
    changed = await client.put(f"/orgs/{org['org_id']}/contact", json={"phone": "010-64009999"}, headers=me)
    assert changed.json()["contact"]["phone"] == "010-64009999"


async def test_a_street_officer_does_not_see_contacts_of_district_level_orgs(client):
    org = (await client.post("/orgs", json=registration(street_code=None, contact=CONTACT), headers=ADMIN)).json()
    (found,) = (await client.get("/orgs", params={"q": org["name"]}, headers=DONGSI)).json()["items"]
    assert found["org_id"] == org["org_id"] and found["contact"] is None
