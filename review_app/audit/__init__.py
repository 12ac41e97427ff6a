"""The append-only audit chain."""
