from testkit import eventually


async def test_ready_reports_database_and_broker_and_metrics_are_served(client):
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["database"] is True and ready.json()["broker"] is True
    assert (await client.get("/health")).status_code == 200
    assert "http_requests_total" in (await client.get("/metrics")).text


async def test_pages_carry_security_headers_and_htmx_is_served_locally(client):
    page = await client.get("/sign-in")
    assert page.status_code == 200 and "登录" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert '<script src="/static/htmx.min.js"' in page.text and "http" not in page.text.split("<script")[1][:60]
    htmx = await client.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text
    assert "Zero-Clause BSD" in (await client.get("/static/htmx.LICENSE")).text


async def test_the_outbox_drains(client, app):
    from .helpers import invite

    await invite(app, "drain")

    async def drained() -> bool:
        return (await client.get("/ready")).json()["outbox_pending"] == 0

    assert await eventually(drained)
