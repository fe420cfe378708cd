"""Why a delivery attempt failed, in words safe to keep, log and publish.

An exception from SMTP or HTTP quotes the other side: the recipient's address ("<a@b.org>:
mailbox unavailable"), the receiver's response text, sometimes a URL with a token in it. None of
that may reach the delivery log, the logs, `notify.delivery_failed.v1` or metric labels, so every
failure is reduced here to a class from a fixed vocabulary and a fixed reason (plus a status code).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import aiosmtplib
import httpx

# class -> the reason operators read in the delivery log (Simplified Chinese)
REASONS: dict[str, str] = {
    "timeout": "未在投递时限内完成",
    "refused": "对方拒绝连接",
    "dns": "域名无法解析",
    "tls": "TLS 握手或证书校验失败",
    "connect": "无法建立连接",
    "protocol": "对方的应答不符合协议",
    "http_3xx": "回调地址应答重定向（不跟随）",
    "http_4xx": "回调地址拒绝了请求",
    "http_5xx": "回调地址服务端出错",
    "invalid_url": "回调地址无效（须为不含用户名密码的 http(s) 地址）",
    "forbidden_target": "回调地址指向不允许的网络地址",
    "no_signing_key": "该组织尚未领取回调签名密钥",
    "smtp_recipient_refused": "邮件服务器拒收该收件人",
    "smtp_sender_refused": "邮件服务器拒绝发件人",
    "smtp_auth": "邮件服务器认证失败",
    "smtp_rejected": "邮件服务器拒绝投递",
    "unexpected": "投递时发生意外错误",
}


class DeliveryError(Exception):
    """One failed attempt: `error_class` from REASONS, a code (HTTP or SMTP status) when there is
    one, and whether retrying can help. `str()` is the redacted reason, never the remote text."""

    def __init__(self, error_class: str, *, code: int | None = None, permanent: bool = False) -> None:
        if error_class not in REASONS:
            raise ValueError(f"unknown delivery error class {error_class!r}")
        self.error_class, self.code, self.permanent = error_class, code, permanent
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        suffix = f"（状态码 {self.code}）" if self.code is not None else ""
        return f"{self.error_class}: {REASONS[self.error_class]}{suffix}"


def http_status(status: int) -> DeliveryError:
    """A non-2xx answer: its family is the class, the code is kept, the body is not."""
    family = {3: "http_3xx", 4: "http_4xx"}.get(status // 100, "http_5xx")
    return DeliveryError(family, code=status)


def classify(exc: BaseException) -> DeliveryError:
    """The redacted form of any exception a send raised (the message text is dropped)."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, TimeoutError | httpx.TimeoutException | aiosmtplib.SMTPTimeoutError):
        return DeliveryError("timeout")
    smtp = _smtp(exc)
    if smtp is not None:
        return smtp
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLError):
            return DeliveryError("tls")
        if isinstance(cause, ConnectionRefusedError):
            return DeliveryError("refused")
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError | aiosmtplib.SMTPServerDisconnected):
        return DeliveryError("protocol")
    if isinstance(exc, httpx.ConnectError | aiosmtplib.SMTPConnectError | OSError):
        return DeliveryError("connect")
    return DeliveryError("unexpected")


def _smtp(exc: BaseException) -> DeliveryError | None:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return DeliveryError("smtp_recipient_refused", code=codes[0] if codes else None)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return DeliveryError("smtp_recipient_refused", code=exc.code)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return DeliveryError("smtp_sender_refused", code=exc.code)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return DeliveryError("smtp_auth", code=exc.code)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return DeliveryError("smtp_rejected", code=exc.code)
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes (httpx wraps the OSError or SSLError that really happened)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__
