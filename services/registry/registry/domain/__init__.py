"""The registry's pure domain: rules and decisions, no I/O; time comes in as an argument."""
