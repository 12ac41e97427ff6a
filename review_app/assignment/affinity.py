"""How well an expert fits a section: a number from 0 to 1 fed to the assignment solver.

Two independent parts, added together:

- **重点环节 (specialty), 0.6.** A section scored by a ``link.*`` panel earns 0.6 when that
  环节 key is among the expert's specialties. A section of the 综合组 (``general``) covers the
  whole factory, so any 环节 specialty earns half, 0.3.
- **Industry, 0.4.** The application's GB/T 4754-2017 大类 (two digits, e.g. ``"34"``) is among
  the expert's industries. Codes are compared on their 大类: ``"C34"``, ``"34"`` and ``"342"``
  (a 中类) all mean 大类 34. Industry codes listed among the specialties count too, since
  ``Expert.specialties`` may hold both kinds.

So a 生产作业 expert from the 通用设备 industry scores 1.0 on the 生产作业 section of a 大类 34
application, 0.7 on its overview sections, and 0.4 on its 研发设计 section.
"""

SPECIALTY_WEIGHT = 0.6
GENERAL_SPECIALTY_WEIGHT = 0.3
INDUSTRY_WEIGHT = 0.4


def division_of(code: str) -> str | None:
    """The GB/T 4754 大类 (two digits) of ``code`` ("C342" → "34"), or None if not a code."""
    digits = code.strip().upper().lstrip("ABCDEFGHIJKLMNOPQRST")
    if len(digits) < 2 or not digits[:2].isdigit():
        return None
    return digits[:2]


def affinity(
    expert_specialties: set[str],
    expert_industries: set[str],
    section_group: str,
    industry_division: str | None,
) -> float:
    """Affinity of an expert for a section of ``section_group`` of an application whose
    enterprise is in 大类 ``industry_division`` (see the module docstring)."""
    score = 0.0
    links = {s for s in expert_specialties if s.startswith("link.")}
    if section_group == "general":
        if links:
            score += GENERAL_SPECIALTY_WEIGHT
    elif section_group in links:
        score += SPECIALTY_WEIGHT
    wanted = division_of(industry_division) if industry_division else None
    if wanted is not None:
        codes = {division_of(c) for c in expert_industries | expert_specialties}
        if wanted in codes:
            score += INDUSTRY_WEIGHT
    return round(score, 6)
