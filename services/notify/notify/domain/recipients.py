"""Who an event reaches: the recipients a rule entry names in an event's payload, and the
deterministic id of each notice. No I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from notify.rules import RecipientSpec
from shared.reference import DISTRICT_CODE

NOTICE_NAMESPACE = uuid.UUID("6f0c6a52-4a55-4d1e-9a43-5f0b8d9c1e70")


@dataclass(frozen=True)
class Target:
    """One recipient an event names: its role in the rule, directory kind and key."""

    role: str
    kind: str
    key: str
    scope_street: str | None = None


def values_at(payload: Any, path: str) -> list[Any]:
    """Every value at a dotted path; lists on the way fan out, missing or null values vanish."""
    current: list[Any] = [payload]
    for part in path.split(".") if path else []:
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, list):
                nxt += [x.get(part) for x in item if isinstance(x, dict)]
            elif isinstance(item, dict):
                nxt.append(item.get(part))
        current = [x for x in nxt if x is not None]
    flat: list[Any] = []
    for item in current:
        flat += item if isinstance(item, list) else [item]
    return [x for x in flat if x is not None and x != ""]


def first(payload: Any, path: str | None) -> Any:
    found = values_at(payload, path) if path else []
    return found[0] if found else None


def condition_holds(payload: dict[str, Any], when: str | None) -> bool:
    """`field` must be truthy, `!field` falsy; no condition always holds."""
    if not when:
        return True
    negate = when.startswith("!")
    value = first(payload, when.lstrip("!"))
    return not value if negate else bool(value)


def targets(spec: RecipientSpec, payload: dict[str, Any]) -> list[Target]:
    """The recipients a rule entry names in this event (deduplicated, in order)."""
    street = first(payload, spec.street_field) if spec.street_field else first(payload, "street_code")
    role = spec.to
    if spec.to == "district":
        keys = [DISTRICT_CODE]
    elif spec.to == "demand_purchaser":
        # Procurement's answer names the demand's purchaser (an answer from before it did names
        # nobody to address); the purchaser's directory row is learned from the same event.
        named = payload.get("purchaser")
        role = "purchaser"
        keys = [str(named["code"])] if isinstance(named, dict) and named.get("code") else []
    else:
        keys = [str(v) for v in values_at(payload, spec.field)]
    seen: set[str] = set()
    out: list[Target] = []
    for key in keys:
        if key not in seen:
            seen.add(key)
            out.append(Target(role=role, kind=spec.kind, key=key, scope_street=street))
    return out


def notice_id(source_id: uuid.UUID, kind: str, key: str, channel: str) -> uuid.UUID:
    """Deterministic: the same (source event, recipient, channel) is always the same notice."""
    return uuid.uuid5(NOTICE_NAMESPACE, f"{source_id}|{kind}|{key}|{channel}")
