"""The test kit: helpers for tests against the real PostgreSQL and RabbitMQ (imported by conftest
files, tests, ops/system.py and the benchmark). Installed by the development install only
(`make install`); the services' runtime images do not ship it."""

from testkit.broker import EventTap, RawTimestamp, publish_message, purge_queues, raw_timestamps
from testkit.databases import fresh_database, migrations_key, service_migrations
from testkit.http import RawAnswer, dev_ring, send_until_answered, served, token
from testkit.namespace import (
    ADMIN_AMQP_URL,
    ADMIN_DSN,
    AMQP_HOST,
    NAMESPACE,
    PORT_OFFSET,
    TEST_VHOST,
    namespaced,
    service_amqp_url,
)
from testkit.tokens import attack_tokens, forged_token
from testkit.waiting import eventually

__all__ = [
    "ADMIN_AMQP_URL",
    "ADMIN_DSN",
    "AMQP_HOST",
    "NAMESPACE",
    "PORT_OFFSET",
    "TEST_VHOST",
    "EventTap",
    "RawAnswer",
    "RawTimestamp",
    "attack_tokens",
    "dev_ring",
    "eventually",
    "forged_token",
    "fresh_database",
    "migrations_key",
    "namespaced",
    "publish_message",
    "purge_queues",
    "raw_timestamps",
    "send_until_answered",
    "served",
    "service_amqp_url",
    "service_migrations",
    "token",
]
