"""The webhook channel against real local receivers: the name is resolved once and the checked
address is the one dialled (DNS rebinding), private receivers only through the allow-list, and
a receiver's endless answer is not read past the cap. No database or broker needed."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import httpcore
import pytest
from receivers import FloodingReceiver, WebhookReceiver

from notify.adapters.channels import ChannelSender
from notify.adapters.failures import DeliveryError
from notify.config import Settings
from notify.domain import SigningKey

KEY = SigningKey("whk_t", "whsec_test-secret")
PUBLIC = ipaddress.ip_address("93.184.215.14")
LOOPBACK = ipaddress.ip_address("127.0.0.1")
PAYLOAD: dict[str, Any] = {
    "event_type": "registry.org_registered.v1",
    "source_event_id": "00000000-0000-4000-8000-000000000001",
    "recipient": {"kind": "org", "key": "00000000-0000-4000-8000-000000000002"},
    "subject": "登记完成通知",
    "body": "……",
    "data": {},
}


class LoopbackDialer(httpcore.AsyncNetworkBackend):
    """Records the address it is asked to dial and connects to the local receiver instead, so no
    test traffic ever leaves the machine, whatever address the fake resolver named."""

    def __init__(self, port: int) -> None:
        self.port, self.dialled = port, []  # type: list[tuple[str, int]]
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.dialled.append((host, port))
        return await self._inner.connect_tcp("127.0.0.1", self.port, timeout=timeout)

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise AssertionError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def sender(allowlist: str = "", **kw: Any) -> ChannelSender:
    return ChannelSender(Settings(webhook_private_allowlist=allowlist, delivery_deadline_seconds=5), **kw)


async def test_a_name_that_answers_differently_the_second_time_is_resolved_once_and_the_checked_address_dialled():
    lookups: list[tuple[str, int]] = []

    async def rebinding(host: str, port: int) -> list:
        lookups.append((host, port))
        return [PUBLIC] if len(lookups) == 1 else [LOOPBACK]  # the attacker's DNS, TTL 0

    with WebhookReceiver({KEY.key_id: KEY.secret}) as hook:
        dialer = LoopbackDialer(hook.port)
        channel = sender(resolver=rebinding, dialer=dialer)
        try:
            await channel.send(
                "webhook", f"http://hooks.example.org:{hook.port}/h", PAYLOAD, now=datetime.now(UTC), keys=[KEY]
            )
        finally:
            await channel.aclose()
        assert lookups == [("hooks.example.org", hook.port)]
        assert dialer.dialled == [(str(PUBLIC), hook.port)]
        # the request still names the host (Host header; with https also SNI and the certificate check)
        assert [a["host"] for a in hook.attempts] == [f"hooks.example.org:{hook.port}"]
        assert hook.accepted[0]["key_id"] == KEY.key_id


async def test_with_the_machines_resolver_too_a_rebinding_name_is_looked_up_once(monkeypatch):
    """The same attack through getaddrinfo itself (what main's check and httpx each called)."""
    import socket

    with WebhookReceiver({KEY.key_id: KEY.secret}) as hook:
        lookups: list[object] = []
        real = socket.getaddrinfo

        def rebinding(host: object, *args: Any, **kwargs: Any) -> Any:
            if host not in ("rebind.example.org", b"rebind.example.org"):
                return real(host, *args, **kwargs)
            lookups.append(host)
            ip = str(PUBLIC) if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, hook.port))]

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        dialer = LoopbackDialer(hook.port)
        channel = sender(dialer=dialer)
        try:
            await channel.send(
                "webhook", f"http://rebind.example.org:{hook.port}/h", PAYLOAD, now=datetime.now(UTC), keys=[KEY]
            )
        finally:
            await channel.aclose()
        assert len(lookups) == 1 and dialer.dialled == [(str(PUBLIC), hook.port)]


async def test_a_name_resolving_to_a_private_address_is_refused_before_anything_is_dialled():
    async def private(host: str, port: int) -> list:
        return [PUBLIC, ipaddress.ip_address("100.100.100.200")]

    dialer = LoopbackDialer(9)
    channel = sender(resolver=private, dialer=dialer)
    try:
        with pytest.raises(DeliveryError, match="forbidden_target"):
            await channel.send("webhook", "https://hooks.example.org/h", PAYLOAD, now=datetime.now(UTC), keys=[KEY])
    finally:
        await channel.aclose()
    assert dialer.dialled == []


async def test_a_loopback_receiver_is_reached_only_when_the_allow_list_names_it():
    with WebhookReceiver({KEY.key_id: KEY.secret}) as hook:
        refusing, allowing = sender(""), sender("127.0.0.1/32")
        try:
            with pytest.raises(DeliveryError, match="forbidden_target"):
                await refusing.send("webhook", hook.url(), PAYLOAD, now=datetime.now(UTC), keys=[KEY])
            assert hook.attempts == []
            await allowing.send("webhook", hook.url(), PAYLOAD, now=datetime.now(UTC), keys=[KEY])
        finally:
            await refusing.aclose()
            await allowing.aclose()
        assert len(hook.accepted) == 1


async def test_an_answer_that_never_ends_is_read_only_up_to_the_cap_and_then_dropped():
    with FloodingReceiver(seconds=20) as flood:
        channel = ChannelSender(
            Settings(webhook_private_allowlist="127.0.0.1/32", webhook_max_response_bytes=256 * 1024)
        )
        started = time.monotonic()
        try:
            await channel.send("webhook", flood.url(), PAYLOAD, now=datetime.now(UTC), keys=[KEY])
        finally:
            await channel.aclose()
        assert time.monotonic() - started < 5  # not the 20 s the receiver would go on for

        async def hung_up() -> list[int]:
            return flood.written

        from testkit import eventually

        [written] = await eventually(hung_up)
        # what the receiver got out before the hang-up: the cap plus what the socket buffers held
        assert written < 64 * 1024 * 1024
