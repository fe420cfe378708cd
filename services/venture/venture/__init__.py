"""Venture philanthropy (公益创投): rounds, applications, review, grants in tranches, follow-up, graduation."""
