"""Static checks of the Docker Compose deployment (no Docker engine runs here)."""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "venture", "procurement", "notify", "console")
PORTS = {"registry": 8001, "venture": 8002, "procurement": 8003, "notify": 8004, "console": 8005}
ISSUER = "https://console.district.example"
SECRET = re.compile(r"(SECRET|PASSWORD|_KEY)$")
# Every committed file an operator deploys with.
DEPLOYMENT_FILES = [
    ROOT / "docker-compose.yml",
    ROOT / ".env.example",
    ROOT / "ops" / "Dockerfile",
    *sorted((ROOT / "ops" / "rabbitmq").iterdir()),
    *sorted((ROOT / "ops" / "postgres").iterdir()),
    ROOT / "ops" / "service.Dockerfile",
    *sorted((ROOT / "ops" / "standins").iterdir()),
]


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def operator_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """.env.example as an operator fills it in (every secret a fresh random value), then `changes`
    (None drops a line); written to tmp_path/.env for Compose."""
    values = {k: secrets.token_urlsafe(24) if SECRET.search(k) else v for k, v in env_example().items()}
    values["AUTH_ISSUER"] = ISSUER
    values.update({k: v for k, v in changes.items() if v is not None})
    values = {k: v for k, v in values.items() if changes.get(k, "") is not None}
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return values


def compose(env_file: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("docker-compose")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose must be installed in CI (ops/install-tools.sh)")
        pytest.skip("docker-compose not installed (ops/install-tools.sh installs it)")
    return subprocess.run(
        [exe, "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
    )


def compose_config(tmp_path: Path, **changes: str | None) -> tuple[dict, dict[str, str]]:
    """The deployment as Compose renders it from a filled-in .env, and that .env's values."""
    values = operator_env(tmp_path, **changes)
    done = compose(tmp_path / ".env")
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout), values


def one_shot(name: str, services: dict) -> bool:
    """A container that runs to completion: a tool (profiles) or one others wait to complete."""
    waited = any(
        (svc.get("depends_on") or {}).get(name, {}).get("condition") == "service_completed_successfully"
        for svc in services.values()
    )
    return bool(services[name].get("profiles")) or waited


def present() -> list[str]:
    return [s for s in SERVICES if (ROOT / "services" / s / "pyproject.toml").exists()]


def test_compose_file_is_valid_and_every_container_has_a_health_check_and_restart_policy(tmp_path):
    config, _ = compose_config(tmp_path)
    services = config["services"]
    assert set(SERVICES) | {"rabbitmq", "postgres", "mailcatcher"} <= set(services)
    for name, svc in services.items():
        if one_shot(name, services):
            assert svc.get("restart") == "no", f"{name} runs once: it must not be restarted"
            continue
        assert "healthcheck" in svc, f"{name} has no health check"
        assert svc.get("restart") in ("unless-stopped", "always"), f"{name} has no restart policy"
    for name in SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["rabbitmq"]["condition"] == "service_healthy"


def test_each_service_has_its_own_database_and_broker_credentials(tmp_path):
    services = compose_config(tmp_path)[0]["services"]
    seen: dict[str, str] = {}
    for name in SERVICES:
        env = services[name]["environment"]
        db_url, amqp_url = env[f"{name.upper()}_DATABASE_URL"], env[f"{name.upper()}_AMQP_URL"]
        assert re.match(rf"postgresql://{name}:[^@]+@postgres:5432/{name}$", db_url), db_url
        assert re.match(rf"amqp://{name}:[^@]+@rabbitmq:5672/$", amqp_url), amqp_url
        for cred in (db_url.split("@")[0], amqp_url.split("@")[0]):
            assert cred not in seen, f"{name} shares credentials with {seen.get(cred)}"
            seen[cred] = name


def test_one_image_recipe_serves_every_service():
    """The four services are built from ops/service.Dockerfile, told which service (and its port)
    by a build argument: one recipe, runs `python -m <service>` as a non-root user, and ships the
    kit and that service only (no test kit)."""
    dockerfile = (ROOT / "ops" / "service.Dockerfile").read_text()
    assert re.search(r"^ARG SERVICE$", dockerfile, re.M) and re.search(r"^ARG PORT$", dockerfile, re.M)
    assert re.search(r'^CMD \["sh", "-c", "exec python -m \\"\$SERVICE\\""\]$', dockerfile, re.M), (
        "CMD must be python -m <service>"
    )
    assert re.search(r"^EXPOSE \$\{PORT\}$", dockerfile, re.M)
    assert re.search(r"^ENV \$\{SERVICE\}_HTTP_HOST=0\.0\.0\.0 \$\{SERVICE\}_HTTP_PORT=\$\{PORT\}$", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M), "images run as a non-root user"
    copied = re.findall(r"^COPY (\S+)", dockerfile, re.M)
    assert [c for c in copied if not c.startswith("--from=")] == [
        "constraints.txt",
        "shared/pyproject.toml",
        "services/${SERVICE}/pyproject.toml",
        "shared/",
        "services/${SERVICE}/",
    ], copied
    # What runs is the last stage: the base, its user, and the environment the build stage made.
    final = dockerfile.rsplit("\nFROM ", 1)[1]
    assert re.findall(r"^COPY (.+)$", final, re.M) == ["--from=build /opt/venv /opt/venv"]
    assert not list(ROOT.glob("services/*/Dockerfile")), "one recipe: no Dockerfile of a service's own"
    assert importlib.util.find_spec("shared.testing") is None, "the test kit is not part of the runtime kit"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_builds_each_service_from_the_one_recipe_on_its_port(name):
    if name not in present():
        pytest.skip(f"services/{name} is not in this tree yet")
    build = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]["build"]
    assert build["context"] == "." and build["dockerfile"] == "ops/service.Dockerfile"
    assert build["args"] == {"SERVICE": name, "PORT": str(PORTS[name])}
    assert importlib.util.find_spec(name) is not None
    main = importlib.import_module(f"{name}.__main__")
    assert main.main.func.__module__ == "shared.entry" and main.main.args[0] == name, "the kit's entry point"
    config = importlib.import_module(f"{name}.config")
    assert config.Settings().http_port == PORTS[name]
    published = rf'"127\.0\.0\.1:\$\{{{name.upper()}_PUBLISHED_PORT:-{PORTS[name]}\}}:{PORTS[name]}"'
    assert re.search(published, (ROOT / "docker-compose.yml").read_text()), published


