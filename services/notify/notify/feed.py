"""The public announcement feed (公示) as an HTML page and an Atom document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, time
from xml.etree import ElementTree as ET

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notify.rendering import SIGNATURE, cn_date, street_name
from notify.store import PublishedItem
from shared.clock import DISTRICT_ZONE

KIND_NAMES = {"announcement": "公示", "solicitation": "项目征集", "contract": "签约公开", "notice": "公告"}

_env = Environment(
    loader=PackageLoader("notify", "templates"),
    undefined=StrictUndefined,
    autoescape=select_autoescape(["html", "j2"]),
)
_env.filters.update(cn_date=cn_date, street=street_name)


def html_page(items: Sequence[PublishedItem], *, today: date) -> str:
    return _env.get_template("_public.html.j2").render(
        items=[asdict(i) for i in items], today=today, kinds=KIND_NAMES, signature=SIGNATURE
    )


def atom(items: Sequence[PublishedItem], *, base_url: str, now: datetime) -> bytes:
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    ET.SubElement(root, f"{{{ns}}}title").text = f"{SIGNATURE} · 公示公告"
    ET.SubElement(root, f"{{{ns}}}id").text = f"{base_url}/public/announcements"
    ET.SubElement(root, f"{{{ns}}}updated").text = now.isoformat()
    ET.SubElement(root, f"{{{ns}}}link", {"href": f"{base_url}/public/announcements.atom", "rel": "self"})
    ET.SubElement(root, f"{{{ns}}}link", {"href": f"{base_url}/public/announcements", "rel": "alternate"})
    author = ET.SubElement(root, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = SIGNATURE
    for item in items:
        entry = ET.SubElement(root, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = f"urn:uuid:{item.id}"
        ET.SubElement(entry, f"{{{ns}}}title").text = f"【{KIND_NAMES.get(item.kind, item.kind)}】{item.title}"
        ET.SubElement(entry, f"{{{ns}}}updated").text = item.created_at.isoformat()
        ET.SubElement(entry, f"{{{ns}}}published").text = datetime.combine(
            item.published_on, time(), DISTRICT_ZONE
        ).isoformat()
        ET.SubElement(entry, f"{{{ns}}}link", {"href": f"{base_url}/public/announcements#n-{item.id}"})
        ET.SubElement(entry, f"{{{ns}}}category", {"term": item.kind, "label": KIND_NAMES.get(item.kind, "")})
        lines = [item.body]
        if item.starts_on or item.ends_on:
            span = "至".join(cn_date(d) for d in (item.starts_on, item.ends_on) if d)
            lines.append(f"期间：{span}")
        if item.objection_deadline:
            lines.append(f"异议截止：{cn_date(item.objection_deadline)}")
        ET.SubElement(entry, f"{{{ns}}}summary", {"type": "text"}).text = "\n".join(lines)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
