"""The console's use cases: load → decide (domain) → save → return the events caused."""
