"""A district system publishing a service demand and reading the answer — aio-pika only.

    python examples/district_client.py --url amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/

This is what a district department's or street office's own system does (docs/events.md):
publish `district.demand_published.v1` to the topic exchange `events` as a persistent JSON
message with publisher confirms, setting `user_id` to its login (the broker checks it; the
centre takes it for the demand's source_system), `message_id` and `correlation_id`; then read
the answer from its own queue, bound to its own answer keys `procurement.to.<user>.demand_*.v1`
(the only ones its login may bind), and match it by correlation_id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import aio_pika


def sample_demand(source_system: str, demand_ref: str) -> dict[str, object]:
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime.now(UTC).isoformat(),
        "source_system": source_system,
        "demand_ref": demand_ref,
        "purchaser": {"code": "11010100TYJ", "name": "东城区体育局", "kind": "district_department"},
        "street_code": "110101006",
        "title": "东四街道老年人健身指导服务",
        "description": "为辖区60岁以上老年人提供每周两次的科学健身指导。",
        "domain": "elder_care",
        "budget_cny": "200000.00",
        "expected_beneficiaries": 1200,
        "wanted_by": (date.today() + timedelta(days=180)).isoformat(),
    }


ANSWER_KEYS = ("procurement.demand_accepted.v1", "procurement.demand_rejected.v1")


async def publish_and_wait(url: str, user: str, demand: dict[str, object], timeout: float) -> dict[str, object]:
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange("events", ensure=False)
        # Our own durable queue for the answers (the broker lets us name queues `<user>.*`),
        # bound before publishing: an answer to a key nobody bound is not kept for us.
        answers = await channel.declare_queue(f"{user}.answers", durable=True, arguments={"x-queue-type": "quorum"})
        for key in ANSWER_KEYS:
            await answers.bind(events, f"procurement.to.{user}.{key.split('.', 1)[1]}")

        request_id = str(demand["event_id"])
        body = json.dumps(demand, ensure_ascii=False).encode()
        await events.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=request_id,
                correlation_id=request_id,
                user_id=user,  # required: RabbitMQ checks it against our login
                type="district.demand_published.v1",
            ),
            routing_key="district.demand_published.v1",
        )
        print(f"published demand {demand['demand_ref']} (message_id {request_id})")

        async with asyncio.timeout(timeout):
            async with answers.iterator() as messages:
                async for message in messages:
                    async with message.process():
                        # Only procurement may publish these keys; anything else in our queue
                        # (a copy another user forced in with a CC header) is not an answer.
                        if message.routing_key not in ANSWER_KEYS:
                            continue
                        answer = json.loads(message.body)
                        if answer.get("correlation_id") == request_id:
                            return {"routing_key": message.routing_key, **answer}
    raise TimeoutError


def main() -> None:
    parser = argparse.ArgumentParser(description="Publish one demand as a district system and print the answer.")
    parser.add_argument("--url", default="amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/")
    parser.add_argument("--user", default="district-demo", help="the RabbitMQ user the URL logs in as")
    parser.add_argument("--source-system", default=None, help="what the body claims (default: the user)")
    parser.add_argument("--demand-ref", default=f"DEMO-{uuid.uuid4().hex[:8].upper()}")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    answer = asyncio.run(
        publish_and_wait(
            args.url, args.user, sample_demand(args.source_system or args.user, args.demand_ref), args.timeout
        )
    )
    print(json.dumps(answer, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
