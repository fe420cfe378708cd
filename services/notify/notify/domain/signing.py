"""Webhook signatures and signing-key rotation: pure functions of keys, bodies and time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SigningKey:
    """One of an organisation's webhook signing secrets (never shown in a repr or a log)."""

    key_id: str
    secret: str = field(repr=False)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(keys: Sequence[SigningKey], timestamp: int, body: bytes) -> str:
    """The X-SOGC-Signature header: `t=<unix seconds>,v1=<key id>:<hex HMAC-SHA256 of "<t>.<body>">`,
    one `v1` per key that signs (the new one first while a replaced one is in its grace period)."""
    return ",".join([f"t={timestamp}", *(f"v1={k.key_id}:{_mac(k.secret, timestamp, body)}" for k in keys)])


def verify_signature(
    header: str, body: bytes, secrets: Mapping[str, str], *, now: int, tolerance: int = 300
) -> str | None:
    """A receiver's check: the id of the key whose signature matches, when the signed timestamp is
    within `tolerance` seconds of `now` (older ones are replays); None otherwise."""
    items = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in items if name == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return None
    timestamp = int(stamps[0])
    for name, _, value in items:
        key_id, _, mac = value.partition(":")
        secret = secrets.get(key_id) if name == "v1" else None
        if secret is not None and hmac.compare_digest(mac, _mac(secret, timestamp, body)):
            return key_id
    return None


def retirements(valid_newest_first: Sequence[str], *, now: datetime, grace: timedelta) -> dict[str, datetime]:
    """When a new key is issued: the key that signed until now keeps signing for the grace period
    (receivers move to the new one meanwhile); any older key still in its own grace stops now."""
    return {key_id: now + grace if i == 0 else now for i, key_id in enumerate(valid_newest_first)}
