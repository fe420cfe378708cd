"""Run every service locally with its logs: `make run` (or `python -m ops.run`).

Each service runs as its own process (`python -m <service>`), its log lines prefixed with
its name in its own colour. Ctrl-C (or SIGTERM) stops them all cleanly. A service that
exits unexpectedly is restarted after a short pause, as a process manager would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from ops import mailcatcher
from ops.tokens import development_issuer_env

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"registry": 8001, "venture": 8002, "procurement": 8003, "notify": 8004, "console": 8005}
COLOURS = {"registry": "36", "venture": "35", "procurement": "33", "notify": "32", "console": "34"}


def available_services() -> list[str]:
    return [s for s in PORTS if (ROOT / "services" / s / "pyproject.toml").exists()]


def _pretty(line: str) -> str:
    """JSON log lines, shortened to `level event key=value …` for a human at a terminal."""
    try:
        rec = json.loads(line)
    except ValueError:
        return line
    if not isinstance(rec, dict):
        return line
    level, event = rec.pop("level", "info"), rec.pop("event", "")
    for k in ("timestamp", "service"):
        rec.pop(k, None)
    rest = " ".join(f"{k}={v}" for k, v in rec.items())
    return f"{level:<7} {event} {rest}".rstrip()


async def _pump(name: str, stream: asyncio.StreamReader, *, colour: bool, raw: bool) -> None:
    prefix = f"\033[{COLOURS[name]}m{name:<12}\033[0m|" if colour else f"{name:<12}|"
    while line := await stream.readline():
        text = line.decode("utf-8", errors="replace").rstrip("\n")
        print(f"{prefix} {text if raw else _pretty(text)}", flush=True)


def service_env(name: str) -> dict[str, str]:
    """The service's environment. `make run` is for trying the system and for `make demo`, so demo
    mode is on (a district admin may move the clock) unless the operator set it, or production."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if env.get(f"{name.upper()}_ENVIRONMENT", "development") != "production":
        env.setdefault(f"{name.upper()}_DEMO_MODE", "true")
        if name == "console":  # pages over plain http on 127.0.0.1: the session cookie cannot be Secure
            env.setdefault("CONSOLE_SECURE_COOKIES", "false")
    env.update(development_issuer_env(name, env))  # tokens of the development issuer (ops/tokens.py)
    return env


async def _supervise(name: str, stop: asyncio.Event, *, colour: bool, raw: bool) -> None:
    env = service_env(name)
    while not stop.is_set():
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            name,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        assert proc.stdout is not None
        pump = asyncio.create_task(_pump(name, proc.stdout, colour=colour, raw=raw))
        waiter = asyncio.create_task(proc.wait())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set() and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(waiter, timeout=20)
            except TimeoutError:
                proc.kill()
                await waiter
        stopper.cancel()
        await pump
        if not stop.is_set():
            print(f"{name:<12}| exited with {proc.returncode}; restarting in 2 s", flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=2)


async def _mail_catcher(services: list[str]) -> asyncio.Server | None:
    """The SMTP sink notify's development default points at (ops/mailcatcher.py), unless the
    operator pointed notify at a mail server of their own."""
    if "notify" not in services or "NOTIFY_SMTP_HOST" in os.environ or "NOTIFY_SMTP_PORT" in os.environ:
        return None
    try:
        server = await mailcatcher.serve(
            port=mailcatcher.PORT, said=lambda text: print(f"{'mail':<12}| {text}", flush=True)
        )
    except OSError as exc:
        print(f"{'mail':<12}| 127.0.0.1:{mailcatcher.PORT} is taken ({exc.strerror}); using what listens there")
        return None
    print(f"  e-mail caught at 127.0.0.1:{mailcatcher.PORT}, kept in var/mail/ (one .eml per message)")
    return server


async def run(services: list[str], *, colour: bool, raw: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("Starting:", ", ".join(services))
    catcher = await _mail_catcher(services)
    for s in services:
        print(f"  {s:<12} API docs  http://127.0.0.1:{PORTS[s]}/docs   ready  http://127.0.0.1:{PORTS[s]}/ready")
    if "notify" in services:
        print(f"  public announcements (公示)  http://127.0.0.1:{PORTS['notify']}/public/announcements")
    print("  a token for staff: .venv/bin/python -m ops.tokens mint --role district_admin --sub alice")
    if "console" in services:
        print(f"  console (sign-in)  http://127.0.0.1:{PORTS['console']}/sign-in   the first district admin's link:")
        print("             .venv/bin/python -m console.admin invite --login admin --name 管理员 \\")
        print("                 --email admin@example.org --role district_admin")
    demo = [s for s in services if service_env(s).get(f"{s.upper()}_DEMO_MODE", "").lower() in ("1", "true", "yes")]
    if demo:
        print(f"  demo mode: {', '.join(demo)} (a district admin may move the clock: PUT /clock, X-Demo-Today;")
        print("             <SERVICE>_DEMO_MODE=false turns it off)")
    print("Ctrl-C stops everything.\n", flush=True)
    await asyncio.gather(*(_supervise(s, stop, colour=colour, raw=raw) for s in services))
    if catcher is not None:
        catcher.close()
    print("all services stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("services", nargs="*", help="which services (default: all)")
    parser.add_argument("--raw", action="store_true", help="print the JSON log lines as they are")
    args = parser.parse_args()
    services = args.services or available_services()
    unknown = set(services) - set(PORTS)
    if unknown:
        parser.error(f"unknown services: {', '.join(sorted(unknown))}")
    asyncio.run(run(services, colour=sys.stdout.isatty(), raw=args.raw))


if __name__ == "__main__":
    main()
