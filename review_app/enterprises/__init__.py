"""Enterprises (申报主体)."""
