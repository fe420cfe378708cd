"""Every SQL statement of the registry, by area; each class works on one connection."""

from registry.store.orgs import HistoryEntry, OrgFilter, OrgStore
from registry.store.programmes import ProgrammeStore
from registry.store.statistics import StatisticsStore

__all__ = ["HistoryEntry", "OrgFilter", "OrgStore", "ProgrammeStore", "StatisticsStore"]
