async def test_ready_reports_database_and_broker_and_consumes_its_keys(client):
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["database"] is True and body["broker"] is True
    service = client._transport.app.state.service
    assert set(service.consumers.routing_keys) == {
        "district.demand_published.v1",
        "registry.org_registered.v1",
        "registry.org_filed.v1",
        "registry.org_graduated.v1",
        "registry.org_status_changed.v1",
        "registry.org_profile_updated.v1",
        "venture.grant_awarded.v1",
        # the kit's, in every service: a disabled account's tokens are refused (shared/runtime/revocation.py)
        "console.account_disabled.v1",
        "console.account_enabled.v1",
    }
