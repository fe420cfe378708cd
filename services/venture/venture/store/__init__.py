"""Every SQL statement of the service, grouped by aggregate; row ↔ entity mapping lives here."""
