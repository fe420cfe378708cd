"""Security suites: the route × caller matrix and the fuzzing of every HTTP API (see README.md)."""

from __future__ import annotations

from typing import Any

SERVICE_ORDER = ("registry", "venture", "procurement", "notify")


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Run the fuzz tests service by service, so each service process is started once."""
    fuzz = [i for i, item in enumerate(items) if item.nodeid.startswith("tests/security/test_fuzz.py::")]
    if not fuzz:
        return

    def service(item: Any) -> int:
        params = getattr(item, "callspec", None)
        name = params.params.get("service") if params else None
        return SERVICE_ORDER.index(name) if name in SERVICE_ORDER else len(SERVICE_ORDER)

    ordered = sorted((items[i] for i in fuzz), key=service)
    for i, item in zip(fuzz, ordered, strict=True):
        items[i] = item
