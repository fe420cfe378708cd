from testkit import eventually


async def test_ready_reports_database_and_broker(client):
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["database"] is True and body["broker"] is True


async def test_seeded_platform_announcements_are_relayed_so_the_outbox_drains(client):
    async def drained() -> bool:
        return (await client.get("/ready")).json()["outbox_pending"] == 0

    assert await eventually(drained)
