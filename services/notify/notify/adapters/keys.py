"""Each organisation's webhook signing secrets: generated here, shown once, kept encrypted.

Notify must read a secret back to sign with it (HMAC is symmetric), so it cannot be hashed like a
password; it is sealed with AES-256-GCM under a key from the settings, with the organisation and
key id as associated data, so a database dump or backup alone forges nothing, and a sealed secret
copied onto another organisation's row does not open.
"""

from __future__ import annotations

import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def new_key_id() -> str:
    return "whk_" + secrets.token_hex(8)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class SecretBox:
    """Seals and opens signing secrets with the operator's key (32 bytes, base64url)."""

    def __init__(self, key: str) -> None:
        self._aead = AESGCM(base64.urlsafe_b64decode(key.encode()))

    def seal(self, org_id: str, key_id: str, secret: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), _bound(org_id, key_id))

    def open(self, org_id: str, key_id: str, sealed: bytes) -> str:
        try:
            plain = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _bound(org_id, key_id))
        except InvalidTag:
            raise ValueError(f"webhook key {key_id} does not open with this encryption key") from None
        return plain.decode()


def _bound(org_id: str, key_id: str) -> bytes:
    return f"{org_id}|{key_id}".encode()