def test_ops_image_renders_the_definitions_as_a_non_root_user():
    dockerfile = (ROOT / "ops" / "Dockerfile").read_text()
    cmd = re.search(r'^CMD \["python", "-m", "([a-z_.]+)"', dockerfile, re.M)
    assert cmd and cmd.group(1) == "ops.rabbitmq_definitions"
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M), "images run as a non-root user"
    assert ".env" in (ROOT / ".dockerignore").read_text().split(), "the operator's .env stays out of build contexts"


def test_an_unedited_env_example_does_not_deploy_and_says_what_to_set():
    done = compose(ROOT / ".env.example")
    assert done.returncode != 0
    assert re.search(r"请在 \.env 中设置 [A-Z_]+(SECRET|PASSWORD)", done.stderr), done.stderr


def test_a_deployment_missing_one_secret_does_not_deploy_and_names_it(tmp_path):
    operator_env(tmp_path, VENTURE_DB_PASSWORD="")
    done = compose(tmp_path / ".env")
    assert done.returncode != 0 and "请在 .env 中设置 VENTURE_DB_PASSWORD" in done.stderr, done.stderr


def test_a_deployment_without_the_token_issuer_does_not_deploy_and_names_it(tmp_path):
    operator_env(tmp_path, AUTH_ISSUER="")
    done = compose(tmp_path / ".env")
    assert done.returncode != 0 and "请在 .env 中设置 AUTH_ISSUER" in done.stderr, done.stderr


def test_services_verify_tokens_with_the_issuers_public_keys_and_hold_no_signing_secret(tmp_path):
    """Each service gets the issuer and where its JWKS is — the console's endpoint, or a file for an
    air-gapped deployment — and nothing to sign a token with; only the console, the issuer, holds
    the signing keys (its own volume) and issues as AUTH_ISSUER."""
    services = compose_config(tmp_path)[0]["services"]
    verifiers = [name for name in SERVICES if name != "console"]
    console = services["console"]
    assert console["environment"]["CONSOLE_ISSUER"] == ISSUER
    assert any(target == console["environment"]["CONSOLE_KEYS_DIR"] for _, target, _ in mounts(console))
    assert not [n for n in verifiers if any("issuer-keys" in source for source, _, _ in mounts(services[n]))]
    for name in verifiers:
        env = services[name]["environment"]
        up = name.upper()
        assert env[f"{up}_AUTH_ISSUER"] == ISSUER
        assert env[f"{up}_AUTH_JWKS_URL"] == "http://console:8005/.well-known/jwks.json"
        assert not env[f"{up}_AUTH_JWKS_FILE"]
        assert not [k for k in env if "JWT" in k or k.endswith("_SECRET")], env
    air_gapped = compose_config(tmp_path, AUTH_JWKS_URL="", AUTH_JWKS_FILE="/etc/sogc/jwks.json")[0]["services"]
    for name in verifiers:
        env = air_gapped[name]["environment"]
        assert not env[f"{name.upper()}_AUTH_JWKS_URL"]
        assert env[f"{name.upper()}_AUTH_JWKS_FILE"] == "/etc/sogc/jwks.json"


