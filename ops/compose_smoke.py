"""The Compose deployment, run for real: images built here, the stack started in containers by
Compose, and smoke-tested through its published ports only (`make compose-test`; CI runs it last).

    python -m ops.compose_smoke [--phase all|build|run]    # make compose-test: build, then run

1. builds every image docker-compose.yml builds (the services, found in the file, and the ops
   image) and the stand-ins for RabbitMQ, PostgreSQL and the mail catcher
   (ops/standins/docker-compose.standins.yml) with podman, on the local Debian base
   (ops/local-base.sh), each build's layers cached between runs;
2. starts the stack with docker-compose against podman's API socket, from a fresh .env (random
   secrets, free published ports) and waits until every container is healthy;
3. does the README's first look: an organisation registered over HTTP, the street's notice in
   notify's inbox and the organisation's e-mail in the mail catcher, a district system's demand
   published to the containerised broker and answered, the public announcement page fetched;
4. SIGKILLs one service's process (notify, or COMPOSE_TEST_KILL) and registers another
   organisation while it is down: the restart policy brings it back and nothing is lost;
5. `down -v` always, also after a failure or a SIGTERM, and checks that no container, network
   or volume of the project is left.

A machine that cannot run containers is told so (exit status 2). Settings from the environment:
COMPOSE_TEST_PORT_BASE (first published port, 27100), SOGC_BASE_IMAGE, CONTAINERS_CONF (default
ops/podman/containers.conf), PIP_INDEX_URL (passed to the image builds), COMPOSE_TEST_KEEP=1
(leave the stack running for a look; `down -v` it yourself).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from shared.auth import KeyRing, mint

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
STANDINS_FILE = ROOT / "ops" / "standins" / "docker-compose.standins.yml"
SERVICE_RECIPE = "ops/service.Dockerfile"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
LABEL = "com.docker.compose.project"
TAG = "compose-test"
STREET = "110101006"
DISTRICT_SYSTEM = "district-demo"
# The `iss` of the run's tokens, and where the services find the issuer's public keys.
ISSUER = "https://console.smoke.invalid"
JWKS_IN_CONTAINER = "/etc/sogc/issuer-jwks.json"
# The console's signing keys (docker-compose.yml's issuer-keys volume) and its user (ops/service.Dockerfile).
KEYS_IN_CONSOLE = "/var/lib/sogc/issuer-keys"
CONSOLE_UID = 10001


class Unavailable(Exception):
    """Containers cannot run on this machine (the reason says why)."""


class SmokeFailed(Exception):
    """The deployment did not do what it must."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], *, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        raise SmokeFailed(
            f"{' '.join(cmd[:4])} … failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    return done


# --- what docker-compose.yml asks for -------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    tag: str
    dockerfile: str
    args: tuple[tuple[str, str], ...] = ()


def compose_services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def app_services() -> list[str]:
    """The services built from the one recipe, in file order: adding one to docker-compose.yml is
    all the runner needs."""
    return [
        name for name, svc in compose_services().items() if (svc.get("build") or {}).get("dockerfile") == SERVICE_RECIPE
    ]


def images() -> dict[str, Image]:
    """Each built service of the deployment (with the stand-ins) and the image it runs: one tag
    per recipe and arguments, so rabbitmq-definitions and ops share theirs."""
    standins = yaml.safe_load(STANDINS_FILE.read_text())["services"]
    out: dict[str, Image] = {}
    for name, svc in {**compose_services(), **standins}.items():
        build = svc.get("build")
        if not build:
            continue
        args = tuple(sorted((k, str(v)) for k, v in (build.get("args") or {}).items()))
        stem = dict(args).get("SERVICE") or Path(build["dockerfile"]).parent.name
        out[name] = Image(svc.get("image") or f"localhost/sogc-{stem}:{TAG}", build["dockerfile"], args)
    return out


PUBLISHED = re.compile(r"\$\{(\w+_PUBLISHED_PORT):-\d+\}:(\d+)")


def published_ports() -> dict[tuple[str, int], str]:
    """(service, container port) → the variable that publishes it, from docker-compose.yml."""
    found = {}
    for name, svc in compose_services().items():
        for spec in svc.get("ports", []):
            if m := PUBLISHED.search(str(spec)):
                found[(name, int(m.group(2)))] = m.group(1)
    return found


# --- the engine: podman, its API socket, health checks --------------------------------------------


