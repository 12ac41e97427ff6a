"""The sections of the 申报书 (附件1), their word limits, tracks and review panels.

Keys are the canonical section keys of DESIGN.md section 3. ``limit`` is the notice's 字数 limit
(None where the notice sets none). ``tracks`` lists the tracks whose form requires the section.
``group`` names the panel that scores it: one per 重点环节, ``general`` (综合组) for the
overview, plan and scheme sections; ``None`` for the profile, which is context, not scored.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    limit: int | None
    tracks: tuple[str, ...]
    group: str | None


BOTH = ("excellent", "leading")

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("profile", "企业简介", 1000, BOTH, None),
    SectionSpec("overview.background", "实施背景和基础条件", 1000, BOTH, "general"),
    SectionSpec("overview.integration", "集成贯通情况", 1500, BOTH, "general"),
    SectionSpec("overview.tech_change", "技术体系变革情况", 1500, ("leading",), "general"),
    SectionSpec("overview.org_change", "工厂架构变革情况", 1500, ("leading",), "general"),
    SectionSpec("link.factory", "工厂建设", 1500, BOTH, "link.factory"),
    SectionSpec("link.rnd", "研发设计", 1500, BOTH, "link.rnd"),
    SectionSpec("link.production", "生产作业", 1500, BOTH, "link.production"),
    SectionSpec("link.prod_mgmt", "生产管理", 1500, BOTH, "link.prod_mgmt"),
    SectionSpec("link.operations", "运营管理", 1500, BOTH, "link.operations"),
    SectionSpec("link.scenarios", "场景创新升级情况", None, ("leading",), "general"),
    SectionSpec("plan.goals", "预期目标", None, ("excellent",), "general"),
    SectionSpec("plan.content", "下一步建设主要内容和实施计划", None, ("excellent",), "general"),
    SectionSpec("plan.growth", "成长性分析", None, ("excellent",), "general"),
    SectionSpec("plan.promotion", "推广应用计划", None, ("excellent",), "general"),
    SectionSpec("scheme.goals", "培育目标", 2000, ("leading",), "general"),
    SectionSpec("scheme.measures", "实施举措", 5000, ("leading",), "general"),
    SectionSpec("scheme.safeguards", "保障措施", 3000, ("leading",), "general"),
)

BY_KEY = {s.key: s for s in SECTIONS}
SECTION_KEYS = tuple(BY_KEY)

GROUP_NAMES = {
    "general": "综合组",
    "link.factory": "工厂建设组",
    "link.rnd": "研发设计组",
    "link.production": "生产作业组",
    "link.prod_mgmt": "生产管理组",
    "link.operations": "运营管理组",
}


def required_sections(track: str) -> tuple[SectionSpec, ...]:
    """Sections the form asks of an application on ``track``."""
    return tuple(s for s in SECTIONS if track in s.tracks)


def scored_sections(track: str) -> tuple[SectionSpec, ...]:
    """Sections that expert panels score on ``track``."""
    return tuple(s for s in required_sections(track) if s.group is not None)
