"""Where this checkout's tests run: the admin connections, and names in its test namespace."""

from __future__ import annotations

import os

ADMIN_DSN = os.environ.get("TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
# Two checkouts can run their suites on one machine side by side: with SOGC_TEST_NS set, every
# test database, vhost and port is their own (`make provision` provisions the namespaced vhosts).
NAMESPACE = os.environ.get("SOGC_TEST_NS", "")
PORT_OFFSET = int(os.environ.get("SOGC_TEST_PORT_OFFSET", "0"))


def namespaced(name: str) -> str:
    """A database or vhost name of this checkout's test namespace."""
    return f"{name}_{NAMESPACE}" if NAMESPACE else name


TEST_VHOST = os.environ.get("TEST_AMQP_VHOST", namespaced("sogc_test"))
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1:5672")
ADMIN_AMQP_URL = os.environ.get("TEST_ADMIN_AMQP_URL", f"amqp://guest:guest@{AMQP_HOST}/{TEST_VHOST}")


def service_amqp_url(service: str) -> str:
    """The service's own RabbitMQ user on the test vhost, as provisioned."""
    return f"amqp://{service}:{service}-dev-password@{AMQP_HOST}/{TEST_VHOST}"
