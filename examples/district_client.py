"""A district system publishing a service demand and reading the answer — aio-pika only.

    python examples/district_client.py --url amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/

This is what a district department's or street office's own system does (docs/events.md):
publish `district.demand_published.v1` to the topic exchange `events` as a persistent JSON
message with publisher confirms, then wait for `procurement.demand_accepted.v1` or
`procurement.demand_rejected.v1` carrying the same source_system and demand_ref.
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


async def publish_and_wait(url: str, user: str, demand: dict[str, object], timeout: float) -> dict[str, object]:
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange("events", ensure=False)
        # Our own durable queue for the answers (the broker lets us name queues `<user>.*`).
        answers = await channel.declare_queue(f"{user}.answers", durable=True, arguments={"x-queue-type": "quorum"})
        for key in ("procurement.demand_accepted.v1", "procurement.demand_rejected.v1"):
            await answers.bind(events, key)

        body = json.dumps(demand, ensure_ascii=False).encode()
        await events.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(demand["event_id"]),
                type="district.demand_published.v1",
            ),
            routing_key="district.demand_published.v1",
        )
        print(f"published demand {demand['demand_ref']} (message_id {demand['event_id']})")

        async with asyncio.timeout(timeout):
            async with answers.iterator() as messages:
                async for message in messages:
                    async with message.process():
                        answer = json.loads(message.body)
                        if (answer.get("source_system"), answer.get("demand_ref")) == (
                            demand["source_system"],
                            demand["demand_ref"],
                        ):
                            return {"routing_key": message.routing_key, **answer}
    raise TimeoutError


def main() -> None:
    parser = argparse.ArgumentParser(description="Publish one demand as a district system and print the answer.")
    parser.add_argument("--url", default="amqp://district-demo:district-demo-dev-password@127.0.0.1:5672/")
    parser.add_argument("--user", default="district-demo", help="the RabbitMQ user the URL logs in as")
    parser.add_argument("--source-system", default="district-demo")
    parser.add_argument("--demand-ref", default=f"DEMO-{uuid.uuid4().hex[:8].upper()}")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    answer = asyncio.run(
        publish_and_wait(args.url, args.user, sample_demand(args.source_system, args.demand_ref), args.timeout)
    )
    print(json.dumps(answer, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
