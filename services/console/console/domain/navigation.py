"""Where a page may send a person after signing in: a path on this site, never another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None, default: str = "/account") -> str:
    """`target` if it is a path on this site, else `default`: no scheme, no host, no `//` or `/\\`
    (browsers read both as a host), no control characters (a tab inside `/\t/evil` is dropped by
    browsers, making it `//evil`)."""
    if not target or len(target) > 500 or not target.startswith("/") or _CONTROL.search(target):
        return default
    if target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
