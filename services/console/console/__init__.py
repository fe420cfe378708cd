"""The console: accounts, sign-in and the token issuer of the guidance centre (docs/architecture.md §4)."""
