"""The article replayed through the running system, chapter by chapter (registry, venture,
party and alliance, procurement), as the people of the story would do it."""

from __future__ import annotations

from ops.demo.story.base import MARKER, NotFresh, roster_csv
from ops.demo.story.procurement import ProcurementChapter
from ops.demo.story.registry import RegistryChapter
from ops.demo.story.venture import VentureChapter

__all__ = ["MARKER", "NotFresh", "Story", "roster_csv"]


class Story(RegistryChapter, VentureChapter, ProcurementChapter):
    """The whole story: `registry()`, `venture()`, `graduations()`, `party_and_alliance()`, `procurement()`."""
