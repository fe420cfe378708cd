"""Simplified-Chinese notices from jinja2 templates, strictly: a field the template needs
and the event lacks is an error, never a blank in a notice.

`templates/<template>.j2` (template = the routing key, or `reminder.<name>`) defines blocks
`subject` and `body`, and may define `<channel>_subject` / `<channel>_body` where a channel
needs other words. E-mail wraps the body in `_email.j2` (greeting and footer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from shared.clock import DISTRICT_ZONE
from shared.contracts import registry as registry_contracts
from shared.reference import DOMAIN_NAMES, ORG_STATUS_NAMES, ORG_TYPE_NAMES, STREETS

# Read defensively: the registry's contract module grows while notify is written.
ALLIANCE_CATEGORY_NAMES: dict[str, str] = getattr(registry_contracts, "ALLIANCE_CATEGORY_NAMES", {})
TEMPLATES = Path(__file__).parent / "templates"
SIGNATURE = "东城区社会组织指导服务中心"


def cn_date(value: Any) -> str:
    if value is None:
        raise ValueError("cn_date of a missing date")
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: Any) -> str:
    """An instant as the district reads it: date and minute in Beijing time."""
    if value is None:
        raise ValueError("cn_datetime of a missing instant")
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = at.astimezone(DISTRICT_ZONE)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"


def money(value: Any) -> str:
    return f"{Decimal(str(value)):,.2f} 元"


def street_name(code: Any) -> str:
    return STREETS.get(str(code), str(code)) if code else "（未指定街道）"


def domain_name(code: Any) -> str:
    return DOMAIN_NAMES.get(str(code), str(code))


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class Renderer:
    """Renders notices; one jinja2 environment, StrictUndefined."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,
            autoescape=False,  # noqa: S701 - plain-text notices; the public HTML page escapes on its own
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the service (or an operator's directory read at start): no stat
            # of the file on every render (it was ~3 % of notify's CPU under load).
            auto_reload=False,
        )
        self.env.filters.update(
            cn_date=cn_date, cn_datetime=cn_datetime, money=money, street=street_name, domain=domain_name
        )
        self.env.globals.update(
            street_name=street_name,
            domain_name=domain_name,
            org_type_name=lambda v: ORG_TYPE_NAMES.get(str(v), str(v)),
            org_status_name=lambda v: ORG_STATUS_NAMES.get(str(v), str(v)),
            category_name=lambda v: ALLIANCE_CATEGORY_NAMES.get(str(v), str(v)),
            SIGNATURE=SIGNATURE,
        )

    def exists(self, template: str) -> bool:
        return (Path(self.env.loader.searchpath[0]) / f"{template}.j2").exists()  # type: ignore[union-attr]

    def _block(self, tmpl: Template, names: list[str], ctx: dict[str, Any]) -> str:
        for name in names:
            if name in tmpl.blocks:
                return "".join(tmpl.blocks[name](tmpl.new_context(ctx))).strip()
        raise KeyError(f"template {tmpl.name} has no block {names[-1]!r}")

    def render(self, template: str, channel: str, payload: dict[str, Any], recipient: dict[str, Any]) -> Rendered:
        tmpl = self.env.get_template(f"{template}.j2")
        ctx = {**payload, "recipient": recipient, "channel": channel}
        subject = self._block(tmpl, [f"{channel}_subject", "subject"], ctx)
        body = self._block(tmpl, [f"{channel}_body", "body"], ctx)
        if channel == "email":
            body = self.env.get_template("_email.j2").render(recipient=recipient, content=body).strip()
        return Rendered(" ".join(subject.split()), body)
