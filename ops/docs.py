"""Generate each service's AsyncAPI and OpenAPI documents into docs/ (`make docs`);
tests/test_contract_docs.py fails when code and documents disagree."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from shared.docs import asyncapi_document

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "venture", "procurement", "notify")


def present() -> list[str]:
    return [s for s in SERVICES if (ROOT / "services" / s / "pyproject.toml").exists()]


def documents(service: str) -> dict[str, dict[str, Any]]:
    app_module = importlib.import_module(f"{service}.app")
    config = importlib.import_module(f"{service}.config")
    asyncapi = asyncapi_document(app_module.build_service(config.Settings()))
    openapi = app_module.create_app(config.Settings()).openapi()
    return {f"asyncapi/{service}.json": asyncapi, f"openapi/{service}.json": openapi}


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    for service in present():
        for rel, doc in documents(service).items():
            path = ROOT / "docs" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(doc), encoding="utf-8")
            print(f"wrote docs/{rel}")


if __name__ == "__main__":
    main()
