"""Production mode refuses to start with an empty or development secret, naming what to set."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from shared.auth import DEV_SECRET
from shared.service import ServiceSettings


class KitSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KIT_", extra="ignore")


GOOD = {
    "environment": "production",
    "jwt_secret": "k" * 40,
    "database_url": "postgresql://kit:Zq8%40x7p2@postgres:5432/kit",
    "amqp_url": "amqp://kit:Zq8x7p2Lm@rabbitmq:5672/",
}


def test_production_with_every_secret_set_starts():
    KitSettings(**GOOD).check_production()


@pytest.mark.parametrize(
    ("field", "value", "variable"),
    [
        # What Docker Compose renders from an unedited .env: empty values.
        pytest.param("jwt_secret", "", "KIT_JWT_SECRET", id="empty-jwt-secret"),
        pytest.param("database_url", "postgresql://kit:@postgres:5432/kit", "KIT_DATABASE_URL", id="empty-db-password"),
        pytest.param("amqp_url", "amqp://kit:@rabbitmq:5672/", "KIT_AMQP_URL", id="empty-amqp-password"),
        pytest.param("database_url", "postgresql://kit@postgres:5432/kit", "KIT_DATABASE_URL", id="no-db-password"),
        pytest.param("amqp_url", "amqp://rabbitmq:5672/", "KIT_AMQP_URL", id="no-amqp-credential"),
        # The development defaults.
        pytest.param("jwt_secret", DEV_SECRET, "KIT_JWT_SECRET", id="dev-jwt-secret"),
        pytest.param("jwt_secret", "short", "KIT_JWT_SECRET", id="short-jwt-secret"),
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
