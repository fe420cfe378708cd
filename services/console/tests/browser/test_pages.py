"""The pages in a real browser (Playwright driving Debian's Chromium): a district admin's first
sign-in with TOTP enrolment, inviting a person who sets a password from the link, the staff list
with its htmx filter, disabling an account whose open page then loses its session, and the
keyboard path through the sign-in form. Screenshots go to var/screenshots/ (not committed)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.app import create_app
from console.domain import totp
from console.domain.accounts import Grant, Profile
from console.handlers import accounts as cases
from shared.auth import Role
from testkit import served

pytestmark = pytest.mark.integration
SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"
PASSWORD = "Lanterns-2026"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
async def site(settings, clock) -> AsyncIterator[tuple[str, Any]]:
    app = create_app(settings, clock=clock)
    async with served(app) as port:
        await app.state.service.wait_ready()
        yield f"http://127.0.0.1:{port}", app


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


async def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


async def invitation(app: Any, login: str, roles: list[Grant]) -> str:
    service = app.state.service
    async with service.unit_of_work() as uow:
        _, events = await cases.invite(
            uow.stores.accounts,
            Profile(login, "李华", f"{login}@example.org"),
            roles,
            actor="operator",
            now=service.clock(),
            links=service.links,
        )
        uow.emit(events)
    return str(events[0].invitation_url).replace("http://console.test", "")


async def test_an_admin_signs_in_enrols_totp_invites_a_person_and_disables_them(site, browser, clock):
    base, app = site
    context = await browser.new_context(base_url=base, locale="zh-CN", viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The first admin's invitation link (an operator's `python -m console.admin invite`).
    await page.goto(await invitation(app, "lihua", [Grant(Role.DISTRICT_ADMIN)]))
    await shot(page, "set-password")
    await page.get_by_label("新密码", exact=True).fill(PASSWORD)
    await page.get_by_label("再次输入新密码").fill(PASSWORD)
    await page.get_by_role("button", name="设置密码").click()
    await page.wait_for_url(re.compile(r"/sign-in\?done=password"))
    await page.get_by_label("登录名").fill("lihua")
    await page.get_by_label("密码").fill(PASSWORD)
    await shot(page, "sign-in")
    await page.get_by_role("button", name="登录").click()

    # A district admin enrols TOTP before anything else.
    await page.wait_for_url(re.compile(r"/account/totp"))
    await page.get_by_text("区级管理员账号必须启用两步验证").wait_for()
    await shot(page, "totp-enrolment")
    secret = (await page.locator("#totp-secret").inner_text()).strip()
    await page.get_by_label("验证码").fill(totp.code_at(secret, clock()))
    await page.get_by_role("button", name="启用两步验证").click()
    await page.locator("#recovery-codes li").first.wait_for()
    assert await page.locator("#recovery-codes li").count() == 10
    await shot(page, "recovery-codes")
    await page.get_by_role("link", name="我已保存，继续").click()
    await page.wait_for_url(re.compile(r"/account$"))
    await shot(page, "my-account")

    # Invite a street officer through the form.
    await page.get_by_role("link", name="账号管理").click()
    await page.get_by_role("link", name="邀请新用户").click()
    await page.get_by_label("登录名").fill("zhaolei")
    await page.get_by_label("姓名").fill("赵磊")
    await page.get_by_label("电子邮箱").fill("zhaolei@example.org")
    await page.locator("select[name=role]").first.select_option("street_officer")
    await page.locator("select[name=street]").first.select_option("110101006")
    await shot(page, "staff-invite")
    await page.get_by_role("button", name="发送邀请").click()
    await page.get_by_text("邀请已发送").wait_for()
    await shot(page, "staff-account")

    # The invitee sets a password and signs in in their own browser.
    service = app.state.service
    async with service.reading() as stores:
        invited = await stores.accounts.by_login("zhaolei")
    assert invited is not None and invited.status.value == "invited"
    async with service.unit_of_work() as uow:  # a fresh link, as a re-sent invitation
        (event,) = await cases.reset_password(
            uow.stores.accounts, invited.account_id, actor="lihua", now=clock(), links=service.links
        )
        uow.emit([event])
    other = await browser.new_context(base_url=base, locale="zh-CN")
    zhao = await other.new_page()
    await zhao.goto(str(event.invitation_url).replace("http://console.test", ""))  # type: ignore[attr-defined]
    await zhao.get_by_label("新密码", exact=True).fill("Hutong-Lane-88")
    await zhao.get_by_label("再次输入新密码").fill("Hutong-Lane-88")
    await zhao.get_by_role("button", name="设置密码").click()
    await zhao.get_by_label("登录名").fill("zhaolei")
    await zhao.get_by_label("密码").fill("Hutong-Lane-88")
    await zhao.get_by_role("button", name="登录").click()
    await zhao.wait_for_url(re.compile(r"/account$"))
    await zhao.get_by_text("街道工作人员（东四街道）").first.wait_for()

    # The staff list filters with htmx (the table is swapped, the URL keeps the filter).
    await page.get_by_role("link", name="返回账号列表").click()
    await page.get_by_label("搜索").fill("zhao")
    await page.get_by_role("button", name="筛选").click()
    await page.wait_for_url(re.compile(r"q=zhao"))
    await page.locator("#accounts tbody tr").filter(has_text="赵磊").wait_for()
    assert await page.locator("#accounts tbody tr").count() == 1
    await shot(page, "staff-accounts")

    # Disabling ends the officer's session at once: their next click lands on the sign-in page.
    await page.get_by_role("link", name="zhaolei").click()
    await page.get_by_label("停用原因").fill("调离岗位")
    await page.get_by_role("button", name="停用账号").click()
    await page.get_by_text("账号已停用，其所有登录已立即退出").wait_for()
    await zhao.reload()
    await zhao.wait_for_url(re.compile(r"/sign-in"))
    await zhao.get_by_label("登录名").fill("zhaolei")
    await zhao.get_by_label("密码").fill("Hutong-Lane-88")
    await zhao.get_by_role("button", name="登录").click()
    await zhao.get_by_role("alert").wait_for()
    await shot(zhao, "sign-in-refused")
    assert errors == [], errors  # no script error, no resource refused by the CSP


async def test_sign_in_works_from_the_keyboard_alone(site, browser):
    base, app = site
    context = await browser.new_context(base_url=base, locale="zh-CN")
    page = await context.new_page()
    await page.goto(await invitation(app, "keyboard", [Grant(Role.REVIEWER)]))
    await page.keyboard.press("Tab")  # skip link
    await page.keyboard.press("Tab")
    for _ in range(6):
        if await page.evaluate("document.activeElement.id") == "password":
            break
        await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/sign-in"))
    assert await page.evaluate("document.activeElement.id") == "login"  # autofocus
    await page.keyboard.type("keyboard")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/account$"))


async def test_the_development_mail_page_lists_what_the_catcher_received(site, browser, settings):
    base, _ = site
    settings.dev_maildir.mkdir(parents=True, exist_ok=True)
    (settings.dev_maildir / "0001.eml").write_text(
        "From: notify@sogc.example\r\nTo: zhaolei@example.org\r\nSubject: =?utf-8?b?"
        "6K+36K6+572u5a+G56CB?=\r\nDate: Thu, 03 Dec 2026 17:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n请打开链接设置密码：http://127.0.0.1:8005/password/abc\r\n",
        encoding="utf-8",
    )
    page = await (await browser.new_context(base_url=base, locale="zh-CN")).new_page()
    await page.goto("/dev/mail")
    await page.get_by_role("link", name="请设置密码").click()
    await page.get_by_text("请打开链接设置密码").wait_for()
    await shot(page, "dev-mail")
