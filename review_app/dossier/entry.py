"""入库条件（三） figures: 关键工序数控化率 and 数字化研发设计工具普及率 against the industry average
of the application's 大类, the share of 指引 scenarios using AI against the 要素条件 (卓越级 20%,
领航级 60%), and the 指引's scenarios as a tick list. Reading the data files and assessing are
pure; the averages the coordinator edits are rows that override the file."""

import csv
from dataclasses import dataclass
from functools import cache

from .. import datafiles

AI_SHARE_MIN = {"excellent": 0.20, "leading": 0.60}  # 要素条件: AI in ≥ 20% / ≥ 60% of scenarios
FIGURE_NAMES = {"nc_rate": "关键工序数控化率", "design_tool_rate": "数字化研发设计工具普及率"}


@dataclass(frozen=True)
class Average:
    code: str
    name: str
    nc_rate: float
    design_tool_rate: float


@cache
def file_averages() -> dict[str, Average]:
    """大类 → average, from ``industry_averages.csv`` (comment lines start with #)."""
    lines = [ln for ln in datafiles.text("industry_averages.csv").splitlines()
             if ln and not ln.startswith("#")]  # fmt: skip
    return {
        r["code"]: Average(r["code"], r["name"], float(r["nc_rate"]), float(r["design_tool_rate"]))
        for r in csv.DictReader(lines)
    }


@dataclass(frozen=True)
class Scenario:
    name: str
    guide_link: str  # the 指引's link, e.g. 产品研发
    section_key: str  # the form's 重点环节, e.g. link.rnd


@cache
def scenarios() -> tuple[Scenario, ...]:
    """The 40 scenarios of the 指引, in its order, with the 重点环节 each belongs to."""
    out = []
    for header, names in datafiles.sections("guide_scenarios.txt").items():
        key, link = header.split()
        out += [Scenario(name, link, key) for name in names]
    return tuple(out)


def scenario_names() -> tuple[str, ...]:
    return tuple(s.name for s in scenarios())


def for_section(ticked: list[str], section_key: str) -> list[str]:
    """The ticked scenarios that belong to ``section_key`` (shown to its experts)."""
    chosen = set(ticked)
    return [s.name for s in scenarios() if s.section_key == section_key and s.name in chosen]


@dataclass(frozen=True)
class Finding:
    severity: str  # "warning" or "ok"
    message: str


def assess(track: str, division: str | None, nc_rate: float | None,
           design_tool_rate: float | None, ticked: list[str], ai: list[str],
           average: Average | None) -> list[Finding]:  # fmt: skip
    """What the figures say against the entry condition (warnings, never refusals: the notice
    asks for 高于行业平均水平 but the figures are the enterprise's own)."""
    out = []
    for attr, value in (("nc_rate", nc_rate), ("design_tool_rate", design_tool_rate)):
        name = FIGURE_NAMES[attr]
        if value is None:
            out.append(Finding("warning", f"未填写{name}。"))
        elif average is None:
            out.append(Finding("warning", f"所属行业大类“{division or '未填'}”无行业平均值，{name}"
                                          f"{value:g}%无法比较。"))  # fmt: skip
        elif value < getattr(average, attr):
            out.append(Finding("warning", f"{name}{value:g}%低于{average.name}行业平均水平"
                                          f"{getattr(average, attr):g}%（入库条件（三））。"))  # fmt: skip
        else:
            out.append(Finding("ok", f"{name}{value:g}%不低于{average.name}行业平均水平"
                                     f"{getattr(average, attr):g}%。"))  # fmt: skip
    need = AI_SHARE_MIN.get(track, AI_SHARE_MIN["excellent"])
    if not ticked:
        out.append(Finding("warning", "未勾选《智能制造典型场景参考指引》中的典型场景。"))
    else:
        share = len(set(ai) & set(ticked)) / len(ticked)
        level = "领航级" if track == "leading" else "卓越级"
        words = f"应用人工智能的场景{len(set(ai) & set(ticked))}个，占所选{len(ticked)}个场景的{share:.0%}"
        if share < need:
            out.append(Finding("warning", f"{words}，低于{level}要素条件的{need:.0%}。"))
        else:
            out.append(Finding("ok", f"{words}，达到{level}要素条件的{need:.0%}。"))
    return out
