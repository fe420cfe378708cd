"""Use cases of the registry: load → decide (domain) → save → return events."""
