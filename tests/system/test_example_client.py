"""The example district client in examples/ works against the running system, as documented."""

from __future__ import annotations

import uuid

from examples.district_client import publish_and_wait, sample_demand

URL = "amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/sogc_system"


async def test_the_example_client_gets_its_demand_accepted(system):
    ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
    answer = await publish_and_wait(URL, "district-demo", sample_demand("district-demo", ref), timeout=60)
    assert answer["routing_key"] == "procurement.demand_accepted.v1"
    assert answer["demand_ref"] == ref and answer["demand_id"]


async def test_the_example_client_gets_a_rejection_naming_the_field(system):
    ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
    demand = {**sample_demand("district-demo", ref), "street_code": "999999999"}
    answer = await publish_and_wait(URL, "district-demo", demand, timeout=60)
    assert answer["routing_key"] == "procurement.demand_rejected.v1"
    assert [e["field"] for e in answer["errors"]] == ["street_code"]
