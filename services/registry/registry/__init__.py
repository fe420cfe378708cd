"""The organisation registry: organisations, platforms, party branches, the support alliance."""
