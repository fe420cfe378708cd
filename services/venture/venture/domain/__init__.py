"""The venture domain: pure rules, no I/O; today's date is always passed in."""
