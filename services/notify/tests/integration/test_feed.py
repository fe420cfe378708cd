"""The public announcement feed (公示): HTML page and Atom feed, no token, in a real browser too."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from datetime import datetime
from xml.etree import ElementTree as ET

import httpx
import pytest
import uvicorn
from receivers import free_port
from samples import eventually, sample_dict

from notify.app import create_app
from shared.clock import DISTRICT_ZONE
from shared.contracts.procurement import AnnouncementStarted, ProjectSigned, SolicitationOpened
from shared.messaging.publish import publish_event

ATOM = "{http://www.w3.org/2005/Atom}"


def announcement(title: str, *, ends: str = "2026-03-13", objection: str = "2026-03-13") -> AnnouncementStarted:
    return AnnouncementStarted.model_validate(
        sample_dict(
            AnnouncementStarted,
            title=title,
            org_name="东四阳光助老服务中心",
            amount_cny="180000.00",
            starts_on="2026-03-06",
            ends_on=ends,
            objection_deadline=objection,
            working_days=5,
            street_code="110101006",
        )
        | {"occurred_at": "2026-03-06T09:00:00+08:00"}
    )


def solicitation(title: str) -> SolicitationOpened:
    return SolicitationOpened.model_validate(
        sample_dict(
            SolicitationOpened,
            title=title,
            opens_on="2026-03-02",
            closes_on="2026-03-20",
            round=1,
            budget_cny="200000.00",
        )
        | {"occurred_at": "2026-03-02T09:00:00+08:00"}
    )


def signed(title: str) -> ProjectSigned:
    return ProjectSigned.model_validate(
        sample_dict(
            ProjectSigned,
            title=title,
            org_name="和平里邻里互助社",
            amount_cny="150000.00",
            signed_on="2026-02-10",
            starts_on="2026-03-01",
            ends_on="2027-02-28",
            term_months=12,
        )
        | {"occurred_at": "2026-02-10T09:00:00+08:00"}
    )


async def publish_three(publisher) -> dict[str, str]:
    titles = {
        "announcement": f"东四街道居家养老服务项目{uuid.uuid4().hex[:4]}",
        "solicitation": f"垃圾分类宣传项目{uuid.uuid4().hex[:4]}",
        "contract": f"和平里邻里互助项目{uuid.uuid4().hex[:4]}",
    }
    await publish_event(publisher, announcement(titles["announcement"]))
    await publish_event(publisher, solicitation(titles["solicitation"]))
    await publish_event(publisher, signed(titles["contract"]))
    return titles


async def test_the_public_page_and_atom_feed_list_current_announcements_without_a_token(client, publisher):
    client.app.state.service.clock = lambda: datetime(2026, 3, 9, 10, tzinfo=DISTRICT_ZONE)
    titles = await publish_three(publisher)
    await publish_event(publisher, announcement("早已结束的公示项目", ends="2026-01-09", objection="2026-01-09"))

    async def page() -> str:
        response = await client.get("/public/announcements")
        assert response.status_code == 200
        return response.text if all(t in response.text for t in titles.values()) else ""

    html = await eventually(page)
    assert "公示公告" in html and "异议截止：2026年3月13日" in html
    assert "期间：2026年3月6日至2026年3月13日" in html
    assert "早已结束的公示项目" not in html
    assert response_is_html(await client.get("/public/announcements"))

    atom = await client.get("/public/announcements.atom")
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(atom.content)  # noqa: S314 - our own service's output
    entries = {e.findtext(f"{ATOM}title"): e for e in root.findall(f"{ATOM}entry")}
    assert f"【公示】{titles['announcement']}" in entries
    assert f"【项目征集】{titles['solicitation']}" in entries
    assert f"【签约公开】{titles['contract']}" in entries
    summary = entries[f"【公示】{titles['announcement']}"].findtext(f"{ATOM}summary") or ""
    assert "异议截止：2026年3月13日" in summary


def response_is_html(response: httpx.Response) -> bool:
    return response.headers["content-type"].startswith("text/html")


async def test_html_in_an_event_is_escaped_on_the_public_page(client, publisher):
    client.app.state.service.clock = lambda: datetime(2026, 3, 9, 10, tzinfo=DISTRICT_ZONE)
    await publish_event(publisher, announcement("<script>alert(1)</script>项目"))

    async def page() -> str:
        text = (await client.get("/public/announcements")).text
        return text if "alert(1)" in text else ""

    html = await eventually(page)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium absent (ops/install-tools.sh)")
async def test_the_announcement_page_renders_chinese_text_and_the_list_in_a_headless_browser(settings, publisher):
    assert CHROMIUM is not None, "CI must have chromium: run ops/install-tools.sh"
    port = free_port()
    app = create_app(settings.model_copy(update={"http_port": port}))
    app.state.service.clock = lambda: datetime(2026, 3, 9, 10, tzinfo=DISTRICT_ZONE)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: asyncio.sleep(0, result=server.started), timeout=30)
        await app.state.service.wait_ready(timeout=90)
        titles = await publish_three(publisher)
        url = f"http://127.0.0.1:{port}/public/announcements"

        async def listed() -> bool:
            async with httpx.AsyncClient() as http:
                text = (await http.get(url)).text
            return all(t in text for t in titles.values())

        await eventually(listed)
        with tempfile.TemporaryDirectory() as profile:
            proc = await asyncio.create_subprocess_exec(
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--dump-dom",
                url,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            dom_bytes, err = await asyncio.wait_for(proc.communicate(), timeout=90)
        dom = dom_bytes.decode("utf-8")
        assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
        assert "<h1>公示公告</h1>" in dom
        assert dom.count('<li class="item"') >= 3
        for title in titles.values():
            assert title in dom
        assert "异议截止：2026年3月13日" in dom
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, timeout=30)
