"""The basic-information table of the 申报书 (一、申报主体基本信息).

Labels are found by their words, whatever the spaces and line breaks inside them ("统一社会\\n
信用代码", "企\\n业\\n简\\n介"); a label's value is the cell to its right, or, for the column
headers (行业门类/大类/中类, the years), the cell below. Continuation cells of a vertical merge
are already left out by ``docx_blocks``, so the 联系人 label carries over to its second row
(职务, 邮箱).
"""

import re
from dataclasses import dataclass, field

from .docx_blocks import Cell, Table
from .parsed import (
    BLOCKING,
    DEFAULT_YEAR_KEYS,
    INFRASTRUCTURE_OPTIONS,
    MATURITY_OPTIONS,
    NATURE_OPTIONS,
    SIZE_OPTIONS,
    TRACK_OPTIONS,
    WARNING,
    ParsedApplication,
    Problem,
)
from .parser_text import narrative
from .parser_values import (
    BOXES,
    TICKS,
    clean,
    find_options,
    fold,
    industry_code,
    location,
    multi_choice,
    number,
    single_choice,
    squash,
    text_after,
    yes_no,
)

FIELD_LABELS = {
    "申报类别": "track",
    "企业名称": "name",
    "单位名称": "name",
    "统一社会信用代码": "uscc",
    "社会信用代码": "uscc",
    "信用代码": "uscc",
    "所在地市": "location",
    "所在地市县": "location",
    "所在地": "location",
    "所在地区": "location",
    "企业性质": "nature",
    "企业类型": "size",
    "企业规模": "size",
    "从业人员": "employees",
    "从业人员数": "employees",
    "从业人数": "employees",
    "所属产业链": "chain",
    "产业链": "chain",
    "工厂地址": "address",
    "地址": "address",
    "现有智能化基础设施": "infra",
    "智能化基础设施": "infra",
    "企业简介": "profile",
    "真实性承诺": "promise",
}
PERSON_LABELS = {
    "法人代表/负责人": "legal_rep",
    "法定代表人/负责人": "legal_rep",
    "法人代表": "legal_rep",
    "法定代表人": "legal_rep",
    "负责人": "legal_rep",
    "联系人": "contact",
}
SUB_LABELS = {
    "姓名": "name",
    "电话": "phone",
    "电话/手机": "phone",
    "手机/电话": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "职务": "title",
    "职位": "title",
    "邮箱": "email",
    "电子邮箱": "email",
    "e-mail": "email",
    "email": "email",
}
INDUSTRY_LABELS = {
    "行业门类": "section",
    "门类": "section",
    "行业大类": "division",
    "大类": "division",
    "行业中类": "group",
    "中类": "group",
}
FIGURE_LABELS = {
    "资产总额": "total_assets",
    "总资产": "total_assets",
    "资产负债率": "debt_ratio",
    "主营业务收入": "revenue",
    "营业收入": "revenue",
    "利润率": "profit_margin",
}
STRUCTURE_LABELS = {"所属行业": "industry", "近三年发展情况": "years", "近三年经营情况": "years"}
# Long questions, recognised by a phrase (checked in this order, on labels holding 是否).
QUESTION_PHRASES = (
    ("国家卓越级", "national"),
    ("揭榜", "provincial"),
    ("省级验收", "provincial"),
    ("荣誉", "honours"),
    ("事故", "accidents"),
    ("失信", "accidents"),
)
OTHER_EVIDENCE = re.compile(r"^\s*其他能力证明材料说明\s*[（(]?\s*可附后\s*[)）]?\s*[:：]?")
_YEAR = re.compile(r"^(20\d\d)年度?$")  # "<year>年"; a bare year may be a figure
_PAREN = re.compile(r"\([^)]*\)")
_MARKS = re.compile(f"[{TICKS}{BOXES}]")  # option cells are values, never labels


