"""Experts (评审专家) and panels (评审组)."""
