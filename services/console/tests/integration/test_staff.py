"""Staff manage accounts through the pages: invite, disable, enable, reset, change roles — each
audited and each an event on the broker."""

from __future__ import annotations

import re

import asyncpg

from testkit import EventTap

from .helpers import PASSWORD, admin, browser, csrf_of, person, set_password, sign_in


async def account_id_of(settings, login: str):
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetchval("SELECT account_id FROM accounts WHERE login = $1", login)
    finally:
        await conn.close()


async def test_a_district_admin_invites_disables_enables_resets_and_changes_roles(app, client, clock, settings):
    await admin(app, client, clock)
    keys = [
        f"console.{k}.v1"
        for k in (
            "account_invited",
            "account_disabled",
            "account_enabled",
            "password_reset_issued",
            "account_roles_changed",
            "account_activated",
        )
    ]
    async with EventTap(*keys) as tap:
        form = await client.get("/staff/accounts/new")
        answer = await client.post(
            "/staff/accounts",
            data={
                "csrf_token": csrf_of(form.text),
                "login": "zhaolei",
                "display_name": "赵磊",
                "email": "zhaolei@example.org",
                "phone": "010-1234",
                "role": ["street_officer", "community_worker", ""],
                "street": ["110101006", "110101005", ""],
                "community": ["", "民安社区", ""],
                "purchaser": ["", "", ""],
                "org_id": ["", "", ""],
            },
        )
        assert answer.status_code == 303, answer.text
        page_url = answer.headers["location"]
        account_id = page_url.split("/")[3].split("?")[0]
        page = await client.get(page_url)
        assert "邀请已发送" in page.text and "街道工作人员" in page.text and "民安社区" in page.text
        body = (await tap.wait_for("console.account_invited.v1"))[0]
        assert body["account"]["login"] == "zhaolei" and body["actor"] == "alice"
        assert [r["role"] for r in body["account"]["roles"]] == ["street_officer", "community_worker"]
        link = body["invitation_url"]
        assert link.startswith("http://console.test/password/")

        async with browser(app) as zhao:
            assert (await set_password(zhao, link.rsplit("/", 1)[1])).status_code == 303
            assert (await sign_in(zhao, "zhaolei")).headers["location"] == "/account"
            await tap.wait_for("console.account_activated.v1")

            token = csrf_of(page.text)
            done = await client.post(
                f"/staff/accounts/{account_id}/disable", data={"csrf_token": token, "reason": "调离岗位"}
            )
            assert done.status_code == 303
            assert (await tap.wait_for("console.account_disabled.v1"))[0]["reason"] == "调离岗位"
            # The disabled person's old session ends at once.
            assert (await zhao.get("/account")).status_code == 303
            assert (await zhao.post("/session/token", headers={"X-CSRF-Token": "x"})).status_code in (401, 403)
            assert (await sign_in(zhao, "zhaolei")).status_code == 401

            await client.post(f"/staff/accounts/{account_id}/enable", data={"csrf_token": token})
            await tap.wait_for("console.account_enabled.v1")
            assert (await sign_in(zhao, "zhaolei")).status_code == 303

            await client.post(f"/staff/accounts/{account_id}/reset", data={"csrf_token": token})
            reset = (await tap.wait_for("console.password_reset_issued.v1"))[0]
            assert reset["reset_url"].startswith("http://console.test/password/") and reset["actor"] == "alice"

            changed = await client.post(
                f"/staff/accounts/{account_id}/roles",
                data={
                    "csrf_token": token,
                    "role": ["reviewer"],
                    "street": [""],
                    "community": [""],
                    "purchaser": [""],
                    "org_id": [""],
                },
            )
            assert changed.status_code == 303
            roles = (await tap.wait_for("console.account_roles_changed.v1"))[0]
            assert [r["role"] for r in roles["previous_roles"]] == ["street_officer", "community_worker"]
            assert (await zhao.get("/account")).status_code == 303, "new roles apply from the next sign-in"

    page = await client.get(f"/staff/accounts/{account_id}")
    actions = re.findall(r'<td>alice</td><td data-action="(\w+)">', page.text)
    assert {"invited", "disabled", "enabled", "password_reset_issued", "roles_changed"} <= set(actions)


async def test_the_list_filters_by_text_and_status_and_htmx_gets_only_the_table(app, client, clock):
    await admin(app, client, clock)
    async with browser(app) as other:
        await person(app, other, "qianfang")
    full = await client.get("/staff/accounts", params={"q": "qian"})
    assert "qianfang" in full.text and "<html" in full.text and "alice</a>" not in full.text
    part = await client.get("/staff/accounts", params={"status": "active"}, headers={"HX-Request": "true"})
    assert part.text.lstrip().startswith("<table") and "qianfang" in part.text and "alice" in part.text


async def test_bad_invitations_are_refused_naming_the_field_in_chinese(app, client, clock):
    await admin(app, client, clock)
    form = await client.get("/staff/accounts/new")
    base = {
        "csrf_token": csrf_of(form.text),
        "login": "li",
        "display_name": "李",
        "email": "li@example.org",
        "role": ["reviewer"],
        "street": [""],
        "community": [""],
        "purchaser": [""],
        "org_id": [""],
    }
    for change, words in [
        ({"login": "x"}, "登录名"),
        ({"email": "nope"}, "电子邮箱"),
        ({"role": ["street_officer"], "login": "lili"}, "街道代码"),
        ({"role": ["org"], "org_id": ["not-a-uuid"], "login": "lili"}, "组织编号"),
        ({"login": "alice"}, "已被使用"),
    ]:
        answer = await client.post("/staff/accounts", data={**base, **change})
        assert answer.status_code in (409, 422), answer.text
        assert words in answer.text


async def test_only_a_district_admin_reaches_the_staff_pages(app, client):
    await person(app, client, "reviewer1")
    for path in ("/staff/accounts", "/staff/accounts/new"):
        answer = await client.get(path)
        assert answer.status_code == 403 and "只有区级管理员" in answer.text
    page = await client.get("/account")
    answer = await client.post(
        "/staff/accounts",
        data={
            "csrf_token": csrf_of(page.text),
            "login": "evil",
            "display_name": "x",
            "email": "e@example.org",
            "role": ["district_admin"],
        },
    )
    assert answer.status_code == 403


async def test_an_admin_cannot_disable_themselves(app, client, clock, settings):
    await admin(app, client, clock)
    me = await account_id_of(settings, "alice")
    page = await client.get(f"/staff/accounts/{me}")
    answer = await client.post(
        f"/staff/accounts/{me}/disable", data={"csrf_token": csrf_of(page.text), "reason": "test"}
    )
    assert answer.status_code == 403 and "不能停用自己的账号" in answer.text
    assert PASSWORD