def test_committed_deployment_files_carry_no_secret_and_compose_requires_each_one():
    example = env_example()
    secret_vars = {k for k in example if SECRET.search(k)}
    assert {"POSTGRES_PASSWORD", "RABBITMQ_ADMIN_PASSWORD", "REGISTRY_AMQP_PASSWORD"} <= secret_vars
    assert {k: v for k, v in example.items() if k in secret_vars and v} == {}, ".env.example sets a secret"
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for ref in re.finditer(r"\$\{(\w+)(:?[-?][^}]*)?\}", compose_text):
        if SECRET.search(ref.group(1)):
            assert (ref.group(2) or "").startswith(":?"), f"{ref.group(0)}: a secret must be required, never defaulted"
    assert {v for v in secret_vars if f"${{{v}:?" not in compose_text} == set(), "a secret .env.example names is unused"
    # The development secrets all start "dev-only"; the development passwords end "-dev-password".
    known = ["password_hash", "-dev-password", "guest:guest", "dev-only"]
    for path in DEPLOYMENT_FILES:
        text = path.read_text()
        assert [k for k in known if k in text] == [], f"{path.relative_to(ROOT)} carries a known credential"
    assert not (ROOT / "ops" / "rabbitmq" / "definitions.json").exists(), "RabbitMQ's users are rendered, not committed"


def test_production_is_the_default_mode(tmp_path):
    assert env_example()["SOGC_ENVIRONMENT"] == "production"
    services = compose_config(tmp_path, SOGC_ENVIRONMENT=None)[0]["services"]
    for name in SERVICES:
        assert services[name]["environment"][f"{name.upper()}_ENVIRONMENT"] == "production"


def test_rabbitmq_loads_users_rendered_from_the_environment_before_it_starts(tmp_path):
    config, values = compose_config(tmp_path)
    services, rabbitmq = config["services"], config["services"]["rabbitmq"]
    init = services["rabbitmq-definitions"]
    assert rabbitmq["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
    assert init["environment"]["RABBITMQ_ADMIN_PASSWORD"] == values["RABBITMQ_ADMIN_PASSWORD"]
    for name in SERVICES:
        assert init["environment"][f"{name.upper()}_AMQP_PASSWORD"] == values[f"{name.upper()}_AMQP_PASSWORD"]
    # RabbitMQ ignores RABBITMQ_DEFAULT_USER/PASS when it loads definitions at boot.
    assert not {k for k in rabbitmq.get("environment", {}) if k.startswith("RABBITMQ_DEFAULT_")}
    # The init container writes where RabbitMQ reads: one named volume, the path rabbitmq.conf loads.
    out = re.search(r'"--out", "([^"]+)"', (ROOT / "ops" / "Dockerfile").read_text()).group(1)
    volume, written, _ = next(m for m in mounts(init) if out.startswith(m[1] + "/"))
    assert volume in config["volumes"], "the definitions live in a named volume"
    _, read, read_only = next(m for m in mounts(rabbitmq) if m[0] == volume)
    assert read_only
    conf = (ROOT / "ops" / "rabbitmq" / "rabbitmq.conf").read_text()
    loaded = re.search(r"^load_definitions = (\S+)$", conf, re.M).group(1)
    assert loaded == read + out.removeprefix(written)


def mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read-only) of each volume, from either syntax `docker-compose config` prints."""
    found = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            source, target, *mode = v.split(":")
            found.append((source, target, mode == ["ro"]))
        else:
            found.append((v.get("source", ""), v["target"], bool(v.get("read_only"))))
    return found


def render(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m ops.rabbitmq_definitions --out …` as the rabbitmq-definitions container runs it."""
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_PASSWORD") and not k.startswith("RABBITMQ_")}
    return subprocess.run(
        [sys.executable, "-m", "ops.rabbitmq_definitions", "--out", str(tmp_path / "definitions.json")],
        cwd=ROOT,
        env={**clean, "DISTRICT_SYSTEMS": "", "SUBSCRIBER_SYSTEMS": "", **env},
        capture_output=True,
        text=True,
    )


