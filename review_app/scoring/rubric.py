"""Rubrics: one TOML file per track and program year (``rubrics/<track>-<year>.toml``).

``parse_rubric`` reads a file with ``tomllib`` and validates it against the section catalogue;
every problem raises ``RubricError`` with a Chinese message naming the file and the key path,
e.g. ``excellent-<year>.toml: sections.link.rnd.criteria[2].max：应为正数``. In key paths a
section is named by its catalogue key (``sections.link.rnd``) and ``criteria[n]`` /
``inspection.checklist[n]`` count from 1, as a reader counts.

Scales: every section is scored by each reviewer on its own ``max`` (the sum of its criteria
maxima); its ``weight`` is what the section is worth on the 100-point application scale, so an
application's score is ``sum(weight * section_score / max)``. The dispersion thresholds are on
the section score rescaled to 100. Pure Python, no Flask.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..applications.catalogue import BOTH, BY_KEY, scored_sections
from ..paths import RUBRICS
from ..programs.years import DEFAULT_YEAR

PROGRAM_YEAR = DEFAULT_YEAR  # the default program's year (its data file), not a literal
WEIGHT_TOLERANCE = 0.01
HONOURS_MODES = ("tiebreak", "bonus")
REVIEW_MODES = ("section", "meeting")
DEDUCTION_MODES = ("points", "fraction")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_-]{0,39}$")
CHECK_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SECTION_FIELDS = ("title", "panel", "weight", "max", "criteria", "anchors")


class RubricError(ValueError):
    """A rubric file that cannot be used; ``str(err)`` is the Chinese message."""

    def __init__(self, message: str, *, file: str = "", path: str = "", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    full_marks: str
    max: float


@dataclass(frozen=True)
class SectionRubric:
    key: str
    title: str
    panel: str
    weight: float
    max: float
    criteria: tuple[Criterion, ...]
    anchors: tuple[str, ...] = ()

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def points_on_application_scale(self, section_score: float) -> float:
        """What ``section_score`` (on this section's ``max``) is worth out of 100."""
        return self.weight * section_score / self.max


@dataclass(frozen=True)
class AggregationSettings:
    trim_when_at_least: int
    dispersion_range: float
    dispersion_deviation: float
    calibration: bool
    calibration_min_reviews: int


@dataclass(frozen=True)
class HonoursSettings:
    mode: str  # "tiebreak" or "bonus"
    bonus_points: float = 0.0


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class InspectionSettings:
    deduction_mostly_true: str  # "points" (off the 100-point score) or "fraction" (of it)
    max_deduction: float
    veto_untrue: bool
    checklist: tuple[ChecklistItem, ...]

    def deduction(self, application_score: float) -> float:
        """Largest deduction for 基本属实 on an application scoring ``application_score``."""
        if self.deduction_mostly_true == "fraction":
            return application_score * self.max_deduction
        return min(self.max_deduction, application_score)


@dataclass(frozen=True)
class Rubric:
    name: str
    program: str
    track: str
    version: str
    reviewers_per_section: int
    due_days: int
    sections: tuple[SectionRubric, ...]
    aggregation: AggregationSettings
    honours: HonoursSettings
    inspection: InspectionSettings
    # "section": experts score anonymised sections; "meeting": the panel scores whole identified
    # applications in a meeting with the enterprise's 答辩 (review_app/meeting/).
    review_mode: str = "section"

    def section(self, key: str) -> SectionRubric:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    @property
    def total_weight(self) -> float:
        return math.fsum(s.weight for s in self.sections)

    @property
    def criterion_codes(self) -> tuple[str, ...]:
        return tuple(c.code for s in self.sections for c in s.criteria)


# --- parsing -------------------------------------------------------------------------------


class _Reader:
    """Typed access to a TOML table that reports errors with the file name and key path."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, path: str, problem: str, line: int | None = None) -> RubricError:
        where = f"{path}：" if path else ""
        return RubricError(f"{self.name}: {where}{problem}", file=self.name, path=path, line=line)

    def table(self, parent: dict, key: str, path: str) -> dict:
        value = self._get(parent, key, path)
        if not isinstance(value, dict):
            raise self.fail(path, "应为表（table）")
        return value

    def string(self, parent: dict, key: str, path: str, default: str | None = None) -> str:
        value = self._get(parent, key, path, default)
        if not isinstance(value, str):
            raise self.fail(path, "应为字符串")
        if not value.strip():
            raise self.fail(path, "不能为空")
        return value.strip()

    def boolean(self, parent: dict, key: str, path: str) -> bool:
        value = self._get(parent, key, path)
        if not isinstance(value, bool):
            raise self.fail(path, "应为 true 或 false")
        return value

    def integer(self, parent: dict, key: str, path: str, minimum: int) -> int:
        value = self._get(parent, key, path)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, "应为整数")
        if value < minimum:
            raise self.fail(path, f"应不小于 {minimum}")
        return value

    def number(self, parent: dict, key: str, path: str, *, positive: bool = False) -> float:
        value = self._get(parent, key, path)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.fail(path, "应为数字")
        if math.isinf(value):
            raise self.fail(path, "应为有限数")
        if positive and value <= 0:
            raise self.fail(path, "应为正数")
        if value < 0:
            raise self.fail(path, "不能为负数")
        return float(value)

    def array_of_tables(self, parent: dict, key: str, path: str) -> list[dict]:
        value = self._get(parent, key, path)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(path, "应为表数组（[[...]]）")
        if not value:
            raise self.fail(path, "至少需要一项")
        return value

    def only(self, table: dict, allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(_join(path, key), "未知的键")

    def _get(self, parent: dict, key: str, path: str, default: Any = None) -> Any:
        if key not in parent:
            if default is not None:
                return default
            raise self.fail(path, "缺少必填项")
        return parent[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _syntax_line(err: tomllib.TOMLDecodeError) -> int | None:
    line = getattr(err, "lineno", None)
    if line:
        return line
    m = re.search(r"at line (\d+)", str(err))
    return int(m.group(1)) if m else None


def parse_rubric(text: str, name: str) -> Rubric:
    """Parse and validate rubric ``text``; ``name`` (the file name) prefixes every error."""
    r = _Reader(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = _syntax_line(err)
        where = f"第 {line} 行" if line else "文件末尾"
        raise r.fail("", f"{where}：TOML 语法错误（{err}）", line=line) from None

    r.only(data, ("meta", "review", "aggregation", "honours", "inspection", "sections"), "")

    meta = r.table(data, "meta", "meta")
    r.only(meta, ("program", "track", "version"), "meta")
    program = r.string(meta, "program", "meta.program")
    track = r.string(meta, "track", "meta.track")
    if track not in BOTH:
        raise r.fail("meta.track", f"未知的赛道 {track!r}（应为 {' 或 '.join(BOTH)}）")
    version = r.string(meta, "version", "meta.version")

    review = r.table(data, "review", "review")
    r.only(review, ("reviewers_per_section", "due_days", "review_mode"), "review")
    reviewers = r.integer(review, "reviewers_per_section", "review.reviewers_per_section", 1)
    due_days = r.integer(review, "due_days", "review.due_days", 1)
    review_mode = r.string(review, "review_mode", "review.review_mode", default="section")
    if review_mode not in REVIEW_MODES:
        raise r.fail(
            "review.review_mode", f"应为 {' 或 '.join(REVIEW_MODES)}，实为 {review_mode!r}"
        )

    aggregation = _aggregation(r, r.table(data, "aggregation", "aggregation"))
    honours = _honours(r, r.table(data, "honours", "honours"))
    inspection = _inspection(r, r.table(data, "inspection", "inspection"))
    sections = _sections(r, r.table(data, "sections", "sections"), track)

    return Rubric(
        name=name,
        program=program,
        track=track,
        version=version,
        reviewers_per_section=reviewers,
        due_days=due_days,
        sections=sections,
        aggregation=aggregation,
        honours=honours,
        inspection=inspection,
        review_mode=review_mode,
    )


def _aggregation(r: _Reader, t: dict) -> AggregationSettings:
    p = "aggregation"
    r.only(
        t,
        (
            "trim_when_at_least",
            "dispersion_range",
            "dispersion_deviation",
            "calibration",
            "calibration_min_reviews",
        ),
        p,
    )
    # Trimming drops two reviews, so it needs at least three to leave one.
    trim = r.integer(t, "trim_when_at_least", f"{p}.trim_when_at_least", 3)
    return AggregationSettings(
        trim_when_at_least=trim,
        dispersion_range=r.number(t, "dispersion_range", f"{p}.dispersion_range"),
        dispersion_deviation=r.number(t, "dispersion_deviation", f"{p}.dispersion_deviation"),
        calibration=r.boolean(t, "calibration", f"{p}.calibration"),
        calibration_min_reviews=r.integer(
            t, "calibration_min_reviews", f"{p}.calibration_min_reviews", 1
        ),
    )


def _honours(r: _Reader, t: dict) -> HonoursSettings:
    r.only(t, ("mode", "bonus_points"), "honours")
    mode = r.string(t, "mode", "honours.mode")
    if mode not in HONOURS_MODES:
        raise r.fail("honours.mode", f"未知的方式 {mode!r}（应为 tiebreak 或 bonus）")
    if mode == "tiebreak":
        if "bonus_points" in t:
            raise r.fail("honours.bonus_points", '仅在 mode = "bonus" 时使用')
        return HonoursSettings(mode=mode)
    bonus = r.number(t, "bonus_points", "honours.bonus_points", positive=True)
    return HonoursSettings(mode=mode, bonus_points=bonus)


def _inspection(r: _Reader, t: dict) -> InspectionSettings:
    p = "inspection"
    r.only(t, ("deduction_mostly_true", "max_deduction", "veto_untrue", "checklist"), p)
    mode = r.string(t, "deduction_mostly_true", f"{p}.deduction_mostly_true")
    if mode not in DEDUCTION_MODES:
        raise r.fail(
            f"{p}.deduction_mostly_true", f"未知的方式 {mode!r}（应为 points 或 fraction）"
        )
    max_deduction = r.number(t, "max_deduction", f"{p}.max_deduction")
    if mode == "fraction" and max_deduction > 1:
        raise r.fail(f"{p}.max_deduction", "按比例扣分时应不大于 1")
    if mode == "points" and max_deduction > 100:
        raise r.fail(f"{p}.max_deduction", "应不大于 100")
    veto = r.boolean(t, "veto_untrue", f"{p}.veto_untrue")
    items: list[ChecklistItem] = []
    seen: set[str] = set()
    for i, item in enumerate(r.array_of_tables(t, "checklist", f"{p}.checklist"), start=1):
        ip = f"{p}.checklist[{i}]"
        r.only(item, ("code", "title", "description"), ip)
        code = r.string(item, "code", f"{ip}.code")
        if not CHECK_CODE_RE.match(code):
            raise r.fail(f"{ip}.code", "应为小写字母开头的字母、数字或下划线")
        if code in seen:
            raise r.fail(f"{ip}.code", f"代码 {code} 重复")
        seen.add(code)
        title = r.string(item, "title", f"{ip}.title")
        description = ""
        if "description" in item:
            description = r.string(item, "description", f"{ip}.description")
        items.append(ChecklistItem(code=code, title=title, description=description))
    return InspectionSettings(
        deduction_mostly_true=mode,
        max_deduction=max_deduction,
        veto_untrue=veto,
        checklist=tuple(items),
    )


def _flatten_sections(r: _Reader, table: dict, prefix: str = "") -> dict[str, dict]:
    """``[sections.link.rnd]`` nests in TOML; ``[sections."link.rnd"]`` does not: accept both."""
    found: dict[str, dict] = {}
    for key, value in table.items():
        full = _join(prefix, key)
        if full in BY_KEY:
            if not isinstance(value, dict):
                raise r.fail(f"sections.{full}", "应为表（table）")
            found[full] = value
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(v, dict) for v in value.values())
            and not any(k in SECTION_FIELDS for k in value)
        ):
            found.update(_flatten_sections(r, value, full))
        else:
            raise r.fail(f"sections.{full}", "未知的章节")
    return found


def _sections(r: _Reader, table: dict, track: str) -> tuple[SectionRubric, ...]:
    given = _flatten_sections(r, table)
    expected = scored_sections(track)
    expected_keys = {s.key for s in expected}
    for key in given:
        if key not in expected_keys:
            spec = BY_KEY[key]
            why = (
                "企业简介作为背景，不评分" if spec.group is None else f"不是 {track} 赛道的评分章节"
            )
            raise r.fail(f"sections.{key}", why)

    sections: list[SectionRubric] = []
    code_seen: dict[str, str] = {}
    for spec in expected:  # catalogue order
        p = f"sections.{spec.key}"
        if spec.key not in given:
            raise r.fail(p, f"缺少评分章节（{spec.title}）")
        t = given[spec.key]
        r.only(t, SECTION_FIELDS, p)
        title = r.string(t, "title", f"{p}.title")
        panel = r.string(t, "panel", f"{p}.panel")
        if panel != spec.group:
            raise r.fail(f"{p}.panel", f"应为 {spec.group}（目录中的评审组），实为 {panel}")
        weight = r.number(t, "weight", f"{p}.weight", positive=True)
        section_max = r.number(t, "max", f"{p}.max", positive=True)
        anchors: tuple[str, ...] = ()
        if "anchors" in t:
            raw = t["anchors"]
            if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
                raise r.fail(f"{p}.anchors", "应为非空字符串数组")
            anchors = tuple(a.strip() for a in raw)
        criteria: list[Criterion] = []
        for i, c in enumerate(r.array_of_tables(t, "criteria", f"{p}.criteria"), start=1):
            cp = f"{p}.criteria[{i}]"
            r.only(c, ("code", "title", "full_marks", "max"), cp)
            code = r.string(c, "code", f"{cp}.code")
            if not CODE_RE.match(code):
                raise r.fail(f"{cp}.code", "应为大写字母开头的字母或数字（如 F1）")
            if code in code_seen:
                raise r.fail(f"{cp}.code", f"代码 {code} 重复（已用于 {code_seen[code]}）")
            code_seen[code] = cp
            criteria.append(
                Criterion(
                    code=code,
                    title=r.string(c, "title", f"{cp}.title"),
                    full_marks=r.string(c, "full_marks", f"{cp}.full_marks"),
                    max=r.number(c, "max", f"{cp}.max", positive=True),
                )
            )
        total = math.fsum(c.max for c in criteria)
        if not math.isclose(total, section_max, abs_tol=WEIGHT_TOLERANCE):
            raise r.fail(
                f"{p}.criteria", f"各项 max 合计 {total:g} 与本节 max {section_max:g} 不符"
            )
        sections.append(
            SectionRubric(
                key=spec.key,
                title=title,
                panel=panel,
                weight=weight,
                max=section_max,
                criteria=tuple(criteria),
                anchors=anchors,
            )
        )

    total_weight = math.fsum(s.weight for s in sections)
    if abs(total_weight - 100) > WEIGHT_TOLERANCE:
        raise r.fail("sections", f"各章节 weight 合计应为 100，实为 {total_weight:g}")
    return tuple(sections)


def load_rubric(path: str | Path) -> Rubric:
    """Read and validate the rubric file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(f"{path.name}: 文件不存在（{path}）", file=path.name) from None
    except UnicodeDecodeError:
        raise RubricError(f"{path.name}: 应为 UTF-8 编码", file=path.name) from None
    return parse_rubric(text, path.name)


def rubric_path(track: str, root: str | Path | None = None, year: int = PROGRAM_YEAR) -> Path:
    folder = Path(root) / "rubrics" if root is not None else RUBRICS
    return folder / f"{track}-{year}.toml"


def rubric_for(track: str, root: str | Path | None = None, year: int = PROGRAM_YEAR) -> Rubric:
    """The rubric of ``track``: ``<track>-<year>.toml`` in the shipped ``rubrics/`` (or under ``root``)."""
    return load_track_rubric(rubric_path(track, root, year), track)


@cache
def rubric_file_path(rubric_file: str) -> Path:
    """Where a ``Track.rubric_file`` is: ``rubrics/<name>.toml`` in the shipped rubrics folder,
    any other relative path under the checkout, an absolute path as it is."""
    path = Path(rubric_file)
    if path.is_absolute():
        return path
    if path.parts[0] == "rubrics":
        return RUBRICS.joinpath(*path.parts[1:])
    return RUBRICS.parent / path


def load_track_rubric(path: Path, track: str) -> Rubric:
    """The rubric file at ``path``, which must be written for ``track``."""
    rubric = load_rubric(path)
    if rubric.track != track:
        raise RubricError(
            f"{rubric.name}: meta.track：应为 {track}，实为 {rubric.track}",
            file=rubric.name,
            path="meta.track",
        )
    return rubric
