"""System-level tests: deployment files and the isolation promised by DESIGN §2.4."""
