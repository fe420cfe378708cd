"""The pure domain of procurement: demands, the ten-step project, review, OCDS mapping."""
