"""The raw baseline: aio-pika publish with confirms and consume with ack, one hop, on the
same broker the system uses. Everything else in bench/ is reported as a ratio to this."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass

import aio_pika

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/sogc_test"


@dataclass
class Result:
    messages: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]

    def row(self) -> dict[str, float]:
        return {
            "messages": self.messages,
            "msg_per_s": round(self.rate, 1),
            "p50_ms": round(self.pct(50), 2),
            "p95_ms": round(self.pct(95), 2),
            "p99_ms": round(self.pct(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2),
        }


async def one_hop(url: str, n: int, *, rate: float | None = None, window: int = 256, prefetch: int = 64) -> Result:
    """Publish n persistent messages (confirms, `window` in flight) to a quorum queue and
    consume them with acks; latency is publish-start → consumer-ack per message."""
    conn = await aio_pika.connect(url)
    try:
        pub = await conn.channel(publisher_confirms=True)
        sub = await conn.channel()
        await sub.set_qos(prefetch_count=prefetch)
        qname = f"bench.raw.{uuid.uuid4().hex[:8]}"
        queue = await sub.declare_queue(qname, durable=True, arguments={"x-queue-type": "quorum"})
        latencies: list[float] = []
        done = asyncio.Event()

        async def on_message(msg: aio_pika.abc.AbstractIncomingMessage) -> None:
            sent = json.loads(msg.body)["t"]
            await msg.ack()
            latencies.append((time.perf_counter() - sent) * 1000)
            if len(latencies) >= n:
                done.set()

        tag = await queue.consume(on_message)
        sem = asyncio.Semaphore(window)

        async def send(i: int) -> None:
            async with sem:
                body = json.dumps({"i": i, "t": time.perf_counter()}).encode()
                await pub.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i)),
                    routing_key=qname,
                )

        started = time.perf_counter()
        tasks = []
        for i in range(n):
            if rate:
                await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(i)))
        await asyncio.gather(*tasks)
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - started
        await queue.cancel(tag)
        await sub.queue_delete(qname)
        return Result(n, elapsed, latencies)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--rate", type=float, help="pace publishing at this many messages/s")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(one_hop(args.url, args.n, rate=args.rate)).row()))


if __name__ == "__main__":
    main()
