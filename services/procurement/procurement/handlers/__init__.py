"""Use cases: load → decide (domain) → save → return the events to publish."""
