"""CPU time per process group during a phase: where a message's cost goes.

Read from /proc (utime + stime of each process), grouped as the four services, the broker
(RabbitMQ's `beam.smp`), PostgreSQL (every `postgres` process: the server and its backends)
and the driver (this benchmark process: publishers, HTTP clients). A backend that exits
during a phase takes its CPU time with it, so the PostgreSQL figure is a lower bound.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

from ops.system import System

_TICK = os.sysconf("SC_CLK_TCK")
GROUPS = ("registry", "venture", "procurement", "notify", "broker", "postgres", "driver")


def _proc_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def snapshot(system: System) -> dict[str, float]:
    """CPU seconds used so far, by group."""
    out = dict.fromkeys(GROUPS, 0.0)
    pids = {svc.proc.pid: name for name, svc in system.services.items() if svc.proc is not None}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if pid in pids:
                out[pids[pid]] += _proc_seconds(pid)
                continue
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if comm == "beam.smp":
                out["broker"] += _proc_seconds(pid)
            elif comm == "postgres":
                out["postgres"] += _proc_seconds(pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # exited while being read
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["driver"] = usage.ru_utime + usage.ru_stime
    return out


def per_message_ms(before: dict[str, float], after: dict[str, float], messages: int) -> dict[str, float]:
    """Milliseconds of CPU per message, by group, between two snapshots."""
    return {g: (after[g] - before[g]) * 1000 / messages for g in GROUPS} if messages else {}