@dataclass(frozen=True)
class Label:
    kind: str  # field, person, sub, industry, figure, year, structure
    name: str
    inline: str | None = None  # a value written in the label's own cell ("企业名称：XX")


def classify(text: str) -> Label | None:
    """What label a cell holds, if any."""
    if m := OTHER_EVIDENCE.match(text):
        return Label("field", "other_evidence", text[m.end() :].strip())
    key = squash(text)
    if not key or len(key) > 60 or _MARKS.search(key):
        return None
    bare = _PAREN.sub("", key).rstrip(":")
    if m := _YEAR.match(bare):
        return Label("year", m.group(1))
    for table, kind in (
        (FIELD_LABELS, "field"),
        (PERSON_LABELS, "person"),
        (SUB_LABELS, "sub"),
        (INDUSTRY_LABELS, "industry"),
        (FIGURE_LABELS, "figure"),
        (STRUCTURE_LABELS, "structure"),
    ):
        name = table.get(bare) or table.get(bare.lower())
        if name:
            return Label(kind, name)
    if "是否" in bare:
        return next((Label("field", n) for p, n in QUESTION_PHRASES if p in bare), None)
    if "成熟度" in bare and len(bare) <= 40:
        return Label("field", "maturity")
    head, sep, tail = text.partition("：") if "：" in text else text.partition(":")
    if sep and tail.strip():
        label = classify(head)
        if label is not None and label.kind in ("field", "sub", "person") and label.inline is None:
            return Label(label.kind, label.name, tail.strip())
    return None


@dataclass
class BasicInfo:
    """The raw texts of the table, by field: "name", "legal_rep.phone", "industry.division",
    "figures.<year>.revenue"… The first value found for a field wins."""

    values: dict[str, str] = field(default_factory=dict)
    labels_found: int = 0

    def put(self, key: str, text: str | None) -> None:
        if text is not None and key not in self.values:
            self.values[key] = text


@dataclass
class _State:
    person: str | None = None
    years: dict[str, Cell] = field(default_factory=dict)


class TableReader:
    """Reads one or more basic-information tables into a ``BasicInfo``."""

    def __init__(self, years: tuple[str, ...] = DEFAULT_YEAR_KEYS) -> None:
        self.info = BasicInfo()
        self._state = _State()
        self._years = years  # the program's figure years, for columns without a year header

    def read(self, table: Table) -> None:
        rows = table.rows
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            for i, cell in enumerate(row):
                if (r, i) in taken:
                    continue
                label = classify(cell.text)
                if label is None:
                    continue
                self.info.labels_found += 1
                if label.kind not in ("person", "sub"):
                    self._state.person = None
                self._label(label, rows, r, i, taken)

    def _label(self, label: Label, rows: list[list[Cell]], r: int, i: int, taken: set) -> None:
        state, info = self._state, self.info
        if label.kind == "year":
            state.years[label.name] = rows[r][i]
        elif label.kind == "figure":
            self._figures(label.name, rows[r], i, taken, r)
        elif label.kind == "person":
            state.person = label.name
            nxt = _right(rows, r, i)
            if label.inline is not None:
                info.put(f"{label.name}.name", label.inline)
            elif nxt is not None and classify(rows[r][nxt].text) is None:
                taken.add((r, nxt))
                info.put(f"{label.name}.name", rows[r][nxt].text)
        elif label.kind == "sub":
            person = state.person or ("contact" if label.name in ("title", "email") else None)
            value = self._value(label, rows, r, i, taken, below=False)
            if person is not None:
                info.put(f"{person}.{label.name}", value)
        elif label.kind == "industry":
            info.put(f"industry.{label.name}", self._value(label, rows, r, i, taken, below=True))
        elif label.kind == "field":
            info.put(label.name, self._value(label, rows, r, i, taken, below=True))

    def _value(self, label: Label, rows, r: int, i: int, taken: set, below: bool) -> str | None:
        """The label's value: written inline, in the next cell of the row (unless that is a
        label itself), or in the cell below."""
        if label.inline is not None:
            return label.inline
        nxt = _right(rows, r, i)
        if nxt is not None and label.kind == "industry" and not rows[r][nxt].text.strip():
            nxt = None  # a blank filler beside a column header: the value is below
        if nxt is not None:
            found = classify(rows[r][nxt].text)
            if found is None or (label.name == "title" and found.kind == "person"):
                taken.add((r, nxt))
                return rows[r][nxt].text
            if found.name == label.name and found.inline is not None:
                taken.add((r, nxt))  # the label repeated in the value cell: "地址：…"
                return found.inline
            if not below:
                return None
        if below and r + 1 < len(rows):
            j = _overlapping(rows[r + 1], rows[r][i])
            if j is not None and classify(rows[r + 1][j].text) is None:
                taken.add((r + 1, j))
                return rows[r + 1][j].text
        return None

    def _figures(self, name: str, row: list[Cell], i: int, taken: set, r: int) -> None:
        cells = [(j, c) for j, c in enumerate(row[i + 1 :], i + 1) if classify(c.text) is None]
        years = self._state.years
        placed = 0
        for year, header in years.items():
            j = _overlapping([c for _, c in cells], header)
            if j is not None:
                taken.add((r, cells[j][0]))
                self.info.put(f"figures.{year}.{name}", cells[j][1].text)
                placed += 1
        if placed:
            return
        for year, (j, cell) in zip(self._years, cells, strict=False):
            taken.add((r, j))
            self.info.put(f"figures.{year}.{name}", cell.text)