class PodmanApi:
    """Podman's REST API on a unix socket (the one docker-compose talks to)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def call(self, method: str, url: str, *, timeout: float = 60) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("localhost", timeout=timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(self.path))
        conn.sock = sock
        try:
            conn.request(method, url)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        is_json = response.getheader("content-type", "").startswith("application/json")
        return response.status, (json.loads(body) if is_json and body.strip() else body.decode(errors="replace"))

    def containers(self, project: str) -> list[dict[str, Any]]:
        filters = urllib.parse.quote(json.dumps({"label": [f"{LABEL}={project}"]}))
        return self.call("GET", f"/v4.0.0/libpod/containers/json?all=true&filters={filters}")[1] or []

    def inspect(self, container: str) -> dict[str, Any]:
        return self.call("GET", f"/v4.0.0/libpod/containers/{container}/json")[1]


@contextlib.contextmanager
def podman_service(env: dict[str, str]) -> Iterator[PodmanApi]:
    """`podman system service` on a private socket for docker-compose, in its own session so a
    SIGTERM meant for the runner leaves it up for `down -v`."""
    folder = Path(tempfile.mkdtemp(prefix="sogc-podman-"))
    path = folder / "podman.sock"
    process = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{path}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "service.log").open("w"),
        start_new_session=True,
    )
    api = PodmanApi(path)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                if api.call("GET", "/_ping", timeout=5)[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"podman's API service did not start: {(folder / 'service.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)


class HealthDriver(threading.Thread):
    """Runs each container's health check at its interval. Podman runs health checks from systemd
    timers; where there is no systemd (this CI's machine) nobody would, and every container would
    stay `starting` forever. Docker runs them itself: on Docker this is not needed."""

    def __init__(self, api: PodmanApi, project: str) -> None:
        super().__init__(daemon=True, name="health-driver")
        self.api, self.project, self.stopping = api, project, threading.Event()
        self.intervals: dict[str, float | None] = {}
        self.due: dict[str, float] = {}

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            with contextlib.suppress(Exception):
                self.tick()

    def tick(self) -> None:
        now = time.monotonic()
        for c in self.api.containers(self.project):
            cid = c["Id"]
            if c.get("State") != "running":
                self.due.pop(cid, None)
                continue
            if cid not in self.intervals:
                check = (self.api.inspect(cid).get("Config") or {}).get("Healthcheck") or {}
                has = bool(check.get("Test")) and check["Test"][0] != "NONE"
                self.intervals[cid] = (check.get("Interval") or 30 * 10**9) / 10**9 if has else None
            interval = self.intervals[cid]
            if interval is None:
                continue
            # The first check after a (re)start comes after one second, then at the interval.
            if now >= self.due.setdefault(cid, now + 1):
                self.api.call("GET", f"/v4.0.0/libpod/containers/{cid}/healthcheck", timeout=60)
                self.due[cid] = time.monotonic() + min(interval, 5)


# --- the stack ------------------------------------------------------------------------------------


def free_port(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@dataclass
class Stack:
    project: str
    folder: Path
    engine_env: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    ports: dict[tuple[str, int], int] = field(default_factory=dict)
    ring: KeyRing | None = None

    @property
    def files(self) -> list[Path]:
        return [COMPOSE_FILE, STANDINS_FILE, self.folder / "override.yml"]

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        cmd = ["docker-compose", "--project-name", self.project, "--project-directory", str(ROOT)]
        cmd += ["--env-file", str(self.folder / ".env")]
        for f in self.files:
            cmd += ["-f", str(f)]
        return run([*cmd, *args], check=check, env=self.engine_env, timeout=timeout)

    def url(self, service: str, port: int) -> str:
        return f"http://127.0.0.1:{self.ports[(service, port)]}"


def prepare(stack: Stack, base_port: int) -> None:
    """The operator's .env (every secret fresh, every published port free) and the runner's
    override (the images just built; a district system's broker password)."""
    values = {
        k: secrets.token_urlsafe(32) if re.search(r"(SECRET|PASSWORD)$", k) else v for k, v in env_example().items()
    }
    values["NOTIFY_WEBHOOK_KEY_ENCRYPTION_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    values["DISTRICT_SYSTEMS"] = DISTRICT_SYSTEM
    system_password_var = f"{DISTRICT_SYSTEM.upper().replace('-', '_')}_AMQP_PASSWORD"
    values[system_password_var] = secrets.token_urlsafe(32)
    port = base_port
    for key, variable in sorted(published_ports().items(), key=lambda kv: kv[1]):
        while not free_port(port):
            port += 1
        values[variable], stack.ports[key] = str(port), port
        port += 1
    values["NOTIFY_PUBLIC_BASE_URL"] = stack.url("notify", 8004)
    # The issuer: a production key ring of the run's own (`ops.tokens --keys DIR init`), its public
    # keys as the services' air-gapped JWKS file, mounted read-only.
    keys, public = stack.folder / "issuer-keys", stack.folder / "public"
    run([sys.executable, "-m", "ops.tokens", "--keys", str(keys), "init"], cwd=ROOT)
    public.mkdir()
    public.chmod(0o755)  # the services' non-root user reads it (the run's folder stays closed to listing)
    stack.folder.chmod(0o711)
    run([sys.executable, "-m", "ops.tokens", "--keys", str(keys), "jwks", "--out", str(public / "jwks.json")], cwd=ROOT)
    stack.ring = KeyRing.load(keys)
    values["AUTH_ISSUER"] = ISSUER
    with_console = "console" in app_services()
    if with_console:
        # The console signs with the ring (its user owns it) and the services fetch its JWKS
        # endpoint, Compose's default; without it, they read the public keys from a file.
        for path in [keys, *keys.iterdir()]:
            os.chown(path, CONSOLE_UID, CONSOLE_UID)
        values["AUTH_JWKS_FILE"] = ""
    else:
        values["AUTH_JWKS_URL"] = ""
        values["AUTH_JWKS_FILE"] = JWKS_IN_CONTAINER
    (stack.folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    (stack.folder / ".env").chmod(0o600)
    override: dict[str, Any] = {name: {"image": image.tag} for name, image in images().items()}
    override.setdefault("rabbitmq-definitions", {})["environment"] = {system_password_var: values[system_password_var]}
    if with_console:
        override["console"]["volumes"] = [f"{keys}:{KEYS_IN_CONSOLE}"]
    else:
        for name in app_services():
            override[name]["volumes"] = [f"{public / 'jwks.json'}:{JWKS_IN_CONTAINER}:ro"]
    (stack.folder / "override.yml").write_text(json.dumps({"version": "3.8", "services": override}, indent=2))
    stack.values = values


def build(engine_env: dict[str, str], base: str) -> dict[str, tuple[float, int]]:
    """Every image, on the local base, with podman's layer cache: seconds when nothing changed."""
    results: dict[str, tuple[float, int]] = {}
    for image in dict.fromkeys(images().values()):
        started = time.monotonic()
        cmd = ["podman", "build", "--layers", "-q", "--network=host", "-f", image.dockerfile, "-t", image.tag]
        cmd += ["--build-arg", f"BASE_IMAGE={base}"]
        cmd += [a for k, v in image.args for a in ("--build-arg", f"{k}={v}")]
        if os.environ.get("PIP_INDEX_URL"):
            cmd += ["--build-arg", f"PIP_INDEX_URL={os.environ['PIP_INDEX_URL']}"]
        if CA_BUNDLE.exists():
            # pip inside the build trusts what the host trusts (a proxy's authority included).
            cmd += ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"]
        run([*cmd, str(ROOT)], env=engine_env, timeout=1200)
        size = int(run(["podman", "image", "inspect", "--format", "{{.Size}}", image.tag], env=engine_env).stdout)
        results[image.tag] = (time.monotonic() - started, size)
        log(f"built {image.tag}: {size / 1e6:.0f} MB in {results[image.tag][0]:.0f} s")
        if image.dockerfile.startswith("ops/") and "standins" not in image.dockerfile:
            check_lean(engine_env, image.tag)
    return results


LEAN = (
    "import importlib.util as u, os; print(os.getuid(), [m for m in ('pip', 'setuptools', 'wheel') if u.find_spec(m)])"
)


def check_lean(engine_env: dict[str, str], tag: str) -> None:
    """Our own images run as a non-root user and carry no installer (pip, setuptools, wheel)."""
    done = run(["podman", "run", "--rm", "--network=none", "--entrypoint", "python", tag, "-c", LEAN], env=engine_env)
    uid, installers = done.stdout.strip().split(" ", 1)
    if uid == "0" or installers != "[]":
        raise SmokeFailed(f"{tag} runs as uid {uid} and carries {installers}")


def one_shot(name: str) -> bool:
    """A container that runs to completion (another waits for it to complete)."""
    return any(
        ((svc.get("depends_on") or {}).get(name) or {}).get("condition") == "service_completed_successfully"
        for svc in compose_services().values()
        if isinstance(svc.get("depends_on"), dict)
    )


def service_of(container: dict[str, Any]) -> str:
    return container["Labels"]["com.docker.compose.service"]


def wait_healthy(api: PodmanApi, project: str, expected: set[str], timeout: float) -> dict[str, str]:
    """Until every long-running container of `expected` is running and healthy; their states."""
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while True:
        states = {}
        for c in api.containers(project):
            name = service_of(c)
            if one_shot(name):
                continue
            health = (api.inspect(c["Id"]).get("State") or {}).get("Health") or {}
            states[name] = f"{c.get('State')}/{health.get('Status', 'none')}"
            if health.get("Status") == "unhealthy" and health.get("Log"):
                states[name] += f" ({health['Log'][-1].get('Output', '').strip()[-200:]})"
        if set(states) >= expected and all(s == "running/healthy" for s in states.values()):
            return states
        if time.monotonic() > deadline:
            raise SmokeFailed(f"not all healthy after {timeout:.0f} s: {states}")
        time.sleep(1)


def eventually(what: str, probe: Callable[[], Any], timeout: float = 90) -> Any:
    """probe() until it returns something truthy; its last error in the failure."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            if result := probe():
                return result
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            last = exc
        time.sleep(1)
    raise SmokeFailed(f"{what}: not seen within {timeout:.0f} s (last error: {last!r})")


# --- the smoke test, through published ports only ------------------------------------------------


def token(stack: Stack, role: str, street: str | None = None) -> dict[str, str]:
    """A bearer header, minted as the operator does (`python -m ops.tokens mint`) with the run's key ring."""
    assert stack.ring is not None
    signed = mint(stack.ring, issuer=ISSUER, sub=f"smoke-{role}", role=role, street=street, ttl_seconds=900)
    return {"Authorization": f"Bearer {signed}"}


def register_org(stack: Stack, name: str, email: str) -> str:
    from registry.domain.uscc import make_code  # the registry's own rule makes a valid code (as ops/demo does)

    credit_code = make_code("52", "110101", f"MJ{secrets.randbelow(10**6):06d}")
    body = {
        "name": name,
        "org_type": "private_non_enterprise",
        "credit_code": credit_code,
        "registered_on": "2015-06-01",
        "street_code": STREET,
        "domains": ["elder_care"],
        "contact": {"name": "王敏", "email": email},
    }
    answer = httpx.post(
        f"{stack.url('registry', 8001)}/orgs", json=body, headers=token(stack, "district_admin"), timeout=30
    )
    if answer.status_code != 201:
        raise SmokeFailed(f"registration answered {answer.status_code}: {answer.text[:500]}")
    return str(answer.json()["org_id"])


def street_notice(stack: Stack, org_name: str) -> dict[str, Any] | None:
    answer = httpx.get(
        f"{stack.url('notify', 8004)}/inbox", headers=token(stack, "street_officer", street=STREET), timeout=10
    )
    answer.raise_for_status()
    return next((n for n in answer.json() if org_name in n["subject"] + n["body"]), None)


def mail_to(stack: Stack, address: str, subject: str) -> dict[str, Any] | None:
    """The e-mail to `address` whose subject has `subject` in it (notify's names the organisation;
    the console's invitation goes to the same contact)."""
    answer = httpx.get(f"{stack.url('mailcatcher', 8025)}/api/v1/messages", timeout=10)
    answer.raise_for_status()
    return next(
        (m for m in answer.json()["messages"] if address in json.dumps(m["To"]) and subject in m["Subject"]), None
    )


def district_demand(stack: Stack) -> dict[str, Any]:
    """examples/district_client.py, as a district system runs it, against the containerised broker."""
    spec = importlib.util.spec_from_file_location("district_client", ROOT / "examples" / "district_client.py")
    assert spec and spec.loader
    client = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(client)
    password = stack.values[f"{DISTRICT_SYSTEM.upper().replace('-', '_')}_AMQP_PASSWORD"]
    url = f"amqp://{DISTRICT_SYSTEM}:{password}@127.0.0.1:{stack.ports[('rabbitmq', 5672)]}/"
    ref = f"SMOKE-{uuid.uuid4().hex[:8].upper()}"
    answer: dict[str, Any] = asyncio.run(
        client.publish_and_wait(url, DISTRICT_SYSTEM, client.sample_demand(DISTRICT_SYSTEM, ref), 90)
    )
    if answer.get("routing_key") != "procurement.demand_accepted.v1" or answer.get("demand_ref") != ref:
        raise SmokeFailed(f"the demand was not accepted: {answer}")
    return answer


def console_issues_tokens(stack: Stack, api: PodmanApi) -> None:
    """The issuer through its published port: discovery and the public keys (the run's ring), and
    a service account's client-credentials token that registry accepts; a wrong secret and a token
    of a foreign key are refused."""
    base = stack.url("console", 8005)
    discovery = httpx.get(f"{base}/.well-known/openid-configuration", timeout=10)
    discovery.raise_for_status()
    issuer, jwks_uri = discovery.json().get("issuer"), discovery.json().get("jwks_uri")
    if issuer != ISSUER or jwks_uri != f"{ISSUER}/.well-known/jwks.json":
        raise SmokeFailed(f"openid-configuration names issuer {issuer!r} and jwks_uri {jwks_uri!r}")
    jwks = httpx.get(f"{base}/.well-known/jwks.json", timeout=10)
    jwks.raise_for_status()
    kids = [k["kid"] for k in jwks.json()["keys"]]
    assert stack.ring is not None
    if stack.ring.active_kid not in kids:
        raise SmokeFailed(f"the console publishes {kids}, not the run's key {stack.ring.active_kid}")
    log(f"GET /.well-known/openid-configuration and jwks.json (console, port {stack.ports[('console', 8005)]}): {kids}")

    secret = secrets.token_urlsafe(32)
    [console] = [c for c in api.containers(stack.project) if service_of(c) == "console"]
    admin = ["python", "-m", "console.admin", "client", "smoke", "--role", "district_admin", "--secret", secret]
    run(["podman", "exec", console["Id"], *admin], env=stack.engine_env, timeout=120)
    grant = {"grant_type": "client_credentials", "client_id": "smoke", "client_secret": secret}
    refused = httpx.post(f"{base}/oauth/token", data={**grant, "client_secret": "wrong"}, timeout=30)
    if refused.status_code != 401 or refused.json().get("error") != "invalid_client":
        raise SmokeFailed(f"a wrong client secret was answered {refused.status_code}: {refused.text[:300]}")
    issued = httpx.post(f"{base}/oauth/token", data=grant, timeout=30)
    if issued.status_code != 200:
        raise SmokeFailed(f"client credentials answered {issued.status_code}: {issued.text[:300]}")
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    orgs = httpx.get(f"{stack.url('registry', 8001)}/orgs", headers=bearer, timeout=30)
    if orgs.status_code != 200:
        raise SmokeFailed(f"registry answered the console's token {orgs.status_code}: {orgs.text[:300]}")
    with tempfile.TemporaryDirectory() as other:
        foreign = mint(KeyRing.ensure(other), issuer=ISSUER, sub="smoke-forger", role="district_admin", ttl_seconds=60)
    forged = httpx.get(
        f"{stack.url('registry', 8001)}/orgs", headers={"Authorization": f"Bearer {foreign}"}, timeout=30
    )
    if forged.status_code != 401:
        raise SmokeFailed(f"registry answered a token of a foreign key {forged.status_code}")
    log("POST /oauth/token (client credentials): registry accepts the token (200); wrong secret 401, foreign key 401")


def smoke(stack: Stack, api: PodmanApi, victim: str) -> None:
    if "console" in app_services():
        console_issues_tokens(stack, api)
    first = f"冒烟测试为老服务中心{secrets.token_hex(3)}"
    org_id = register_org(stack, first, "smoke-1@example.org")
    log(f"POST /orgs (registry, port {stack.ports[('registry', 8001)]}): 201, org {org_id}")
    notice = eventually("the street's notice in notify's inbox", lambda: street_notice(stack, first))
    log(f"GET /inbox (notify, street officer of {STREET}): notice {notice['subject']!r}")
    mail = eventually(
        "the organisation's e-mail in the mail catcher", lambda: mail_to(stack, "smoke-1@example.org", first)
    )
    log(f"mail catcher: e-mail to smoke-1@example.org, subject {mail['Subject']!r}")
    if "console" in app_services():
        invitation = eventually(
            "the console's invitation of the contact", lambda: mail_to(stack, "smoke-1@example.org", "邀请")
        )
        log(f"mail catcher: the console's invitation to smoke-1@example.org, subject {invitation['Subject']!r}")
    answer = district_demand(stack)
    log(f"district system {DISTRICT_SYSTEM} over AMQP: demand {answer['demand_ref']} answered {answer['routing_key']}")
    page = httpx.get(f"{stack.url('notify', 8004)}/public/announcements", timeout=10)
    if page.status_code != 200 or "text/html" not in page.headers.get("content-type", "") or "公示" not in page.text:
        raise SmokeFailed(f"public announcement page: {page.status_code} {page.text[:300]}")
    log(f"GET /public/announcements (notify): 200, {len(page.text)} bytes of HTML")

    # The operator's tool inside the network, as the README shows it (the ops profile).
    tool = stack.compose(
        "run", "--rm", "-T", "ops", "python", "-m", "shared.messaging.deadletters", "list", "procurement"
    )
    log(f"compose run --rm ops … deadletters list procurement: {tool.stdout.strip().splitlines()[-1:]}")

    # A crash: SIGKILL to the service's process, as the kernel's OOM killer would send it.
    [container] = [c for c in api.containers(stack.project) if service_of(c) == victim]
    before = api.inspect(container["Id"])
    os.kill(before["State"]["Pid"], signal.SIGKILL)
    killed_at = time.monotonic()
    second = f"冒烟测试助残服务中心{secrets.token_hex(3)}"
    register_org(stack, second, "smoke-2@example.org")

    def restarted() -> bool:
        state = api.inspect(container["Id"])
        return (
            state["RestartCount"] > before["RestartCount"]
            and (state["State"].get("Health") or {}).get("Status") == "healthy"
        )

    eventually(f"{victim} restarted by its restart policy and healthy", restarted, timeout=120)
    back = time.monotonic() - killed_at
    count = api.inspect(container["Id"])["RestartCount"]
    log(
        f"SIGKILL {victim} (pid {before['State']['Pid']}): restarted (restart count {count}), "
        f"healthy after {back:.0f} s"
    )
    eventually("the notice of the organisation registered while notify was down", lambda: street_notice(stack, second))
    eventually("its e-mail", lambda: mail_to(stack, "smoke-2@example.org", second))
    if not street_notice(stack, first):
        raise SmokeFailed("the first notice is gone after the restart")
    log("after the restart: both organisations' notices in the inbox, both e-mails delivered")


# --- clean-up -------------------------------------------------------------------------------------


def leftovers(api: PodmanApi, project: str) -> list[str]:
    found = [f"container {c['Names'][0]}" for c in api.containers(project)]
    filters = urllib.parse.quote(json.dumps({"label": [f"{LABEL}={project}"]}))
    found += [f"volume {v['Name']}" for v in api.call("GET", f"/v4.0.0/libpod/volumes/json?filters={filters}")[1] or []]
    networks = api.call("GET", "/v4.0.0/libpod/networks/json")[1] or []
    found += [
        f"network {n['name']}"
        for n in networks
        if n["name"].startswith(f"{project}_") or (n.get("labels") or {}).get(LABEL) == project
    ]
    return found


def tear_down(stack: Stack, api: PodmanApi) -> list[str]:
    """`down -v`; what it left behind (removed by force here, and reported)."""
    stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)
    left = leftovers(api, stack.project)
    for thing in left:
        kind, name = thing.split(" ", 1)
        run(["podman", kind, "rm", "--force", name], check=False, env=stack.engine_env)
    return left


# --- the run --------------------------------------------------------------------------------------


def preflight(engine_env: dict[str, str]) -> None:
    for tool in ("podman", "docker-compose"):
        if shutil.which(tool) is None:
            raise Unavailable(f"{tool} is not installed (apt-get install podman runc docker-compose)")
    info = run(["podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"], check=False, env=engine_env)
    if info.returncode != 0:
        raise Unavailable(f"podman cannot work here: {info.stderr.strip()[-1000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Build the images and smoke-test the Compose deployment in containers."
    )
    parser.add_argument(
        "--phase",
        choices=["all", "build", "run"],
        default="all",
        help="build: only the images (a first build takes long); run: only the stack, on images built before",
    )
    phase = parser.parse_args().phase

    def terminated(signum: int, _frame: object) -> None:
        raise SmokeFailed(f"terminated by signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    engine_env = dict(os.environ)
    engine_env.setdefault("CONTAINERS_CONF", str(ROOT / "ops" / "podman" / "containers.conf"))
    try:
        check_containers_run(engine_env)
        if phase in ("all", "build"):
            log(f"building images on {base_image()} (services: {', '.join(app_services())})")
            build(engine_env, base_image())
        if phase in ("all", "run"):
            missing = [
                i.tag
                for i in images().values()
                if run(["podman", "image", "exists", i.tag], check=False, env=engine_env).returncode
            ]
            if missing:
                raise SmokeFailed(f"images not built yet: {', '.join(missing)} (--phase build makes them)")
            smoke_test_the_deployment(engine_env)
    except Unavailable as exc:
        print(f"compose-test: containers cannot run on this machine — {exc}", file=sys.stderr)
        return 2
    except (SmokeFailed, subprocess.TimeoutExpired) as exc:
        print(f"compose-test FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


def base_image() -> str:
    return os.environ.get("SOGC_BASE_IMAGE", "localhost/sogc-base:bookworm")


def check_containers_run(engine_env: dict[str, str]) -> None:
    """podman and docker-compose present, the local base made, and a container runs on it."""
    for tool in ("podman", "docker-compose"):
        if shutil.which(tool) is None:
            raise Unavailable(f"{tool} is not installed (ops/install-tools.sh installs it)")
    info = run(["podman", "info", "--format", "{{.Host.OCIRuntime.Name}}"], check=False, env=engine_env)
    if info.returncode != 0:
        raise Unavailable(f"podman cannot work here: {info.stderr.strip()[-1000:]}")
    made = run(["bash", str(ROOT / "ops" / "local-base.sh"), base_image()], check=False, env=engine_env, timeout=1200)
    if made.returncode != 0:
        raise Unavailable(f"no local base image: {made.stderr.strip()[-1000:]}")
    probe = run(
        ["podman", "run", "--rm", "--network=none", base_image(), "python3", "-c", "print('ok')"],
        check=False,
        env=engine_env,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "ok":
        raise Unavailable(f"a container does not run here: {probe.stderr.strip()[-1000:]}")


def smoke_test_the_deployment(engine_env: dict[str, str]) -> None:
    namespace = os.environ.get("SOGC_TEST_NS", "")
    project = "sogcsmoke" + (f"_{namespace}" if namespace else "")
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="sogc-compose-"))
    failure: BaseException | None = None
    with podman_service(engine_env) as api:
        stack = Stack(
            project, folder, {**engine_env, "DOCKER_HOST": f"unix://{api.path}", "COMPOSE_HTTP_TIMEOUT": "300"}
        )
        if leftovers(api, project):
            log(f"removing what an earlier run of {project} left: {tear_down(stack, api)}")
        driver = HealthDriver(api, project)
        driver.start()
        try:
            prepare(stack, int(os.environ.get("COMPOSE_TEST_PORT_BASE", "27100")))
            log(f"up: project {project}, published ports {sorted(stack.ports.values())}")
            up_at = time.monotonic()
            stack.compose("up", "--detach", "--no-build")
            services = compose_services()
            expected = {n for n, svc in services.items() if not one_shot(n) and not svc.get("profiles")}
            states = wait_healthy(api, project, expected, timeout=420)
            healthy_after = time.monotonic() - up_at
            log(f"all healthy {healthy_after:.0f} s after `up`: {', '.join(sorted(states))}")
            smoke(stack, api, os.environ.get("COMPOSE_TEST_KILL", "notify"))
            log(f"up → all healthy: {healthy_after:.0f} s; the stack's whole run {time.monotonic() - started:.0f} s")
        except BaseException as exc:
            failure = exc
            with contextlib.suppress(Exception):
                print(stack.compose("logs", "--no-color", "--tail", "40", check=False, timeout=60).stdout[-12000:])
        finally:
            driver.stopping.set()
            if os.environ.get("COMPOSE_TEST_KEEP") and failure is None:
                log(f"kept running: docker-compose -p {project} … down -v (env file {folder / '.env'})")
            else:
                left = tear_down(stack, api)
                shutil.rmtree(folder, ignore_errors=True)
                if left:
                    failure = failure or SmokeFailed(f"`down -v` left {', '.join(left)} (removed by force)")
                else:
                    log("down -v: no container, network or volume of the project left")
    if failure is not None:
        raise failure


if __name__ == "__main__":
    sys.exit(main())
