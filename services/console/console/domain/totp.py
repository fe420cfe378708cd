"""The second factor: TOTP (RFC 6238, 30-second steps, 6 digits) as authenticator apps read it
(pyotp). A code is accepted one step either side, and never twice (the last step used is kept)."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER_NAME = "东城区社会组织指导服务中心"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER_NAME)


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to, or None: wrong, outside ±1 step, or already used."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    found = None
    for step in (current - 1, current, current + 1):
        # Every candidate is compared (no early exit): the time taken does not say which matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            found = step
    return found


def code_at(secret: str, when: datetime) -> str:
    """The code an authenticator shows at `when` (for tests and the enrolment check)."""
    return pyotp.TOTP(secret).at(when)