def _right(rows: list[list[Cell]], r: int, i: int) -> int | None:
    return i + 1 if i + 1 < len(rows[r]) else None


def _overlapping(row: list[Cell], target: Cell) -> int | None:
    """The index of the cell of ``row`` sharing the most grid columns with ``target``."""
    best, best_overlap = None, 0
    for j, cell in enumerate(row):
        overlap = min(cell.col + cell.span, target.col + target.span) - max(cell.col, target.col)
        if overlap > best_overlap:
            best, best_overlap = j, overlap
    return best


# -- from raw texts to the fields of ParsedApplication ------------------------------------------

_TRACK_WORDS = TRACK_OPTIONS | {"卓越级": "excellent", "领航级": "leading"}
_NATURE_WORDS = {o: o for o in NATURE_OPTIONS} | {"地方国有企业": "地方国企", "央企": "中央企业"}
_SIZE_WORDS = {o: o for o in SIZE_OPTIONS} | {o.removesuffix("企业"): o for o in SIZE_OPTIONS}
_INFRA_WORDS = {o: o for o in INFRASTRUCTURE_OPTIONS} | {
    "工业机器人": INFRASTRUCTURE_OPTIONS[0],
    "工业互联网": INFRASTRUCTURE_OPTIONS[1],
    "智能仓储": INFRASTRUCTURE_OPTIONS[2],
    "数字化设计工具": INFRASTRUCTURE_OPTIONS[3],
}
_LEVEL_WORDS = {word: str(i) for i, word in enumerate(MATURITY_OPTIONS, 1)}
_SCORE = re.compile(r"评估分数\s*[:：]?\s*([-−\d.,，]+)")
_QUESTIONS = (
    # (raw key, attribute, attribute of the 名称 beside 是, label for messages)
    ("national", "national_excellent", None, "是否已获得国家卓越级智能工厂称号"),
    ("provincial", "provincial_demo", "provincial_demo_project", "是否为省级示范工厂揭榜单位"),
    ("honours", "has_honours", "honours", "是否获得相关荣誉称号"),
    ("accidents", "accidents", "accidents_detail", "近三年是否发生较大及以上事故或失信行为"),
)


