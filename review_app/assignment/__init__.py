"""Assignments of anonymised sections to experts, and conflicts of interest (回避)."""
