"""System-level tests: deployment files and the isolation promised by docs/architecture.md §4."""