def apply_basic_info(info: BasicInfo, parsed: ParsedApplication) -> None:
    """Fill ``parsed`` from the table's raw texts, adding the problems only the parser sees
    (申报类别 not ticked or both ticked, ambiguous ticks)."""
    v, e = info.values, parsed.enterprise

    def ambiguous(path: str, label: str) -> None:
        parsed.problems.append(
            Problem("tick_ambiguous", WARNING, path, f"“{label}”勾选了多个选项，无法确定，请核实。")
        )

    track, both = single_choice(find_options(v.get("track", ""), _TRACK_WORDS))
    parsed.track = track
    if both:
        parsed.problems.append(
            Problem(
                "track_ambiguous",
                BLOCKING,
                "track",
                "申报类别同时勾选了卓越级和领航级，只能选一项。",
            )
        )
    elif track is None:
        parsed.problems.append(
            Problem(
                "track_missing", BLOCKING, "track", "未勾选申报类别（卓越级或领航级智能工厂培育）。"
            )
        )
    e.name, e.chain = clean(v.get("name")), clean(v.get("chain"))
    e.factory_address = clean(v.get("address"))
    e.uscc = squash(v.get("uscc", "")).upper() or None
    e.prefecture, e.county = location(v.get("location"))
    for attr, words, label in (
        ("nature", _NATURE_WORDS, "企业性质"),
        ("size", _SIZE_WORDS, "企业类型"),
    ):
        value, unclear = single_choice(find_options(v.get(attr, ""), words))
        setattr(e, attr, value)
        if unclear:
            ambiguous(f"enterprise.{attr}", label)
    e.employees = _employees(v.get("employees") or _INLINE_EMPLOYEES.findall(v.get("size", "")))
    for level in ("section", "division", "group"):
        setattr(e.industry, level, industry_code(v.get(f"industry.{level}"), level))
    for who in ("legal_rep", "contact"):
        person = getattr(e, who)
        for attr in ("name", "phone", "title", "email"):
            setattr(person, attr, clean(v.get(f"{who}.{attr}")))
    for year in parsed.figure_years:
        for attr in ("total_assets", "debt_ratio", "revenue", "profit_margin"):
            setattr(parsed.figures[year], attr, number(v.get(f"figures.{year}.{attr}")))
    _infrastructure(v.get("infra", ""), parsed)
    for key, attr, detail_attr, label in _QUESTIONS:
        answer, detail, unclear = yes_no(v.get(key, ""))
        setattr(parsed, attr, answer)
        if detail_attr:
            setattr(parsed, detail_attr, detail)
        if unclear:
            ambiguous(attr, label)
    maturity = v.get("maturity", "")
    level, unclear = single_choice(find_options(maturity, _LEVEL_WORDS))
    parsed.maturity_level = int(level) if level else None
    if unclear:
        ambiguous("maturity_level", "智能制造能力成熟度评估结果")
    score = _SCORE.search(fold(maturity))
    parsed.maturity_score = number(score.group(1)) if score else None
    parsed.other_evidence = clean(narrative([v.get("other_evidence", "")]))
    profile = narrative([v.get("profile", "")])
    if profile:
        parsed.sections["profile"] = profile


_INLINE_EMPLOYEES = re.compile(r"从业人[员数]+[^0-9]{0,6}([0-9][0-9,，]*)")


def _employees(value: str | list[str]) -> int | None:
    """A head count from its cell, or from "从业人员：350人" written in the 企业类型 cell."""
    text = (value[0] if value else None) if isinstance(value, list) else value
    count = number(text) if text else None
    return int(count) if count is not None and float(count).is_integer() else None


def _infrastructure(text: str, parsed: ParsedApplication) -> None:
    found = find_options(text, _INFRA_WORDS)
    parsed.infrastructure = multi_choice(found, len(INFRASTRUCTURE_OPTIONS))
    other = next((o for o in found if o.value == INFRASTRUCTURE_OPTIONS[-1]), None)
    parsed.infrastructure_other = text_after(text, other) if other else None
