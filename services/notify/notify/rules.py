"""Notification rules as data: which event reaches whom, by which channels, with which
reminders and feed entries. Defaults ship in `rules.toml`; an operator file overrides them
per event type (a whole entry replaces the default one) without a code change."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_RULES = Path(__file__).parent / "rules.toml"

CHANNELS = frozenset({"inbox", "email", "webhook"})
# role -> directory kind; sponsor and mentor are organisations named by another field.
RECIPIENT_KINDS: dict[str, str] = {
    "org": "org",
    "sponsor": "org",
    "mentor": "org",
    "applicant": "org",
    "orgs_in_domain": "org",
    "street": "street",
    "community": "community",  # a community platform, keyed `<street code>/<community>` (community_ref)
    "purchaser": "purchaser",
    "demand_purchaser": "purchaser",
    "district": "district",
    "district_system": "district_system",
    "reviewer": "reviewer",
    "monitor": "monitor",
    "account": "account",  # a person's console account, learned from the console's account events
}
FEED_KINDS = frozenset({"announcement", "solicitation", "contract", "notice"})


class RulesError(ValueError):
    """The rules file is malformed; the message names the event and the entry."""


@dataclass(frozen=True)
class RecipientSpec:
    """Send to the recipient(s) named by `field` of the event (a dotted path; lists fan out)."""

    to: str
    field: str
    channels: tuple[str, ...]
    street_field: str | None = None

    @property
    def kind(self) -> str:
        return RECIPIENT_KINDS[self.to]

    def as_json(self) -> dict[str, Any]:
        return {"to": self.to, "field": self.field, "channels": list(self.channels), "street_field": self.street_field}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str = "recipient") -> RecipientSpec:
        to = data.get("to")
        if to not in RECIPIENT_KINDS:
            raise RulesError(f"{where}: unknown recipient {to!r}; one of {sorted(RECIPIENT_KINDS)}")
        channels = tuple(data.get("channels", ["inbox"]))
        bad = [c for c in channels if c not in CHANNELS]
        if bad or not channels:
            raise RulesError(f"{where}: unknown channels {bad}; one of {sorted(CHANNELS)}")
        fld = data.get("field", "")
        if to != "district" and not fld:
            raise RulesError(f"{where}: recipient {to!r} needs a field")
        return cls(to=to, field=fld, channels=channels, street_field=data.get("street_field"))


@dataclass(frozen=True)
class FeedSpec:
    """Publish the event on the public announcement feed (公示)."""

    kind: str
    starts: str | None = None
    ends: str | None = None
    objection_deadline: str | None = None
    street_field: str | None = "street_code"
    when: str | None = None


@dataclass(frozen=True)
class ReminderSpec:
    """Remind recipients N working days before a deadline the event carries, and on the day."""

    name: str
    deadline: str
    thing: tuple[str, ...]
    workdays_before: tuple[int, ...]
    recipients: tuple[RecipientSpec, ...]


@dataclass(frozen=True)
class CancelSpec:
    """This event means the thing was done: cancel its reminders named `reminder`."""

    reminder: str
    thing: tuple[str, ...]


@dataclass(frozen=True)
class EventRule:
    routing_key: str
    recipients: tuple[RecipientSpec, ...] = ()
    feed: FeedSpec | None = None
    reminders: tuple[ReminderSpec, ...] = ()
    cancels: tuple[CancelSpec, ...] = ()
    when: str | None = None


@dataclass(frozen=True)
class Rules:
    events: dict[str, EventRule] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)

    def rule(self, routing_key: str) -> EventRule | None:
        return self.events.get(routing_key)

    def covers(self, routing_key: str) -> bool:
        return routing_key in self.events or routing_key in self.ignored

    def reminder_names(self) -> set[str]:
        return {r.name for rule in self.events.values() for r in rule.reminders}


def _event_rule(key: str, data: dict[str, Any]) -> EventRule:
    where = f"events.{key!r}"
    recipients = tuple(RecipientSpec.from_json(r, f"{where}.notify[{i}]") for i, r in enumerate(data.get("notify", [])))
    feed = None
    if "feed" in data:
        f = data["feed"]
        if f.get("kind") not in FEED_KINDS:
            raise RulesError(f"{where}.feed: kind must be one of {sorted(FEED_KINDS)}")
        feed = FeedSpec(
            kind=f["kind"],
            starts=f.get("starts"),
            ends=f.get("ends"),
            objection_deadline=f.get("objection_deadline"),
            street_field=f.get("street_field", "street_code"),
            when=f.get("when"),
        )
    reminders = []
    for i, r in enumerate(data.get("reminders", [])):
        rw = f"{where}.reminders[{i}]"
        if not r.get("name") or not r.get("deadline") or not r.get("thing"):
            raise RulesError(f"{rw}: needs name, deadline and thing")
        days = tuple(int(d) for d in r.get("workdays_before", [3, 0]))
        if any(d < 0 for d in days):
            raise RulesError(f"{rw}: workdays_before must not be negative")
        reminders.append(
            ReminderSpec(
                name=r["name"],
                deadline=r["deadline"],
                thing=tuple(r["thing"]),
                workdays_before=days,
                recipients=tuple(
                    RecipientSpec.from_json(x, f"{rw}.notify[{j}]") for j, x in enumerate(r.get("notify", []))
                ),
            )
        )
    cancels = tuple(CancelSpec(reminder=c["reminder"], thing=tuple(c["thing"])) for c in data.get("cancels", []))
    return EventRule(key, recipients, feed, tuple(reminders), cancels, data.get("when"))


def parse(data: dict[str, Any]) -> Rules:
    events = {key: _event_rule(key, value) for key, value in data.get("events", {}).items()}
    ignored = {str(k): str(v) for k, v in data.get("ignored", {}).items()}
    both = set(events) & set(ignored)
    if both:
        raise RulesError(f"both a rule and ignored: {sorted(both)}")
    rules = Rules(events, ignored)
    known = rules.reminder_names()
    for rule in events.values():
        for c in rule.cancels:
            if c.reminder not in known:
                raise RulesError(f"events.{rule.routing_key!r}.cancels: no reminder named {c.reminder!r}")
    return rules


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """The operator's entries replace the default ones per event type (an ignore wins over a rule and back)."""
    events = dict(base.get("events", {}))
    ignored = dict(base.get("ignored", {}))
    for key, value in override.get("events", {}).items():
        events[key] = value
        ignored.pop(key, None)
    for key, value in override.get("ignored", {}).items():
        ignored[key] = value
        events.pop(key, None)
    return {"events": events, "ignored": ignored}


def load(override_path: str | Path | None = None) -> Rules:
    base = tomllib.loads(DEFAULT_RULES.read_text(encoding="utf-8"))
    if override_path:
        base = merge(base, tomllib.loads(Path(override_path).read_text(encoding="utf-8")))
    return parse(base)
