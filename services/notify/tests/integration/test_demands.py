"""Demand answers reach the district system's contact, the district staff and the demand's
purchaser — whom procurement's answer names, so notify does not consume the demand itself."""

from __future__ import annotations

import uuid

from samples import eventually

from shared.contracts.district import Purchaser, PurchaserKind
from shared.contracts.procurement import DemandAccepted, DemandRejected, FieldError
from shared.messaging.publish import publish_event
from shared.reference import street_office_code
from testkit import token

STREET = "110101010"


async def _inbox(client, **claims) -> list[dict]:
    role = claims.pop("role")
    response = await client.get("/inbox", headers=token(role, **claims))
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_accepted_demand_reaches_the_district_system_and_its_street_office_purchaser(client, publisher):
    ref = f"HPL-{uuid.uuid4().hex[:6]}"
    accepted = DemandAccepted(
        demand_id=uuid.uuid4(),
        source_system="hepingli-oa",
        demand_ref=ref,
        purchaser=Purchaser(code=street_office_code(STREET), name="和平里街道办事处", kind=PurchaserKind.STREET_OFFICE),
        street_code=STREET,
    )
    await publish_event(publisher, accepted)

    async def district_copy() -> list[dict]:
        found = await _inbox(client, role="district_admin")
        return [n for n in found if n["source_event_id"] == str(accepted.event_id)]

    async def street_copy() -> list[dict]:
        found = await _inbox(client, role="street_officer", street=STREET)
        return [n for n in found if n["source_event_id"] == str(accepted.event_id)]

    [notice] = await eventually(street_copy)
    assert notice["recipient_kind"] == "purchaser" and notice["recipient_key"] == "110101010JDB"
    assert ref in notice["subject"] and notice["event_type"] == "procurement.demand_accepted.v1"
    system_notices = [n for n in await district_copy() if n["recipient_kind"] == "district_system"]
    assert len(system_notices) == 1 and ref in system_notices[0]["subject"]
    other_street = await _inbox(client, role="street_officer", street="110101001")
    assert all(n["source_event_id"] != str(accepted.event_id) for n in other_street)
    assert all(
        n["recipient_kind"] != "purchaser" for n in await district_copy()
    )  # a street office's, not the district's


async def test_a_purchasers_notices_follow_its_code_not_the_street_or_kind_an_event_claims(client, publisher):
    """A message naming the sports bureau's code as a street office of 东四 (a spoof) must not hand the
    bureau's notices to 东四's officers: they stay with the district staff, who read departments' notices."""
    spoofed = DemandAccepted(
        demand_id=uuid.uuid4(),
        source_system="@staff",
        demand_ref=f"WEB-{uuid.uuid4().hex[:8]}",
        purchaser=Purchaser(code="11010100TYJ", name="东城区体育局", kind=PurchaserKind.STREET_OFFICE),
        street_code="110101006",
    )
    await publish_event(publisher, spoofed)

    async def district_copy() -> list[dict]:
        found = await _inbox(client, role="district_admin")
        return [
            n for n in found if n["source_event_id"] == str(spoofed.event_id) and n["recipient_kind"] == "purchaser"
        ]

    [notice] = await eventually(district_copy)
    assert notice["recipient_key"] == "11010100TYJ"
    dongsi = await _inbox(client, role="street_officer", street="110101006")
    assert all(n["source_event_id"] != str(spoofed.event_id) for n in dongsi)
    read = await client.post(f"/inbox/{notice['id']}/read", headers=token("street_officer", street="110101006"))
    assert read.status_code == 404


async def test_an_answer_that_names_no_purchaser_still_reaches_the_district_system(client, publisher):
    ref = f"OLD-{uuid.uuid4().hex[:6]}"
    accepted = DemandAccepted(demand_id=uuid.uuid4(), source_system="legacy-oa", demand_ref=ref)
    await publish_event(publisher, accepted)

    async def district_copy() -> list[dict]:
        found = await _inbox(client, role="district_admin")
        return [n for n in found if n["source_event_id"] == str(accepted.event_id)]

    [system_notice] = await eventually(district_copy)
    assert system_notice["recipient_kind"] == "district_system" and ref in system_notice["subject"]


async def test_a_rejected_demand_lists_every_reason_for_the_district_system(client, publisher):
    ref = f"TYJ-{uuid.uuid4().hex[:6]}"
    rejected = DemandRejected(
        source_system="sports-bureau-oa",
        demand_ref=ref,
        errors=[
            FieldError(field="budget_cny", message="must be a decimal string"),
            FieldError(field="street_code", message="unknown street code"),
        ],
    )
    await publish_event(publisher, rejected)

    async def mine() -> list[dict]:
        found = await _inbox(client, role="district_admin")
        return [n for n in found if n["source_event_id"] == str(rejected.event_id)]

    notices = await eventually(lambda: _at_least(mine, 2))
    assert {n["recipient_kind"] for n in notices} == {"district_system", "district"}
    for n in notices:
        assert "budget_cny" in n["body"] and "unknown street code" in n["body"]


async def _at_least(check, n: int) -> list[dict]:
    found = await check()
    return found if len(found) >= n else []
