"""The procurement project: the ten steps, their rules and the events each step emits.

One aggregate, written in parts: `base` holds the state and shared helpers, and each
sibling module adds the commands of a group of steps; `Project` composes them.
The parts import each other relatively so that mypy, run on the source tree, checks
them against one another rather than against the installed package (which it skips).
"""

from __future__ import annotations

from .announcement import AnnouncementSteps
from .base import CENT, ProjectBase, excluded_purchase
from .contract import ContractSteps
from .intake import SortingSteps
from .review import ReviewSteps

__all__ = ["CENT", "Project", "ProjectBase", "excluded_purchase"]


class Project(SortingSteps, ReviewSteps, AnnouncementSteps, ContractSteps):
    """A government purchase of services, from sorting to evaluation."""
