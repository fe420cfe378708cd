async def test_ready_reports_database_and_broker(client):
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["database"] is True and body["broker"] is True
    assert body["outbox_pending"] == 0
