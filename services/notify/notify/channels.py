"""The two outward channels: e-mail over SMTP (aiosmtplib) and signed webhooks (httpx)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

import aiosmtplib
import httpx

from notify.config import Settings
from notify.domain import signature


class Sender(Protocol):
    async def send(self, channel: str, address: str, payload: dict[str, Any], *, now: datetime) -> None: ...


class DeliveryError(Exception):
    """The channel refused or failed this attempt; the message says why."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (e.g. a forbidden webhook address): park the delivery at once."""


async def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """Only http(s); unless allowed, no loopback, private, link-local or reserved address."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise PermanentDeliveryError(f"webhook URL must be http(s) with a host: {url[:200]}")
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parsed.host, parsed.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DeliveryError(f"webhook host does not resolve: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise PermanentDeliveryError(f"webhook address {ip} is not public")


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
    """Sends one delivery attempt; raises DeliveryError (or a network error) when it fails."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        # Made on first use, so a service stopped and started again gets a fresh one.
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.settings.webhook_timeout, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, channel: str, address: str, payload: dict[str, Any], *, now: datetime) -> None:
        if channel == "email":
            await self._email(address, payload)
        elif channel == "webhook":
            await self._webhook(address, payload, now)
        else:
            raise DeliveryError(f"unknown channel {channel}")

    async def _email(self, address: str, payload: dict[str, Any]) -> None:
        s = self.settings
        msg = email_message(s, address, payload["to_name"], payload["subject"], payload["body"])
        try:
            await aiosmtplib.send(
                msg,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout,
            )
        except aiosmtplib.SMTPException as exc:
            raise DeliveryError(f"smtp: {exc}") from exc

    async def _webhook(self, url: str, payload: dict[str, Any], now: datetime) -> None:
        allow = self.settings.webhook_allow_private
        await check_webhook_url(
            url, allow_private=self.settings.environment != "production" if allow is None else allow
        )
        body = webhook_body(payload)
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-SOGC-Timestamp": timestamp,
            "X-SOGC-Signature": signature(self.settings.webhook_secret, timestamp, body),
            "X-SOGC-Event": payload["event_type"],
            "User-Agent": "sogc-notify/0.1",
        }
        try:
            response = await self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}: {response.text[:200]}")
