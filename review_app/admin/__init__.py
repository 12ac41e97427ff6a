"""User administration and the audit chain page."""