def hashes_to(password_hash: str, plain: str) -> bool:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    raw = base64.b64decode(password_hash)
    return hashlib.sha256(raw[:4] + plain.encode()).digest() == raw[4:]


def test_rendered_definitions_carry_the_operators_passwords_and_the_provisioned_permissions(tmp_path):
    from ops.accounts import service_permissions, service_topic_permissions

    values = operator_env(tmp_path, RABBITMQ_ADMIN_USER="ops-admin")
    done = render(tmp_path, values)
    assert done.returncode == 0, done.stdout + done.stderr
    defs = json.loads((tmp_path / "definitions.json").read_text())
    users = {u["name"]: u for u in defs["users"]}
    assert set(users) == {"ops-admin", *SERVICES}
    assert users["ops-admin"]["tags"] == ["administrator"]
    assert hashes_to(users["ops-admin"]["password_hash"], values["RABBITMQ_ADMIN_PASSWORD"])
    for name in SERVICES:
        assert users[name]["tags"] == []
        assert hashes_to(users[name]["password_hash"], values[f"{name.upper()}_AMQP_PASSWORD"])
        assert not hashes_to(users[name]["password_hash"], f"{name}-dev-password")
    perms = {p["user"]: (p["configure"], p["write"], p["read"]) for p in defs["permissions"]}
    topics = {(t["user"], t["exchange"]): (t["write"], t["read"]) for t in defs["topic_permissions"]}
    assert perms["ops-admin"] == (".*", ".*", ".*")
    for svc in SERVICES:
        assert perms[svc] == service_permissions(svc)
        for exchange, write, read in service_topic_permissions(svc):
            assert topics[(svc, exchange)] == (write, read)
    assert {e["name"] for e in defs["exchanges"]} == {"events", "events.dlx", "events.unrouted"}
    assert defs["policies"][0]["definition"] == {"alternate-exchange": "events.unrouted"}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param({"RABBITMQ_ADMIN_PASSWORD": ""}, ["RABBITMQ_ADMIN_PASSWORD"], id="empty-admin"),
        pytest.param({"VENTURE_AMQP_PASSWORD": None}, ["VENTURE_AMQP_PASSWORD"], id="unset-service"),
        pytest.param(
            {"NOTIFY_AMQP_PASSWORD": "notify-dev-password", "REGISTRY_AMQP_PASSWORD": ""},
            ["REGISTRY_AMQP_PASSWORD", "NOTIFY_AMQP_PASSWORD"],
            id="development-and-empty",
        ),
        pytest.param({"DISTRICT_SYSTEMS": "district-x"}, ["DISTRICT_X_AMQP_PASSWORD"], id="district-system"),
        pytest.param({"SUBSCRIBER_SYSTEMS": "dongsi-grid"}, ["DONGSI_GRID_AMQP_PASSWORD"], id="subscriber-system"),
    ],
)
def test_rendering_refuses_an_unset_empty_or_development_password_naming_each(tmp_path, changes, named):
    values = operator_env(tmp_path, **changes)
    done = render(tmp_path, values)
    assert done.returncode != 0
    assert all(v in done.stderr for v in named) and "请在 .env 中设置" in done.stderr, done.stderr
    assert not (tmp_path / "definitions.json").exists()


def test_the_broker_refuses_messages_over_the_provisioned_size_in_compose_too():
    from ops.provision import MAX_MESSAGE_SIZE

    conf = (ROOT / "ops" / "rabbitmq" / "rabbitmq.conf").read_text()
    assert re.search(rf"^max_message_size = {MAX_MESSAGE_SIZE}$", conf, re.M)


