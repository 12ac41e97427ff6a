"""Site inspection (实地抽查)."""
