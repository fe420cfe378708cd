"""Static checks of the Docker Compose deployment (no Docker engine runs here)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "venture", "procurement", "notify")
PORTS = {"registry": 8001, "venture": 8002, "procurement": 8003, "notify": 8004}


def compose_config() -> dict:
    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose must be installed in CI (ops/install-tools.sh)")
        pytest.skip("docker-compose not installed (ops/install-tools.sh installs it)")
    out = subprocess.run(
        [exe, "--env-file", str(ROOT / ".env.example"), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return yaml.safe_load(out)


def present() -> list[str]:
    return [s for s in SERVICES if (ROOT / "services" / s / "pyproject.toml").exists()]


def test_compose_file_is_valid_and_every_container_has_a_health_check_and_restart_policy():
    config = compose_config()
    services = config["services"]
    assert set(SERVICES) | {"rabbitmq", "postgres", "mailcatcher"} <= set(services)
    for name, svc in services.items():
        assert "healthcheck" in svc, f"{name} has no health check"
        assert svc.get("restart") in ("unless-stopped", "always"), f"{name} has no restart policy"
    for name in SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["rabbitmq"]["condition"] == "service_healthy"


def test_each_service_has_its_own_database_and_broker_credentials():
    services = compose_config()["services"]
    seen: dict[str, str] = {}
    for name in SERVICES:
        env = services[name]["environment"]
        db_url, amqp_url = env[f"{name.upper()}_DATABASE_URL"], env[f"{name.upper()}_AMQP_URL"]
        assert re.match(rf"postgresql://{name}:[^@]+@postgres:5432/{name}$", db_url), db_url
        assert re.match(rf"amqp://{name}:[^@]+@rabbitmq:5672/$", amqp_url), amqp_url
        for cred in (db_url.split("@")[0], amqp_url.split("@")[0]):
            assert cred not in seen, f"{name} shares credentials with {seen.get(cred)}"
            seen[cred] = name


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_runs_an_importable_module_on_the_configured_port(name):
    if name not in present():
        pytest.skip(f"services/{name} is not in this tree yet")
    dockerfile = (ROOT / "services" / name / "Dockerfile").read_text()
    cmd = re.search(r'^CMD \["python", "-m", "([a-z_]+)"\]', dockerfile, re.M)
    assert cmd, "CMD must be python -m <module>"
    assert importlib.util.find_spec(cmd.group(1)) is not None
    assert f"EXPOSE {PORTS[name]}" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M), "images run as a non-root user"
    config = importlib.import_module(f"{name}.config")
    assert config.Settings().http_port == PORTS[name]
    assert f"{PORTS[name]}:{PORTS[name]}" in (ROOT / "docker-compose.yml").read_text()


def test_definitions_file_grants_the_same_permissions_as_local_provisioning():
    from ops.provision import SERVICES as provisioned
    from ops.provision import service_permissions, service_topic_permissions

    defs = json.loads((ROOT / "ops" / "rabbitmq" / "definitions.json").read_text())
    perms = {p["user"]: (p["configure"], p["write"], p["read"]) for p in defs["permissions"]}
    topics = {(t["user"], t["exchange"]): (t["write"], t["read"]) for t in defs["topic_permissions"]}
    for svc in provisioned:
        assert perms[svc] == service_permissions(svc)
        for exchange, write, read in service_topic_permissions(svc):
            assert topics[(svc, exchange)] == (write, read)
    assert {e["name"] for e in defs["exchanges"]} == {"events", "events.dlx", "events.unrouted"}
    assert defs["policies"][0]["definition"] == {"alternate-exchange": "events.unrouted"}
