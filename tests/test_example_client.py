"""The example district client in examples/ works against a running procurement, as documented.

It runs on its own vhost and databases: the fault suite reconciles everything published on
`sogc_system`, and a deliberately invalid demand from here would count there as unexplained."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from examples.district_client import publish_and_wait, sample_demand
from ops.system import System
from testkit import namespaced

VHOST = namespaced("sogc_demo")
URL = f"amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/{VHOST}"


@pytest.fixture(scope="module")
async def procurement() -> AsyncIterator[System]:
    system = System(suffix="example", base_port=18950, vhost=VHOST)
    await system.start(["procurement"])
    try:
        yield system
    finally:
        system.stop()


async def test_the_example_client_gets_its_demand_accepted(procurement):
    ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
    answer = await publish_and_wait(URL, "district-demo", sample_demand("district-demo", ref), timeout=60)
    assert answer["routing_key"] == "procurement.demand_accepted.v1"
    assert answer["demand_ref"] == ref and answer["demand_id"]
    assert answer["accepted_message_id"] == answer["correlation_id"]


async def test_the_example_client_gets_a_rejection_naming_the_field(procurement):
    ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
    demand = {**sample_demand("district-demo", ref), "street_code": "999999999"}
    answer = await publish_and_wait(URL, "district-demo", demand, timeout=60)
    assert answer["routing_key"] == "procurement.demand_rejected.v1"
    assert [e["field"] for e in answer["errors"]] == ["street_code"]
    assert answer["rejected_message_id"] == demand["event_id"] == answer["correlation_id"]


async def test_the_example_client_claiming_another_system_is_told_so(procurement):
    ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
    answer = await publish_and_wait(URL, "district-demo", sample_demand("dongsi-street-oa", ref), timeout=60)
    assert answer["routing_key"] == "procurement.demand_rejected.v1"
    assert [e["field"] for e in answer["errors"]] == ["source_system"]
    assert answer["source_system"] == "district-demo"
