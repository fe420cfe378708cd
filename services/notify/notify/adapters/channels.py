"""The two outward channels: e-mail over SMTP (aiosmtplib) and signed webhooks (httpx)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

import aiosmtplib
import httpcore
import httpx

from notify.adapters.failures import DeliveryError, http_status
from notify.adapters.targets import Resolver, TargetPolicy, VettedBackend, VettedTransport, system_resolver
from notify.config import Settings
from notify.domain import SigningKey, signature_header

# httpx logs every request with its full URL at INFO: an organisation's webhook URL may carry a
# token of its own, and the delivery log already says what happened.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)


class Sender(Protocol):
    async def send(
        self,
        channel: str,
        address: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        keys: Sequence[SigningKey] = (),
    ) -> None: ...


def email_message(settings: Settings, to: str, to_name: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 message; the email package encodes Chinese headers (RFC 2047) and body."""
    msg = EmailMessage()
    local, _, domain = settings.mail_from.partition("@")
    msg["From"] = Address(settings.mail_from_name, local, domain)
    to_local, _, to_domain = to.partition("@")
    msg["To"] = Address(to_name, to_local, to_domain)
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=domain or "sogc.local")
    msg.set_content(body, charset="utf-8")
    return msg


def webhook_body(payload: dict[str, Any]) -> bytes:
    document = {
        "type": payload["event_type"],
        "source_event_id": payload["source_event_id"],
        "recipient": payload["recipient"],
        "subject": payload["subject"],
        "text": payload["body"],
        "data": payload["data"],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ChannelSender:
    """Sends one delivery attempt; raises (a DeliveryError or whatever the channel raised) when it fails.
    The worker bounds each attempt by the delivery deadline and redacts what is raised."""

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver = system_resolver,
        dialer: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.settings = settings
        self.policy = TargetPolicy.parse(settings.webhook_private_allowlist)
        self._backend = VettedBackend(self.policy, resolver, dialer)
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        # Made on first use, so a service stopped and started again gets a fresh one.
        if self._client is None:
            transport = VettedTransport(
                self._backend,
                ssl_context=httpx.create_ssl_context(),
                limits=httpx.Limits(max_connections=max(10, self.settings.worker_concurrency)),
            )
            self._client = httpx.AsyncClient(
                transport=transport,
                timeout=self.settings.delivery_deadline_seconds,
                follow_redirects=False,
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self,
        channel: str,
        address: str,
        payload: dict[str, Any],
        *,
        now: datetime,
        keys: Sequence[SigningKey] = (),
    ) -> None:
        if channel == "email":
            await self._email(address, payload)
        elif channel == "webhook":
            await self._webhook(address, payload, now, keys)
        else:
            raise DeliveryError("unexpected", permanent=True)

    async def _email(self, address: str, payload: dict[str, Any]) -> None:
        s = self.settings
        msg = email_message(s, address, payload["to_name"], payload["subject"], payload["body"])
        await aiosmtplib.send(
            msg,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout,
        )

    async def _webhook(self, url: str, payload: dict[str, Any], now: datetime, keys: Sequence[SigningKey]) -> None:
        self.policy.check_url(url)  # again at delivery: the allow-list may have changed since
        if not keys:
            raise DeliveryError("no_signing_key")
        body = webhook_body(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-SOGC-Signature": signature_header(keys, int(now.timestamp()), body),
            "X-SOGC-Event": payload["event_type"],
            "User-Agent": "sogc-notify/0.1",
        }
        async with self.client.stream("POST", url, content=body, headers=headers) as response:
            await _read_at_most(response, self.settings.webhook_max_response_bytes)
        if not 200 <= response.status_code < 300:
            raise http_status(response.status_code)


async def _read_at_most(response: httpx.Response, limit: int) -> None:
    """Read (and drop) a small answer so the connection can be reused; stop at `limit` bytes —
    closing the response then closes the connection instead of reading an endless body."""
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen >= limit:
            return
