"""Anonymisation (匿名化): redaction of identities in section texts, the leak scan that blocks
distribution, and expert packets without metadata (DESIGN.md section 6)."""
