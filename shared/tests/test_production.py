"""Production mode refuses to start with an empty or development secret (or the development
issuer and its keys), naming what to set."""

from __future__ import annotations

import json

import pytest
from pydantic_settings import SettingsConfigDict

from shared.auth import DEV_ISSUER, DEV_JWKS_FILE, KeyRing
from shared.service import ServiceSettings


class KitSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_", extra="ignore")


GOOD = {
    "environment": "production",
    "auth_issuer": "https://console.district.example",
    "auth_jwks_url": "https://console.district.example/.well-known/jwks.json",
    "database_url": "postgresql://kit:Zq8%40x7p2@postgres:5432/kit",
    "amqp_url": "amqp://kit:Zq8x7p2Lm@rabbitmq:5672/",
}


def test_production_with_every_secret_set_starts():
    KitSettings(**GOOD).check_production()


@pytest.mark.parametrize(
    ("field", "value", "variable"),
    [
        # What Docker Compose renders from an unedited .env: empty values.
        pytest.param("auth_issuer", "", "KIT_AUTH_ISSUER", id="empty-issuer"),
        pytest.param("auth_jwks_url", None, "KIT_AUTH_JWKS_URL", id="no-key-source"),
        pytest.param("auth_jwks_url", "file:///etc/jwks.json", "KIT_AUTH_JWKS_URL", id="jwks-url-not-http"),
        pytest.param("database_url", "postgresql://kit:@postgres:5432/kit", "KIT_DATABASE_URL", id="empty-db-password"),
        pytest.param("amqp_url", "amqp://kit:@rabbitmq:5672/", "KIT_AMQP_URL", id="empty-amqp-password"),
        pytest.param("database_url", "postgresql://kit@postgres:5432/kit", "KIT_DATABASE_URL", id="no-db-password"),
        pytest.param("amqp_url", "amqp://rabbitmq:5672/", "KIT_AMQP_URL", id="no-amqp-credential"),
        # The development defaults.
        pytest.param("auth_issuer", DEV_ISSUER, "KIT_AUTH_ISSUER", id="dev-issuer"),
        pytest.param("database_url", "postgresql://kit:kit-dev-password@db/kit", "KIT_DATABASE_URL", id="dev-db"),
        pytest.param("amqp_url", "amqp://guest:guest@rabbitmq:5672/", "KIT_AMQP_URL", id="guest-amqp"),
    ],
)
def test_production_refuses_an_empty_or_development_secret_naming_the_variable(field, value, variable):
    with pytest.raises(RuntimeError, match="生产模式下拒绝启动") as refused:
        KitSettings(**{**GOOD, field: value}).check_production()
    assert variable in str(refused.value)
    assert not value or value not in str(refused.value)  # a refused secret is not echoed into logs


def test_development_mode_keeps_its_defaults():
    KitSettings().check_production()  # `make run` and the tests: development secrets are fine


def test_production_refuses_the_development_rings_keys(tmp_path):
    """The demo's keys (`make provision`'s ring, key ids `dev-…`) are refused in production, in
    whatever file they are handed over; a production ring's public keys are fine."""
    settings = {**GOOD, "auth_jwks_url": None}
    for path in (
        DEV_JWKS_FILE,
        KeyRing.ensure(tmp_path / "dev", development=True).write_public_jwks(tmp_path / "j.json"),
    ):
        with pytest.raises(RuntimeError, match="KIT_AUTH_JWKS_FILE") as refused:
            KitSettings(**settings, auth_jwks_file=path).check_production()
        assert "开发" in str(refused.value)
    (tmp_path / "empty.json").write_text(json.dumps({"keys": []}))
    with pytest.raises(RuntimeError, match="不含任何公钥"):
        KitSettings(**settings, auth_jwks_file=tmp_path / "empty.json").check_production()
    good = KeyRing.ensure(tmp_path / "prod").write_public_jwks(tmp_path / "prod.json")
    KitSettings(**settings, auth_jwks_file=good).check_production()


def test_one_key_source_only():
    with pytest.raises(ValueError, match="只能设置其一"):
        KitSettings(auth_jwks_url="http://console/.well-known/jwks.json", auth_jwks_file="/x.json")
    assert KitSettings().auth_jwks_file == DEV_JWKS_FILE  # development: the dev ring's public keys
    assert KitSettings(auth_jwks_url="http://c/j").auth_jwks_file is None
