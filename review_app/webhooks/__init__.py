"""Webhooks: application state changes posted as signed JSON to registered URLs."""
