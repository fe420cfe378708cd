"""A real district message → accepted → through all ten steps → evaluated, events on the broker."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from testkit import TEST_VHOST, EventTap, token

DISTRICT_URL = "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/" + TEST_VHOST
ADMIN = token("district_admin", sub="alice")


def demand_message(ref: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(uuid4()),
        "occurred_at": "2026-09-01T09:30:00+08:00",
        "source_system": "district-demo",
        "demand_ref": ref,
        "purchaser": {"code": "11010100MZJ", "name": "东城区民政局", "kind": "district_department"},
        "street_code": "110101006",
        "title": "东四街道居家养老助餐服务",
        "description": "为辖区高龄独居老人提供助餐、探访服务",
        "domain": "elder_care",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": "2027-06-30",
    }
    body.update(overrides)
    return body


async def drive_to_evaluation(client, kit, db) -> tuple[str, dict[str, Any], EventTap]:  # type: ignore[no-untyped-def]
    """Publish a demand as the district system and run the project through every step."""
    ref = f"MZJ-{uuid4().hex[:8]}"
    org = await kit.registered_org(db)
    org_h = token("org", sub="org-user", org_id=org.org_id)
    reviewer, monitor = token("reviewer", sub="rev-1"), token("monitor", sub="mon-1")
    async with EventTap("procurement.#") as tap:
        await kit.publish_raw(
            json.dumps(demand_message(ref)).encode(), "district.demand_published.v1", url=DISTRICT_URL
        )
        accepted = await kit.wait_mine(tap, "procurement.demand_accepted.v1", demand_ref=ref)
        demand_id = accepted[0]["demand_id"]

        async def post(path: str, body: Any = None, headers: Any = ADMIN, when: str = "2026-09-01") -> Any:
            await kit.on_day(client, when)
            r = await client.post(path, json=body or {}, headers=headers)
            assert r.status_code in (200, 201), (path, r.status_code, r.text)
            return r.json()

        project = await post("/projects", {"demand_ids": [demand_id]})
        pid = project["id"]
        base = f"/projects/{pid}"
        await post(f"{base}/solicitation", {"closes_on": "2026-09-15"})
        proposal = await post(
            f"{base}/proposals",
            {"title": "银龄餐桌", "plan": "每日午餐配送", "budget_cny": "180000.00"},
            org_h,
            "2026-09-07",
        )
        await post(f"{base}/solicitation/close", when="2026-09-16")
        await post(f"{base}/proposals/{proposal['id']}/screening", {"valid": True}, when="2026-09-16")
        await post(f"{base}/review", when="2026-09-17")
        await post(f"{base}/reviewers", {"reviewer": "rev-1"}, when="2026-09-17")
        await post(f"{base}/conflicts", {"org_ids": []}, reviewer, "2026-09-18")
        criteria = {"need_fit": "90", "plan_quality": "85", "capacity": "80", "budget_value": "88"}
        await post(f"{base}/proposals/{proposal['id']}/scores", {"criteria": criteria}, reviewer, "2026-09-18")
        approved = await post(f"{base}/approval", when="2026-09-29")
        # Five working days from 09-29 across National Day (10-01..07 off, Saturday 10-10 a make-up workday).
        assert approved["announcement"]["ends_on"] == "2026-10-12"
        await post(f"{base}/announcement/close", when="2026-10-13")
        await post(f"{base}/optimisation", {"changes": "按评审意见增加探访频次"}, when="2026-10-13")
        await post(f"{base}/contract", {"starts_on": "2026-11-01", "ends_on": "2027-10-31"}, when="2026-10-14")
        await post(f"{base}/monitors", {"monitor": "mon-1"}, when="2026-10-14")
        await post(f"{base}/reports", {"milestone": "中期", "summary": "按计划执行"}, monitor, "2027-04-01")
        await post(f"{base}/payments", {"amount_cny": "90000.00", "paid_on": "2027-04-10"}, when="2027-04-10")
        done = await post(
            f"{base}/evaluation",
            {"grade": "excellent", "score": "92", "beneficiary_person_times": 26911, "summary": "成效显著"},
            monitor,
            "2027-11-15",
        )
        assert done["stage"] == "evaluated"
        await kit.wait_mine(tap, "procurement.project_evaluated.v1", project_id=pid)
    return pid, project, tap


async def test_district_demand_runs_through_all_ten_steps_with_events_on_the_broker(client, kit, db):
    pid, _, tap = await drive_to_evaluation(client, kit, db)
    mine = {m.routing_key for m in tap.messages if json.loads(m.body).get("project_id") == pid}
    assert mine >= {
        "procurement.project_created.v1",
        "procurement.solicitation_opened.v1",
        "procurement.proposal_submitted.v1",
        "procurement.proposal_screened.v1",
        "procurement.review_started.v1",
        "procurement.reviewer_assigned.v1",
        "procurement.project_approved.v1",
        "procurement.announcement_started.v1",
        "procurement.announcement_closed.v1",
        "procurement.project_optimised.v1",
        "procurement.project_signed.v1",
        "procurement.monitor_assigned.v1",
        "procurement.monitoring_reported.v1",
        "procurement.payment_recorded.v1",
        "procurement.project_evaluated.v1",
    }
    signed = next(json.loads(m.body) for m in tap.messages if m.routing_key == "procurement.project_signed.v1")
    assert signed["amount_cny"] == "180000.00" and signed["term_months"] == 12
    public = (await client.get("/public/contracts")).json()
    assert any(c["project_id"] == pid for c in public)


async def test_statistics_count_the_evaluated_project(client, kit, db):
    await drive_to_evaluation(client, kit, db)
    by_domain = (await client.get("/statistics", params={"by": "domain"})).json()
    elder = next(r for r in by_domain["rows"] if r["key"] == "elder_care")
    assert elder == {
        "key": "elder_care",
        "projects": 1,
        "undertaking_orgs": 1,
        "contract_value_cny": "180000.00",
        "beneficiary_person_times": 26911,
    }
    by_year = (await client.get("/statistics", params={"by": "year"})).json()
    assert by_year["rows"][0]["key"] == "2026"


async def test_ocds_export_is_valid_against_the_record_and_release_package_schemas(client, kit, db):
    pid, _, _ = await drive_to_evaluation(client, kit, db)
    record_package = (await client.get("/ocds/records", headers=ADMIN)).json()
    release_package = (await client.get("/ocds/releases", headers=ADMIN)).json()
    for validator, doc in (
        (kit.ocds_validator("record-package-schema.json"), record_package),
        (kit.ocds_validator("release-package-schema.json"), release_package),
    ):
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]
    record = next(r for r in record_package["records"] if r["ocid"].endswith(pid))
    assert record["ocid"].startswith("ocds-sogc01-")
    tags = [t for rel in record["releases"] for t in rel["tag"]]
    assert tags[0] == "planning" and "award" in tags and "contract" in tags and tags[-1] == "contractTermination"
    assert record["compiledRelease"]["contracts"][0]["status"] == "terminated"
    broken = {**release_package, "releases": [{**release_package["releases"][0], "tag": ["no-such-tag"]}]}
    assert list(kit.ocds_validator("release-package-schema.json").iter_errors(broken))  # the schemas do bite


async def test_the_official_validator_finds_no_error_and_no_undeclared_field_in_the_export(client, kit, db, cove):
    """libcoveocds against OCDS 1.1.5, offline: every extension the releases use is declared."""
    await drive_to_evaluation(client, kit, db)
    await kit.drive(client, db, until="announcement")  # two orgs' bids, one of them awarded
    for path in ("/ocds/records", "/ocds/releases"):
        package = (await client.get(path, headers=ADMIN)).json()
        assert package["publicationPolicy"] == kit.policy_url  # configuration, not a placeholder
        context = cove(package)
        assert context["validation_errors"] == [], (path, context["validation_errors"][:5])
        assert context["additional_fields"] == [], (path, context["additional_fields"])
        assert not context.get("additional_closed_codelist_values"), context["additional_closed_codelist_values"]
        assert not context.get("additional_checks"), context["additional_checks"]
        extensions = context["extensions"]
        assert not extensions["invalid_extension"] and extensions["is_extended_schema"]
        assert [e["url"] for e in extensions["extensions"]] == package["extensions"]
        # The validator bites: the same package without its extension has bids as undeclared fields.
        undeclared = cove({k: v for k, v in package.items() if k != "extensions"})["additional_fields"]
        assert {f["field"] for f in undeclared} == {"bids"}
