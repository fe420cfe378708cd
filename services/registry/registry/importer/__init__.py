"""Bulk import of an existing roster from CSV: `python -m registry.importer roster.csv ...`."""
