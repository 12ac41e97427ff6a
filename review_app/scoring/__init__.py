"""Scoring: reviews (score sheets), dispersion flags (复议) and aggregation."""
