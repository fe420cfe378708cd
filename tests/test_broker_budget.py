"""The broker's file-handle budget: with Debian's RabbitMQ 3.10 it is 0.9 x `ulimit -n` (927), the
queues of the suites book more than that, and every new connection then waits for ever. The
script CI and `make provision` run (ops/services-up.sh) raises it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ops.system import ROOT


def _budget() -> int:
    out = subprocess.run(
        ["rabbitmqctl", "-q", "eval", "file_handle_cache:info([total_limit])."],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    found = re.search(r"total_limit,(\d+)", out)
    assert found, out
    return int(found.group(1))


@pytest.mark.integration
def test_services_up_raises_the_brokers_file_handle_budget() -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not on this machine (the broker runs elsewhere)")
    subprocess.run(["bash", str(ROOT / "ops" / "services-up.sh")], check=True, timeout=300)
    assert _budget() >= 65536
