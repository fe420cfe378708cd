"""Operators' view of a service's dead letters: list them with their reasons, replay them
to the queue they came from (after the cause is fixed).

Replay needs the operator's own broker user (the RabbitMQ administrator): it publishes through
the default exchange, which no service user may write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Coroutine
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import aio_pika
import aiormq
from aio_pika.abc import AbstractIncomingMessage

from shared.messaging.copying import copy_message
from shared.messaging.topology import dead_letter_queue_name

T = TypeVar("T")

_ERROR_HEADERS = ("x-error-reason", "x-error-consumer", "x-error-queue", "x-original-routing-key", "x-failed-at")


@dataclass(frozen=True)
class DeadLetter:
    """A parked message: where it came from, why it was parked, a preview of its body."""

    message_id: str | None
    queue: str
    routing_key: str
    reason: str
    failed_at: str | None
    body_preview: str


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def describe(msg: AbstractIncomingMessage) -> DeadLetter:
    headers: dict[str, Any] = dict(msg.headers or {})
    if "x-error-reason" in headers:
        queue = _text(headers.get("x-error-queue", ""))
        reason = _text(headers["x-error-reason"])
        routing_key = _text(headers.get("x-original-routing-key", ""))
        failed_at: str | None = _text(headers.get("x-failed-at", ""))
    else:  # dead-lettered by RabbitMQ itself (delivery limit reached, or rejected)
        deaths = headers.get("x-death") or [{}]
        first = deaths[0] if isinstance(deaths, list) and deaths else {}
        queue = _text(first.get("queue", headers.get("x-first-death-queue", "")))
        reason = f"broker: {_text(first.get('reason', headers.get('x-first-death-reason', 'unknown')))}"
        keys = first.get("routing-keys") or [msg.routing_key or ""]
        routing_key = _text(keys[0])
        failed_at = str(first.get("time")) if first.get("time") else None
    return DeadLetter(
        message_id=msg.message_id,
        queue=queue,
        routing_key=routing_key,
        reason=reason,
        failed_at=failed_at,
        body_preview=msg.body[:500].decode("utf-8", errors="replace"),
    )


def _replayable(letter: DeadLetter) -> bool:
    """A letter goes back only to the queue of the event its routing key names: consumers take
    a replay (default exchange, the queue's name as key) as that event, so a message that came
    in under another key (forced into the queue with a CC header, say) stays parked. A letter
    parked again after a replay carries the queue's name as its key."""
    if not letter.routing_key:
        return True  # not parked by the kit, which always records the key: replay_target decides
    return letter.routing_key == letter.queue or letter.queue.endswith("." + letter.routing_key)


async def _drain(channel: aio_pika.abc.AbstractChannel, service: str, limit: int) -> list[AbstractIncomingMessage]:
    queue = await channel.get_queue(dead_letter_queue_name(service), ensure=True)
    out: list[AbstractIncomingMessage] = []
    while len(out) < limit:
        msg = await queue.get(no_ack=False, fail=False)
        if msg is None:
            break
        out.append(msg)
    return out


async def list_dead_letters(amqp_url: str, service: str, *, limit: int = 100) -> list[DeadLetter]:
    """Up to `limit` dead letters of `service`; they stay parked (unacked, returned on close)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        msgs = await _drain(channel, service, limit)
        letters = [describe(m) for m in msgs]
        await channel.close()  # returns every fetched message to the queue
        return letters
    finally:
        await connection.close()


@dataclass(frozen=True)
class Replayed:
    """What a replay did: how many went back to their queue, and those it left parked, with why."""

    count: int
    kept: list[tuple[DeadLetter, str]]


def replay_target(service: str, letter: DeadLetter) -> str | None:
    """The queue `letter` may go back to: one of `service`'s own consumer queues, else None.

    The failed queue is read from the letter's headers, and whoever can publish into a dead-letter
    queue (the service's own broker user, through `events.dlx`) can forge them: without this check
    a forged letter would have the operator's replay put any event into another service's queue.
    """
    own = letter.queue.startswith(f"{service}.") and letter.queue != dead_letter_queue_name(service)
    return letter.queue if own else None


def _replay_message(msg: AbstractIncomingMessage, service: str) -> aio_pika.Message:
    """The letter as it was before it was parked (its sender's login stays in `x-original-user-id`)."""
    headers = {k: v for k, v in (msg.headers or {}).items() if k not in _ERROR_HEADERS and k != "x-death"}
    headers["x-replayed-from"] = dead_letter_queue_name(service)
    return copy_message(msg, headers)


async def replay(amqp_url: str, service: str, *, message_ids: set[str] | None = None, limit: int = 10_000) -> Replayed:
    """Send dead letters (all, or those with the given ids) back to the consumer queue that failed.

    Run with the operator's own broker user: it publishes through the default exchange, which no
    service user may write (topic permissions do not govern it). A letter whose queue is not one of
    `service`'s, or no longer exists, stays parked.
    """
    connection = await aio_pika.connect(amqp_url)
    count, kept = 0, []
    try:
        # on_return_raises: a queue deleted since the failure returns the message instead of
        # dropping it, and the dead letter is kept rather than acked into nowhere.
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        for msg in await _drain(channel, service, limit):
            letter = describe(msg)
            if message_ids is not None and letter.message_id not in message_ids:
                await msg.nack(requeue=True)
                continue
            why_kept = await _send_back(channel, msg, letter, service)
            if why_kept is None:
                await msg.ack()
                count += 1
            else:
                kept.append((letter, why_kept))
                await msg.nack(requeue=True)
        await channel.close()
    finally:
        await connection.close()
    return Replayed(count, kept)


async def _send_back(
    channel: aio_pika.abc.AbstractChannel, msg: AbstractIncomingMessage, letter: DeadLetter, service: str
) -> str | None:
    """Publish one dead letter to the queue that failed; None when sent, else why it stays parked."""
    target = replay_target(service, letter)
    if target is None:
        return f"队列 {letter.queue!r} 不是 {service} 的消费队列"
    if not _replayable(letter):
        return f"路由键 {letter.routing_key!r} 不是队列 {letter.queue} 的事件"
    try:
        await channel.default_exchange.publish(_replay_message(msg, service), routing_key=target)
    except aio_pika.exceptions.PublishError:
        return f"队列 {target!r} 已不存在"
    return None


async def show(amqp_url: str, service: str, message_id: str, *, limit: int = 10_000) -> dict[str, Any] | None:
    """One dead letter in full: its reason, properties, headers and whole body (it stays parked)."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        found: dict[str, Any] | None = None
        for msg in await _drain(channel, service, limit):
            if msg.message_id == message_id:
                found = {
                    **asdict(describe(msg)),
                    "type": msg.type,
                    "correlation_id": msg.correlation_id,
                    "content_type": msg.content_type,
                    "headers": {k: _text(v) if isinstance(v, bytes) else v for k, v in (msg.headers or {}).items()},
                    "body": msg.body.decode("utf-8", errors="replace"),
                }
                break
        await channel.close()  # returns every fetched message to the queue
        return found
    finally:
        await connection.close()


async def purge(amqp_url: str, service: str, *, message_ids: set[str] | None = None, limit: int = 10_000) -> int:
    """Delete dead letters for good (all, or those with the given ids)."""
    connection = await aio_pika.connect(amqp_url)
    purged = 0
    try:
        channel = await connection.channel()
        for msg in await _drain(channel, service, limit):
            if message_ids is None or msg.message_id in message_ids:
                await msg.ack()
                purged += 1
            else:
                await msg.nack(requeue=True)
        await channel.close()
    finally:
        await connection.close()
    return purged


def _run_as_operator(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except aiormq.exceptions.ChannelAccessRefused as exc:
        # A service's own user: it may not write the default exchange (ops/provision.py).
        raise SystemExit(
            f"RabbitMQ 拒绝了该用户：重放死信须使用运维人员自己的 RabbitMQ 用户（管理员），"
            f"不能使用服务的用户；用 --amqp-url 或环境变量 AMQP_URL 指定。（{exc}）"
        ) from exc


def main() -> None:
    parser = argparse.ArgumentParser(description="List, show, replay or purge a service's dead letters.")
    parser.add_argument("command", choices=["list", "show", "replay", "purge"])
    parser.add_argument("service")
    parser.add_argument(
        "--amqp-url",
        default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        help="the operator's own broker user (replay writes the default exchange, which no service user may)",
    )
    parser.add_argument("--id", action="append", dest="ids", help="only this message id (repeatable)")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--yes", action="store_true", help="purge without asking")
    args = parser.parse_args()
    ids = set(args.ids) if args.ids else None
    queue = dead_letter_queue_name(args.service)
    if args.command == "list":
        letters = asyncio.run(list_dead_letters(args.amqp_url, args.service, limit=args.limit))
        for letter in letters:
            print(json.dumps(asdict(letter), ensure_ascii=False))
        print(f"{len(letters)} dead letter(s) in {queue}")
    elif args.command == "show":
        if not ids or len(ids) != 1:
            parser.error("show needs exactly one --id")
        shown = asyncio.run(show(args.amqp_url, args.service, next(iter(ids))))
        if shown is None:
            raise SystemExit(f"no dead letter with that id in {queue}")
        print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
    elif args.command == "replay":
        done = _run_as_operator(replay(args.amqp_url, args.service, message_ids=ids))
        for letter, why in done.kept:
            print(f"未重放 {letter.message_id}：{why}")
        print(f"replayed {done.count} dead letter(s) from {queue}, kept {len(done.kept)}")
    else:
        what = f"{len(ids)} dead letter(s)" if ids else "ALL dead letters"
        if not args.yes:
            answer = input(f"Delete {what} in {queue} for good? Type the service name to confirm: ")
            if answer.strip() != args.service:
                raise SystemExit("not purged")
        n = asyncio.run(purge(args.amqp_url, args.service, message_ids=ids))
        print(f"purged {n} dead letter(s) from {queue}")


if __name__ == "__main__":
    main()
