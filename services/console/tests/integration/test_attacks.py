"""Attacks on signing in, over HTTP: wrong passwords until lockout, a replayed or expired link,
CSRF on every form, session fixation, open redirects in `next=`, and a disabled user's old session."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from console.domain import totp

from .helpers import PASSWORD, admin, browser, csrf_of, invite, person, set_password, sign_in


async def audit_actions(settings, login: str) -> list[str]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch(
            "SELECT action FROM audit a JOIN accounts USING (account_id) WHERE login = $1 ORDER BY audit_id", login
        )
        return [r["action"] for r in rows]
    finally:
        await conn.close()


async def test_wrong_passwords_until_lockout_then_the_right_one_is_refused_too(app, client, clock, settings):
    await set_password(client, await invite(app, "wuqiang"))
    for _ in range(3):  # lockout_failures=3 in the tests' settings
        wrong = await sign_in(client, "wuqiang", "Wrong-password-1")
        assert wrong.status_code == 401 and "登录名或密码错误" in wrong.text
    locked = await sign_in(client, "wuqiang")
    assert locked.status_code == 423 and "临时锁定" in locked.text
    assert "sogc_session" not in locked.cookies
    assert (await audit_actions(settings, "wuqiang")).count("sign_in_failed") == 3
    assert "locked" in await audit_actions(settings, "wuqiang")
    clock.offset = timedelta(minutes=16)
    assert (await sign_in(client, "wuqiang")).status_code == 303


async def test_an_address_with_too_many_failures_is_refused(app, settings):
    await person(app, browser(app, "10.1.1.1"), "zhouli")
    async with browser(app, "10.6.6.6") as attacker:
        for i in range(20):
            await sign_in(attacker, f"guess{i}", "x")
        refused = await sign_in(attacker, "zhouli")
        assert refused.status_code == 429 and "稍后再试" in refused.text
    async with browser(app, "10.1.1.2") as someone:
        assert (await sign_in(someone, "zhouli")).status_code == 303


async def test_an_invitation_link_works_once(app, client):
    secret = await invite(app, "replay")
    assert (await set_password(client, secret)).status_code == 303
    again = await client.get(f"/password/{secret}")
    assert again.status_code == 410 and "已使用" in again.text
    page = await client.get("/sign-in")
    posted = await client.post(
        f"/password/{secret}",
        data={"csrf_token": csrf_of(page.text), "password": "Other-pass-2026", "confirm": "Other-pass-2026"},
    )
    assert posted.status_code == 410
    assert (await sign_in(client, "replay", "Other-pass-2026")).status_code == 401


async def test_an_expired_invitation_link_is_refused(app, client, clock):
    secret = await invite(app, "late")
    clock.offset = timedelta(days=7, minutes=1)
    answer = await client.get(f"/password/{secret}")
    assert answer.status_code == 410 and "已过期" in answer.text
    assert (await client.get("/password/not-a-real-secret")).status_code == 404


async def test_a_weak_password_is_refused_naming_the_rule(app, client):
    secret = await invite(app, "weakling")
    answer = await set_password(client, secret, "weakling-2026A")
    assert answer.status_code == 422 and "不能包含登录名" in answer.text
    assert (await set_password(client, secret)).status_code == 303


def forms(account_id: str, secret: str) -> list[tuple[str, dict[str, object]]]:
    """Every form that changes something, with fields that would otherwise be accepted."""
    roles = {"role": ["reviewer"], "street": [""], "community": [""], "purchaser": [""], "org_id": [""]}
    return [
        ("/sign-in", {"login": "alice", "password": PASSWORD}),
        ("/sign-in/totp", {"code": "123456"}),
        ("/sign-out", {}),
        ("/sign-out/everywhere", {}),
        (f"/password/{secret}", {"password": PASSWORD, "confirm": PASSWORD}),
        ("/account/acting-role", {"role": "0"}),
        (
            "/account/password",
            {"current_password": PASSWORD, "password": "New-pass-2026x", "confirm": "New-pass-2026x"},
        ),
        ("/account/totp", {"code": "123456"}),
        ("/staff/accounts", {"login": "csrfvictim", "display_name": "x", "email": "x@example.org", **roles}),
        (f"/staff/accounts/{account_id}/disable", {"reason": "csrf"}),
        (f"/staff/accounts/{account_id}/enable", {}),
        (f"/staff/accounts/{account_id}/reset", {}),
        (f"/staff/accounts/{account_id}/roles", roles),
        ("/session/token", {}),
    ]


async def test_every_form_refuses_a_request_without_its_csrf_token(app, client, clock, settings):
    await admin(app, client, clock)
    secret = await invite(app, "target")
    conn = await asyncpg.connect(settings.database_url)
    target = str(await conn.fetchval("SELECT account_id FROM accounts WHERE login = 'target'"))
    before = await conn.fetchval("SELECT count(*) FROM audit")
    async with browser(app) as other:
        foreign = csrf_of((await other.get("/sign-in")).text)  # a valid token, of someone else's cookie
    for path, data in forms(target, secret):
        for token in (None, "", foreign, "0" * 64):
            body = dict(data) | ({} if token is None else {"csrf_token": token})
            answer = await client.post(path, data=body)
            assert answer.status_code == 403, (path, token, answer.status_code, answer.text[:300])
            assert "CSRF" in answer.text
    assert await conn.fetchval("SELECT count(*) FROM audit") == before, "nothing was done"
    assert await conn.fetchval("SELECT status FROM accounts WHERE login = 'target'") == "invited"
    await conn.close()
    assert (await client.get("/account")).status_code == 200, "still signed in"


async def test_a_session_id_planted_before_sign_in_is_never_the_session(app, client):
    await set_password(client, await invite(app, "fixated"))
    client.cookies.set("sogc_session", "attacker-knows-this-value", domain="console.test")
    answer = await sign_in(client, "fixated")
    assert answer.status_code == 303
    issued = answer.cookies["sogc_session"]
    assert issued != "attacker-knows-this-value" and len(issued) >= 40
    async with browser(app) as attacker:
        attacker.cookies.set("sogc_session", "attacker-knows-this-value", domain="console.test")
        assert (await attacker.get("/account")).status_code == 303


async def test_each_step_of_signing_in_issues_a_new_session_id(app, client, clock):
    secret = await admin(app, client, clock, login="stepper")
    await client.post("/sign-out", data={"csrf_token": csrf_of((await client.get("/account")).text)})
    first = await sign_in(client, "stepper")
    assert first.headers["location"].startswith("/sign-in/totp")
    half = first.cookies["sogc_session"]
    page = await client.get("/sign-in/totp")
    clock.offset = timedelta(seconds=60)  # the enrolment's code is spent; the next step's is new
    done = await client.post(
        "/sign-in/totp", data={"csrf_token": csrf_of(page.text), "code": totp.code_at(secret, clock())}
    )
    assert done.status_code == 303 and done.cookies["sogc_session"] != half
    async with browser(app) as stolen:  # the half-way id (seen before the second factor) is worth nothing
        stolen.cookies.set("sogc_session", half, domain="console.test")
        assert (await stolen.get("/account")).status_code == 303


EVIL_TARGETS = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "http:evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example".replace("%2F", "/"),
]


async def test_next_never_sends_a_person_to_another_site(app, client):
    await set_password(client, await invite(app, "redirected"))
    for target in EVIL_TARGETS:
        page = await client.get("/sign-in", params={"next": target})
        assert "evil" not in page.text, target
        # The form's hidden field is what the page offers; a forged POST gets no further.
        answer = await sign_in(client, "redirected", next=target)
        assert answer.status_code == 303 and answer.headers["location"] == "/account", target
        await client.post("/sign-out", data={"csrf_token": csrf_of((await client.get("/account")).text)})


async def test_next_keeps_a_path_on_the_site(app, client):
    await set_password(client, await invite(app, "pathy"))
    answer = await sign_in(client, "pathy", next="/account?tab=roles")
    assert answer.headers["location"] == "/account?tab=roles"


async def test_a_disabled_users_old_session_is_dead_at_once(app, client, clock, settings):
    await admin(app, client, clock)
    async with browser(app) as victim:
        await person(app, victim, "leaver")
        page = await victim.get("/account")
        token = csrf_of(page.text)
        assert (await victim.post("/session/token", headers={"X-CSRF-Token": token})).status_code == 200
        conn = await asyncpg.connect(settings.database_url)
        leaver = await conn.fetchval("SELECT account_id FROM accounts WHERE login = 'leaver'")
        await conn.close()
        staff_page = await client.get(f"/staff/accounts/{leaver}")
        await client.post(
            f"/staff/accounts/{leaver}/disable", data={"csrf_token": csrf_of(staff_page.text), "reason": "离职"}
        )
        assert (await victim.get("/account")).status_code == 303
        renewed = await victim.post("/session/token", headers={"X-CSRF-Token": token})
        assert renewed.status_code in (401, 403)


async def test_sign_out_everywhere_ends_every_session(app):
    async with browser(app) as phone, browser(app) as laptop:
        await person(app, phone, "twodevices")
        assert (await sign_in(laptop, "twodevices")).status_code == 303
        page = await laptop.get("/account")
        assert "当前有 2 处登录" in page.text
        await laptop.post("/sign-out/everywhere", data={"csrf_token": csrf_of(page.text)})
        assert (await phone.get("/account")).status_code == 303
        assert (await laptop.get("/account")).status_code == 303


async def test_session_cookies_are_httponly_samesite_and_secure_when_configured(app, client):
    await set_password(client, await invite(app, "cookies"))
    answer = await sign_in(client, "cookies")
    header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("sogc_session="))
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    service = app.state.service
    service.console_settings.secure_cookies = True
    try:
        async with browser(app) as other:  # over http a Secure cookie is not sent back: CSRF fails
            assert (await sign_in(other, "cookies")).status_code == 403
        async with browser(app, base_url="https://console.test") as other:
            answer = await sign_in(other, "cookies")
        header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("sogc_session="))
        assert "Secure" in header
    finally:
        service.console_settings.secure_cookies = False


async def test_housekeeping_forgets_expired_sessions_and_old_failures(app, client, clock, settings):
    await set_password(client, await invite(app, "tidy"))
    assert (await sign_in(client, "tidy")).status_code == 303
    await sign_in(browser(app, "10.7.7.7"), "tidy", "wrong")
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM sessions") >= 1
        assert await conn.fetchval("SELECT count(*) FROM signin_failures") == 1
        clock.offset = timedelta(hours=9)
        await app.state.service.keep_house()
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 0
        assert await conn.fetchval("SELECT count(*) FROM signin_failures") == 0
    finally:
        await conn.close()
    assert (await client.get("/account")).status_code == 303
