"""The AsyncAPI and OpenAPI documents in docs/ are what the code generates (`make docs`)."""

from __future__ import annotations

import pytest

from ops.docs import ROOT, SERVICES, documents, events_markdown, present, render


@pytest.mark.parametrize("service", SERVICES)
def test_committed_documents_match_the_code(service):
    if service not in present():
        pytest.skip(f"services/{service} is not in this tree yet")
    for rel, doc in documents(service).items():
        path = ROOT / "docs" / rel
        assert path.exists(), f"docs/{rel} is missing: run `make docs`"
        assert path.read_text(encoding="utf-8") == render(doc), f"docs/{rel} is stale: run `make docs`"


def test_events_md_lists_every_routing_key_as_the_code_has_them():
    path = ROOT / "docs" / "events.md"
    assert path.exists(), "docs/events.md is missing: run `make docs`"
    assert path.read_text(encoding="utf-8") == events_markdown(), "docs/events.md is stale: run `make docs`"
