"""The district demand as docs/asyncapi/procurement.json states it, sent for real: the documented
example is accepted and a counter-example of every constraint the document states is answered
with `procurement.demand_rejected.v1` naming that field (the generator: testkit/contracts.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import aio_pika

from shared.contracts.district import DemandPublished
from shared.docs import schema_name
from testkit import TEST_VHOST, eventually
from testkit.contracts import SCHEMAS, counter_examples, instance, put

USER = "district-demo"
URL = f"amqp://{USER}:{USER}-dev-password@127.0.0.1:5672/{TEST_VHOST}"
ANSWERS = ("procurement.demand_accepted.v1", "procurement.demand_rejected.v1")


def documented() -> dict[str, Any]:
    example = instance({"$ref": f"#/components/schemas/{schema_name(DemandPublished)}"})
    return {**example, "event_id": str(uuid.uuid4()), "demand_ref": f"DOC-{uuid.uuid4().hex[:10]}"}


async def test_the_documented_example_is_accepted_and_every_counter_example_refused_naming_its_field(client):
    schema = SCHEMAS[schema_name(DemandPublished)]
    sent: dict[str, tuple[str | None, bytes]] = {}
    example = documented()
    sent[str(uuid.uuid4())] = (None, json.dumps(example, ensure_ascii=False).encode())
    for field, why, value in counter_examples(schema, types=True):
        optional = field in DemandPublished.model_fields and not DemandPublished.model_fields[field].is_required()
        if why == "required" and optional:
            continue  # filled in when missing (event_id, occurred_at, …)
        body = put(documented(), field, value)
        sent[str(uuid.uuid4())] = (field, json.dumps(body, ensure_ascii=False).encode())
    assert len(sent) > 40
    answers: dict[str, dict[str, Any]] = {}
    connection = await aio_pika.connect(URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange("events", ensure=False)
        queue = await channel.declare_queue(f"{USER}.documented-{uuid.uuid4().hex[:6]}", exclusive=True)
        for key in ANSWERS:
            await queue.bind(events, f"procurement.to.{USER}.{key.split('.', 1)[1]}")

        async def on_answer(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            body = json.loads(message.body)
            answers[body["correlation_id"]] = {**body, "routing_key": message.routing_key}

        await queue.consume(on_answer, no_ack=True)
        for message_id, (_, body) in sent.items():
            message = aio_pika.Message(
                body, content_type="application/json", message_id=message_id, correlation_id=message_id, user_id=USER
            )
            await events.publish(message, routing_key="district.demand_published.v1")

        async def all_answered() -> bool:
            return len(answers) >= len(sent)

        await eventually(all_answered, timeout=60)
    finally:
        await connection.close()
    for message_id, (field, _) in sent.items():
        answer = answers[message_id]
        if field is None:
            assert answer["routing_key"] == "procurement.demand_accepted.v1", answer
            assert answer["accepted_message_id"] == message_id and answer["causation_id"] == example["event_id"]
        else:
            assert answer["routing_key"] == "procurement.demand_rejected.v1", (field, answer)
            named = {e["field"] for e in answer["errors"]}
            assert any(n == field or n.startswith(f"{field}.") for n in named), (field, named)
            assert answer["rejected_message_id"] == message_id
