"""District systems publish demands as real messages; every one is answered, bad ones kept raw."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest

from testkit import TEST_VHOST, EventTap, eventually, token

DISTRICT_URL = "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/" + TEST_VHOST
KEY = "district.demand_published.v1"
ADMIN = token("district_admin", sub="alice")


def good(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(uuid4()),
        "occurred_at": "2026-03-02T09:30:00+08:00",
        "source_system": "district-demo",
        "demand_ref": f"TYJ-{uuid4().hex[:10]}",
        "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"},
        "street_code": "110101006",
        "title": "社区健身指导",
        "description": "为居民提供健身指导",
        "domain": "culture_sports",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": "2026-06-30",
    }
    body.update(overrides)
    return body


def without(key: str) -> dict[str, Any]:
    body = good()
    del body[key]
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


# (name, raw body, the field the answer must name)
CORPUS: list[tuple[str, bytes, str]] = [
    ("malformed-json", b'{"source_system": "x", ', "(body)"),
    ("json-array", b"[1, 2, 3]", "(body)"),
    ("not-utf8", b"\xff\xfe\x00garbage", "(body)"),
    ("missing-source-system", encode(without("source_system")), "source_system"),
    ("bad-source-system", encode(good(source_system="sports bureau!")), "source_system"),
    ("missing-demand-ref", encode(without("demand_ref")), "demand_ref"),
    ("demand-ref-too-long", encode(good(demand_ref="R" * 101)), "demand_ref"),
    ("missing-purchaser", encode(without("purchaser")), "purchaser"),
    ("purchaser-not-object", encode(good(purchaser="东城区体育局")), "purchaser"),
    (
        "purchaser-wrong-kind",
        encode(good(purchaser={"code": "X", "name": "某公司", "kind": "company"})),
        "purchaser.kind",
    ),
    (
        "purchaser-empty-code",
        encode(good(purchaser={"code": "", "name": "体育局", "kind": "district_department"})),
        "purchaser.code",
    ),
    (
        "purchaser-name-too-long",
        encode(good(purchaser={"code": "X", "name": "局" * 101, "kind": "district_department"})),
        "purchaser.name",
    ),
    ("unknown-street-code", encode(good(street_code="110101099")), "street_code"),
    (
        "street-office-under-another-bodys-code",
        encode(good(purchaser={"code": "11010100TYJ", "name": "东城区体育局", "kind": "street_office"})),
        "purchaser.code",
    ),
    (
        "department-under-a-street-offices-code",
        encode(good(purchaser={"code": "110101006JDB", "name": "东四街道办事处", "kind": "district_department"})),
        "purchaser.kind",
    ),
    (
        "street-office-without-street",
        encode(
            good(
                street_code=None, purchaser={"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"}
            )
        ),
        "street_code",
    ),
    ("missing-title", encode(without("title")), "title"),
    ("title-too-long", encode(good(title="题" * 201)), "title"),
    ("description-too-long", encode(good(description="述" * 5001)), "description"),
    ("unknown-domain", encode(good(domain="space_travel")), "domain"),
    ("negative-budget", encode(good(budget_cny="-5.00")), "budget_cny"),
    ("zero-budget", encode(good(budget_cny="0.00")), "budget_cny"),
    ("float-budget", encode(good(budget_cny=200000.5)), "budget_cny"),
    ("non-decimal-budget", encode(good(budget_cny="二十万")), "budget_cny"),
    ("three-decimal-budget", encode(good(budget_cny="100.005")), "budget_cny"),
    ("padded-budget", encode(good(budget_cny=" 100.00")), "budget_cny"),
    ("negative-beneficiaries", encode(good(expected_beneficiaries=-1)), "expected_beneficiaries"),
    ("text-beneficiaries", encode(good(expected_beneficiaries="很多")), "expected_beneficiaries"),
    ("bad-wanted-by", encode(good(wanted_by="2026-13-45")), "wanted_by"),
    ("wanted-by-in-the-past", encode(good(wanted_by="2025-12-31")), "wanted_by"),
    ("bad-event-id", encode(good(event_id="not-a-uuid")), "event_id"),
    ("occurred-at-without-offset", encode(good(occurred_at="2026-03-02T09:30:00")), "occurred_at"),
]


async def test_corpus_of_bad_messages_is_answered_naming_the_field_and_kept_raw(client, kit, db):
    assert len({name for name, _, _ in CORPUS}) >= 20
    ids: dict[str, tuple[str, str]] = {}
    sent: dict[str, bytes] = {}
    refs: list[str] = []
    async with EventTap("procurement.demand_rejected.v1", "procurement.demand_accepted.v1") as tap:
        for name, body, field in CORPUS:
            message_id = str(uuid4())
            try:  # a body that carries an event_id is published under it, as a district system would
                parsed = json.loads(body)
                if isinstance(parsed, dict) and parsed.get("event_id") != "not-a-uuid":
                    parsed["event_id"] = message_id
                    body = json.dumps(parsed, ensure_ascii=False).encode()
                if isinstance(parsed, dict) and isinstance(parsed.get("demand_ref"), str):
                    refs.append(parsed["demand_ref"])
            except ValueError:
                pass
            await kit.publish_raw(body, KEY, message_id=message_id, url=DISTRICT_URL)
            ids[message_id] = (name, field)
            sent[message_id] = body

        async def answered() -> dict[str, dict[str, Any]]:
            found = {b["rejected_message_id"]: b for b in tap.bodies("procurement.demand_rejected.v1")}
            mine = {k: v for k, v in found.items() if k in ids}
            return mine if len(mine) == len(ids) else {}

        answers = await eventually(answered, timeout=30)
        wrong = {
            ids[mid][0]: answer["errors"]
            for mid, answer in answers.items()
            if ids[mid][1] not in [e["field"] for e in answer["errors"]]
        }
        assert not wrong, wrong
        assert all(e["message"] for a in answers.values() for e in a["errors"])
        named = answers[next(m for m, (n, _) in ids.items() if n == "unknown-domain")]
        assert named["source_system"] == "district-demo" and named["demand_ref"].startswith("TYJ-")

        # The consumer is unharmed: a good demand right after is accepted.
        ok = good()
        await kit.publish_raw(encode(ok), KEY, message_id=ok["event_id"], url=DISTRICT_URL)

        async def mine_accepted() -> list[dict[str, Any]]:
            return [a for a in tap.bodies("procurement.demand_accepted.v1") if a["demand_ref"] == ok["demand_ref"]]

        [answer] = await eventually(mine_accepted)
        # The answer names the purchaser, so subscribers can address it without the demand itself.
        assert answer["revised"] is False and answer["purchaser"] == ok["purchaser"]
        assert answer["street_code"] == ok.get("street_code")

    kept = await db.fetch(
        "SELECT message_id, body, errors FROM rejected_messages WHERE message_id = ANY($1)", list(ids)
    )
    assert len(kept) == len(CORPUS)
    raw = {r["message_id"]: bytes(r["body"]) for r in kept}
    assert b"\xff\xfe\x00garbage" in raw.values()
    rule_refused = next(m for m, (n, _) in ids.items() if n == "wanted-by-in-the-past")
    assert raw == sent  # every refused message kept byte for byte, also those refused by a rule after parsing
    assert rule_refused in raw
    listed = (await client.get("/demands/rejected", headers=ADMIN)).json()
    assert {r["message_id"] for r in listed} >= set(ids)
    assert any("body_base64" in r for r in listed)
    assert await db.fetchval("SELECT count(*) FROM demands WHERE demand_ref = ANY($1)", refs) == 0


async def test_same_demand_again_is_a_no_op_changed_revises_and_after_sorting_is_refused(client, kit, db):
    first = good()
    async with EventTap("procurement.demand_accepted.v1", "procurement.demand_rejected.v1") as tap:

        async def answer_to(body: dict[str, Any]) -> dict[str, Any]:
            await kit.publish_raw(encode(body), KEY, message_id=body["event_id"], url=DISTRICT_URL)

            async def found() -> list[dict[str, Any]]:
                return [
                    b
                    for b in tap.bodies()
                    if b.get("causation_id") == body["event_id"] or b.get("rejected_message_id") == body["event_id"]
                ]

            return (await eventually(found))[0]

        a1 = await answer_to(first)
        assert a1["revised"] is False
        same = {**first, "event_id": str(uuid4())}
        a2 = await answer_to(same)
        assert a2["demand_id"] == a1["demand_id"] and a2["revised"] is False
        changed = {**first, "event_id": str(uuid4()), "budget_cny": "250000.00"}
        a3 = await answer_to(changed)
        assert a3["demand_id"] == a1["demand_id"] and a3["revised"] is True
        row = await db.fetchrow("SELECT budget_cny, revision FROM demands WHERE id = $1::uuid", a1["demand_id"])
        assert str(row["budget_cny"]) == "250000.00" and row["revision"] == 2

        sorted_ = await client.post("/projects", json={"demand_ids": [a1["demand_id"]]}, headers=ADMIN)
        assert sorted_.status_code == 201, sorted_.text
        late = {**first, "event_id": str(uuid4()), "budget_cny": "300000.00"}
        a4 = await answer_to(late)
        assert a4["errors"][0]["field"] == "demand_ref" and a4["demand_ref"] == first["demand_ref"]
        again_same = await answer_to({**changed, "event_id": str(uuid4())})
        assert again_same["demand_id"] == a1["demand_id"]  # identical content after sorting: still a no-op


async def test_redelivered_message_is_answered_once(client, kit, db):
    body = good()
    marker = good()
    bad_id = str(uuid4())
    async with EventTap("procurement.demand_accepted.v1", "procurement.demand_rejected.v1") as tap:
        for _ in range(2):
            await kit.publish_raw(encode(body), KEY, message_id=body["event_id"], url=DISTRICT_URL)
            await kit.publish_raw(b"{oops", KEY, message_id=bad_id, url=DISTRICT_URL)
        await kit.publish_raw(encode(marker), KEY, message_id=marker["event_id"], url=DISTRICT_URL)

        async def marker_answered() -> bool:
            return any(b.get("causation_id") == marker["event_id"] for b in tap.bodies())

        await eventually(marker_answered)
        await tap.settle()  # every answer routed before it is in the tap
        assert len([b for b in tap.bodies() if b.get("causation_id") == body["event_id"]]) == 1
        assert len([b for b in tap.bodies() if b.get("rejected_message_id") == bad_id]) == 1
    assert await db.fetchval("SELECT count(*) FROM demands WHERE demand_ref = $1", body["demand_ref"]) == 1


@pytest.mark.parametrize("who", ["admin", "street"])
async def test_staff_enter_demands_over_http(client, who):
    headers = ADMIN if who == "admin" else token("street_officer", sub="bob", street="110101006")
    body = {
        "purchaser": {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"},
        "street_code": "110101006",
        "title": "楼门院邻里互助",
        "domain": "mutual_aid",
        "budget_cny": "80000.00",
        "expected_beneficiaries": 300,
    }
    created = await client.post("/demands", json=body, headers=headers)
    assert created.status_code == 201, created.text
    listed = (await client.get("/demands", headers=headers)).json()
    mine = next(d for d in listed if d["id"] == created.json()["demand_id"])
    assert mine["received_via"] == "http" and mine["budget_cny"] == "80000.00" and mine["status"] == "collecting"


async def test_http_demand_with_bad_fields_is_422_naming_the_field(client):
    body = {
        "purchaser": {"code": "X", "name": "东城区体育局", "kind": "district_department"},
        "title": "t",
        "domain": "elder_care",
        "budget_cny": 12.5,
        "expected_beneficiaries": 1,
    }
    response = await client.post("/demands", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "budget_cny"
    no_street = {**body, "budget_cny": "12.50", "purchaser": {**body["purchaser"], "kind": "street_office"}}
    response = await client.post("/demands", json=no_street, headers=ADMIN)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "street_code"


@pytest.mark.parametrize(
    ("purchaser", "street"),
    [
        ({"code": "11010100TYJ", "name": "东城区体育局", "kind": "street_office"}, "110101006"),
        ({"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"}, "110101006"),
        ({"code": "110101001JDB", "name": "东华门街道办事处", "kind": "street_office"}, "110101001"),
        ({"code": "110101001JDB", "name": "东华门街道办事处", "kind": "street_office"}, "110101006"),
    ],
    ids=["another-bodys-code-as-street-office", "a-department", "another-street-office", "another-offices-code"],
)
async def test_a_street_officer_enters_and_sorts_demands_only_as_its_own_street_office(client, db, purchaser, street):
    officer = token("street_officer", sub="bob", street="110101006")
    body = {"purchaser": purchaser, "street_code": street, "title": "冒名需求", "domain": "culture_sports"}
    body.update(budget_cny="90000.00", expected_beneficiaries=100)
    refused = await client.post("/demands", json=body, headers=officer)
    assert refused.status_code == 403 and "110101006JDB" in refused.json()["detail"], refused.text
    assert await db.fetchval("SELECT count(*) FROM demands WHERE title = '冒名需求'") == 0
    own = {"code": "110101006JDB", "name": "东四街道办事处", "kind": "street_office"}
    demand = await client.post("/demands", json={**body, "purchaser": own, "street_code": "110101006"}, headers=officer)
    assert demand.status_code == 201, demand.text
    sorted_as = {"demand_ids": [demand.json()["demand_id"]], "purchaser": purchaser, "street_code": street}
    assert (await client.post("/projects", json=sorted_as, headers=officer)).status_code == 403
    assert await db.fetchval("SELECT count(*) FROM projects") == 0


async def test_staff_name_a_street_office_only_by_its_own_code(client):
    body = {
        "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "street_office"},
        "street_code": "110101006",
        "title": "社区健身指导",
        "domain": "culture_sports",
        "budget_cny": "90000.00",
        "expected_beneficiaries": 100,
    }
    refused = await client.post("/demands", json=body, headers=ADMIN)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "purchaser", "code"]
    assert "110101006JDB" in refused.json()["detail"][0]["msg"]
