"""The article's figures (230+ projects, 80+ undertaking orgs, >20 M CNY, 269,116 person-times)
are reproducible from loaded data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from shared.reference import STREETS, street_office_code, street_office_name
from testkit import token

ADMIN = token("district_admin", sub="alice")
DOMAINS = ["elder_care", "community_governance", "dispute_mediation", "culture_sports", "youth", "disability"]


def article_records() -> list[dict]:  # type: ignore[type-arg]
    orgs = [(str(uuid4()), f"承接组织{i:02d}") for i in range(80)]
    streets = list(STREETS)
    records = []
    # 230 contracts of 87,600.00 CNY plus one of 2,000.00: 20,150,000.00 in all.
    persons_each, persons_rest = divmod(269_116, 230)
    for i in range(230):
        org_id, org_name = orgs[i % 80]
        signed = date(2014 + i % 10, 3, 1) + timedelta(days=i % 28)
        street = streets[i % 17] if i % 3 else None
        records.append(
            {
                "source_ref": f"HIST-{i:03d}",
                "title": f"历史项目{i:03d}",
                "purchaser": {
                    "code": "11010100MZJ" if street is None else street_office_code(street),
                    "name": "东城区民政局" if street is None else street_office_name(street),
                    "kind": "district_department" if street is None else "street_office",
                },
                "street_code": street,
                "domain": DOMAINS[i % len(DOMAINS)],
                "org_id": org_id,
                "org_name": org_name,
                "amount_cny": "87600.00" if i else "2000.00",
                "signed_on": signed.isoformat(),
                "starts_on": signed.isoformat(),
                "ends_on": (signed + timedelta(days=360)).isoformat(),
                "grade": "good",
                "beneficiary_person_times": persons_each + (persons_rest if i == 0 else 0),
            }
        )
    records[0]["amount_cny"] = str(Decimal("20150000.00") - Decimal("87600.00") * 229)
    return records


async def test_article_totals_are_reproduced_and_reloading_is_idempotent(client, kit):
    records = article_records()
    for _ in range(2):
        loaded = await client.post("/projects/historical", json={"projects": records}, headers=ADMIN)
        assert loaded.status_code == 200, loaded.text
        assert loaded.json()["loaded"] == 230
    total = (await client.get("/statistics")).json()["total"]
    assert total == {
        "key": None,
        "projects": 230,
        "undertaking_orgs": 80,
        "contract_value_cny": "20150000.00",
        "beneficiary_person_times": 269116,
    }
    by_street = (await client.get("/statistics", params={"by": "street"})).json()["rows"]
    assert sum(r["projects"] for r in by_street) == 230 and {r["key"] for r in by_street} >= {"district", "110101001"}
    by_year = (await client.get("/statistics", params={"by": "year"})).json()["rows"]
    assert [r["key"] for r in by_year] == [str(y) for y in range(2014, 2024)]
    by_purchaser = (await client.get("/statistics", params={"by": "purchaser"})).json()["rows"]
    assert sum(Decimal(r["contract_value_cny"]) for r in by_purchaser) == Decimal("20150000.00")
    records_doc = (await client.get("/ocds/records", headers=ADMIN)).json()
    assert len(records_doc["records"]) == 230
    assert not list(kit.ocds_validator("record-package-schema.json").iter_errors(records_doc))


async def test_only_admins_load_history_and_bad_rows_name_their_field(client):
    records = article_records()[:2]
    officer = token("street_officer", street="110101001")
    assert (await client.post("/projects/historical", json={"projects": records}, headers=officer)).status_code == 403
    assert (await client.post("/projects/historical", json={"projects": records})).status_code == 401
    records[1]["ends_on"] = "2000-01-01"
    bad = await client.post("/projects/historical", json={"projects": records}, headers=ADMIN)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "projects", "1", "ends_on"]
    assert (await client.get("/statistics")).json()["total"]["projects"] == 0


async def test_history_loads_may_exceed_the_kits_1_mb_body_limit_other_routes_may_not(client):
    # 2,000 records is what the route takes; with long titles that is more than 1 MB of JSON.
    records = [{**r, "title": "东城区社区居家养老服务" * 15} for r in article_records()] * 9
    body = {"projects": records[:2001]}  # one over the route's maximum: validated, so refused with a 422
    over_count = await client.post("/projects/historical", json=body, headers=ADMIN)
    assert len(over_count.request.content) > 1024 * 1024
    assert over_count.status_code == 422 and over_count.json()["detail"][0]["loc"] == ["body", "projects"]
    demand = await client.post("/demands", json={"description": "x" * (1024 * 1024)}, headers=ADMIN)
    assert demand.status_code == 413 and "1 MB" in demand.json()["detail"]


async def test_every_signed_contract_is_reachable_page_by_page_with_the_total(client):
    """230 contracts, more than the 200 the lists used to stop at: pages of 100 reach all of them."""
    records = article_records()
    assert (await client.post("/projects/historical", json={"projects": records}, headers=ADMIN)).status_code == 200
    for path, headers in (("/public/contracts", {}), ("/projects", ADMIN)):
        seen: list[str] = []
        url: str | None = f"{path}?page=1&page_size=100"
        while url is not None:
            page = await client.get(url, headers=headers)
            assert page.status_code == 200, page.text
            assert page.headers["X-Total-Count"] == "230"
            seen += [p["id"] if "id" in p else p["project_id"] for p in page.json()]
            url = page.links.get("next", {}).get("url")
        assert len(seen) == len(set(seen)) == 230, path
    last = await client.get("/public/contracts", params={"page": 3, "page_size": 100})
    assert (
        len(last.json()) == 30
        and "next" not in last.links
        and last.links["prev"]["url"].endswith("page=2&page_size=100")
    )
    beyond = await client.get("/public/contracts", params={"page": 9})
    assert beyond.json() == [] and beyond.headers["X-Total-Count"] == "230"
    for bad in ({"page": 0}, {"page_size": 501}, {"page_size": 0}, {"page": "x"}):
        refused = await client.get("/public/contracts", params=bad)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] in bad


async def test_a_date_postgresql_would_keep_as_infinity_is_refused_naming_the_field(client):
    """9999-12-31 is `date.max`, which the database driver stores as `infinity` (and 0001-01-01 as
    `-infinity`): accepted, it made every later `GET /statistics?by=year` a 500."""
    for when in ("9999-12-31", "0001-01-01"):
        records = article_records()[:1]
        records[0].update(signed_on=when, starts_on=when, ends_on=when)
        refused = await client.post("/projects/historical", json={"projects": records}, headers=ADMIN)
        assert refused.status_code == 422, refused.text
        fields = {tuple(e["loc"][-1:]) for e in refused.json()["detail"]}
        assert ("signed_on",) in fields and "日期" in refused.json()["detail"][0]["msg"]
    assert (await client.get("/statistics", params={"by": "year"})).status_code == 200
    assert (await client.get("/statistics")).json()["total"]["projects"] == 0