def test_definitions_hold_every_district_system_with_only_its_own_answer_keys():
    from ops.accounts import DISTRICT_SYSTEMS, system_permissions, system_topic_permissions
    from ops.rabbitmq_definitions import definitions

    defs = definitions(["/"])
    users = {u["name"] for u in defs["users"]}
    perms = {p["user"]: (p["configure"], p["write"], p["read"]) for p in defs["permissions"]}
    topics = {(t["user"], t["exchange"]): (t["write"], t["read"]) for t in defs["topic_permissions"]}
    assert set(DISTRICT_SYSTEMS) <= users and len(DISTRICT_SYSTEMS) >= 2
    for system in DISTRICT_SYSTEMS:
        assert perms[system] == system_permissions(system)
        [(exchange, write, read)] = system_topic_permissions(system)
        assert topics[(system, exchange)] == (write, read)
        assert re.match(read, f"procurement.to.{system}.demand_accepted.v1")
        assert not re.match(read, "procurement.demand_accepted.v1") and not re.match(read, "#")


def test_procurement_reads_the_same_district_systems_as_the_broker_was_given(tmp_path):
    services = compose_config(tmp_path)[0]["services"]
    env, mounts = services["procurement"]["environment"], services["procurement"].get("volumes", [])
    target = env["DISTRICT_SYSTEMS_FILE"]
    # docker-compose prints a bind mount as "source:target:mode" (v1) or as a mapping (v2).
    pairs = [(m["source"], m["target"]) if isinstance(m, dict) else tuple(m.split(":")[:2]) for m in mounts]
    assert any(s.endswith("ops/district-systems.toml") and t == target for s, t in pairs), mounts


def test_each_recipe_takes_its_base_image_as_an_argument_whose_default_is_the_public_image():
    """Operators build on python:3.11-slim; an air-gapped district (and `make compose-test`) passes
    the local Debian base of ops/local-base.sh instead. Both stages build on the same base."""
    for recipe in ("service.Dockerfile", "Dockerfile"):
        text = (ROOT / "ops" / recipe).read_text()
        assert re.search(r"^ARG BASE_IMAGE=python:3\.11-slim$", text, re.M), recipe
        assert re.findall(r"^FROM (\S+)", text, re.M) == ["${BASE_IMAGE}", "${BASE_IMAGE}"], recipe


def test_every_published_port_is_on_loopback_and_can_be_moved(tmp_path):
    text = (ROOT / "docker-compose.yml").read_text()
    specs = [str(p) for svc in yaml.safe_load(text)["services"].values() for p in svc.get("ports", [])]
    assert specs and all(re.fullmatch(r"127\.0\.0\.1:\$\{\w+_PUBLISHED_PORT:-(\d+)\}:\1", s) for s in specs), specs
    services = compose_config(tmp_path, RABBITMQ_PUBLISHED_PORT="27672")[0]["services"]
    assert "27672" in json.dumps(services["rabbitmq"]["ports"]), services["rabbitmq"]["ports"]


def test_the_standins_replace_only_the_images_that_are_pulled(tmp_path):
    """ops/standins/docker-compose.standins.yml builds RabbitMQ, PostgreSQL and the mail catcher
    from Debian's packages; mounts, variables, health checks and ports stay the production file's."""
    production = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    standins = yaml.safe_load((ROOT / "ops" / "standins" / "docker-compose.standins.yml").read_text())["services"]
    assert set(standins) == {name for name, svc in production.items() if "image" in svc}
    for name, svc in standins.items():
        assert set(svc) == {"image", "build"}, name
        assert (ROOT / svc["build"]["dockerfile"]).exists() and svc["build"]["context"] == "."
    operator_env(tmp_path)
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose not installed (ops/install-tools.sh installs it)")
    override = ROOT / "ops" / "standins" / "docker-compose.standins.yml"
    files = ["-f", str(ROOT / "docker-compose.yml"), "-f", str(override)]
    done = subprocess.run(
        [exe, "--env-file", str(tmp_path / ".env"), *files, "config"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    merged = yaml.safe_load(done.stdout)["services"]
    for name in standins:
        assert merged[name]["healthcheck"] == compose_config(tmp_path)[0]["services"][name]["healthcheck"]


def test_the_kit_as_installed_in_an_image_has_every_package_of_the_kit():
    """Images install shared/ as a package (not editable, as development does): a subpackage left
    out of its pyproject is missing there only (shared.runtime was, found by make compose-test)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "shared" / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(("shared", *p.parent.relative_to(ROOT / "shared").parts))
        for p in (ROOT / "shared").rglob("__init__.py")
        if "tests" not in p.parts and "build" not in p.parts
    }
    assert on_disk == listed
