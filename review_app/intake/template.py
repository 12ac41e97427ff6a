"""The 申报书 template (附件1) as a .docx, blank or filled in.

One builder writes both: the cover lines, the basic-information table (merged cells, □ options,
the 企业简介 and 真实性承诺 cells) and the sections of the track under real heading styles
(Heading 1 for the parts, Heading 2/3 below). Blank, every section carries the form's
instruction line; filled, options are ticked with ☑ and each line of a section's text is a
paragraph. ``parse_docx(filled_template(t, p))`` gives back ``p``'s fields and sections.
"""

import threading
from copy import deepcopy

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_Merge
from docx.shared import Pt, RGBColor
from lxml import etree

from ..docx_fast import BodyWriter, add_run, save
from ..programs.years import DEFAULT_YEAR, figure_years
from .footnotes import HEADING as FOOTNOTE_HEADING
from .footnotes import footnotes
from .layout import PARTS, PROFILE_INSTRUCTION, PROMISE, instruction, layout
from .parsed import (
    INFRASTRUCTURE_OPTIONS,
    MATURITY_OPTIONS,
    NATURE_OPTIONS,
    SIZE_OPTIONS,
    TRACK_OPTIONS,
    ParsedApplication,
    year_keys,
)

TICKED, UNTICKED = "☑", "□"
COLUMNS = 7  # label column + six value columns
_FIGURE_ROWS = (
    ("资产总额（万元）", "total_assets"),
    ("资产负债率（%）", "debt_ratio"),
    ("主营业务收入（万元）", "revenue"),
    ("利润率（%）", "profit_margin"),
)
_QUESTIONS = (
    ("是否已获得国家卓越级智能工厂称号", "national_excellent", None, None),
    (
        "是否为已通过省级验收智能制造示范工厂揭榜单位",
        "provincial_demo",
        "provincial_demo_project",
        "项目名称",
    ),
    (
        "是否获得智能制造、单项冠军、专精特新等国家级或省级相关荣誉称号",
        "has_honours",
        "honours",
        "名称",
    ),
)


def blank_template(track: str, year: int = DEFAULT_YEAR) -> bytes:
    """A blank 申报书 for ``track`` ("excellent" or "leading") of the ``year`` program (its
    figure years and date line)."""
    return _build(track, ParsedApplication(figure_years=year_keys(figure_years(year))), blank=True)


def filled_template(track: str, parsed: ParsedApplication) -> bytes:
    """The 申报书 for ``track`` with ``parsed``'s values written in (options ticked with ☑), for
    the program whose figure years are ``parsed.figure_years``."""
    return _build(track, parsed, blank=False)


def _build(track: str, parsed: ParsedApplication, blank: bool) -> bytes:
    if track not in TRACK_OPTIONS.values():
        raise ValueError(f"unknown track {track!r}")
    doc = _blank()
    body = doc.element.body
    try:
        _fill(doc, track, parsed, blank)
        return save(doc, _LOCAL)  # doc.save's bytes, the unchanged parts kept
    finally:
        for child in body[:-1]:  # back to the blank document: only its section properties
            body.remove(child)


def _blank():
    """This thread's blank 申报书: python-docx's default template with the form's styles, parsed
    once and emptied after each form (parsing it again was a tenth of a form's time)."""
    doc = getattr(_LOCAL, "doc", None)
    if doc is None:
        doc = docx.Document()
        _styles(doc)
        _LOCAL.doc = doc
    return doc


_LOCAL = threading.local()


def _fill(doc, track: str, parsed: ParsedApplication, blank: bool) -> None:
    _cover(doc, parsed)
    doc.add_page_break()
    body = BodyWriter(doc)
    heading = _heading_writer(doc, body)
    heading("".join(PARTS[1]), 1)
    _basic_table(doc, body, track, parsed, blank)
    if blank:
        body.paragraph(FOOTNOTE_HEADING)
        for line in footnotes():
            body.paragraph(line)
    for kind, first, second in layout(track):
        if kind == "part":
            if first == "".join(PARTS[2]):
                doc.add_page_break()
            heading(first, 1)
        elif kind == "subpart":
            heading(first, 2)
            if blank:
                body.paragraph(second)
        elif kind == "note":
            if blank:
                body.paragraph(first)
        else:
            heading(second, 3 if first.startswith("link.") else 2)
            text = parsed.sections.get(first)
            lines = text.split("\n") if text else [instruction(first, track) or ""]
            for line in lines:
                body.paragraph(line)


_W_TR, _W_TC, _W_P = qn("w:tr"), qn("w:tc"), qn("w:p")


def _style_id(doc, name: str) -> str:
    """The id of the (non-default) style ``name``, as ``part.get_style_id`` gives it but
    without its scan of every style for the default one."""
    return doc.styles[name].style_id


def _heading_writer(doc, body: BodyWriter):
    """``doc.add_heading`` with the style ids looked up once: python-docx resolves a style name
    by scanning every style of the document on each call."""
    ids = {level: _style_id(doc, f"Heading {level}") for level in (1, 2, 3)}

    def heading(text: str, level: int) -> None:
        body.paragraph(text, ids[level])

    return heading


def _styles(doc) -> None:
    """仿宋 body text and 黑体/楷体 headings in black, as official forms are set."""
    for name, font, size in (
        ("Normal", "仿宋_GB2312", 14),
        ("Heading 1", "黑体", 16),
        ("Heading 2", "楷体_GB2312", 15),
        ("Heading 3", "仿宋_GB2312", 14),
    ):
        style = doc.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = True


def _cover(doc, parsed: ParsedApplication) -> None:
    doc.add_paragraph("附件1")
    for line in ("卓越级领航级智能工厂", "培育企业申报书"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(line)
        run.bold = True
        run.font.size = Pt(26)
    doc.add_paragraph(f"申报单位：{parsed.enterprise.name or ''}（盖章）")
    doc.add_paragraph("推荐单位：（盖章）")
    year = int(parsed.last_figure_year) + 1  # the program's year follows its figure years
    doc.add_paragraph(f"申报日期：  {year}年    月    日")


def _options(options, chosen) -> str:
    chosen = set(chosen) if isinstance(chosen, list | tuple | set) else {chosen}
    return "    ".join(f"{TICKED if o in chosen else UNTICKED}{o}" for o in options)


def _yes_no(answer: bool | None, detail: str | None, prompt: str | None) -> str:
    yes = TICKED if answer is True else UNTICKED
    no = TICKED if answer is False else UNTICKED
    named = f"（{prompt}：{detail or '      '}）" if prompt else ""
    return f"{yes}是{named}    {no}否"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Grid:
    """The table being built: rows of ``COLUMNS`` cells, merged by column ranges. Its shape
    (which cells span which columns, which merge down) is the same for every form, so the empty
    table is built once per thread and shape with python-docx and copied for each form, and the
    texts go into the copy (building it cell by cell was most of a form's time)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.ops: list[tuple] = []  # ("put", row, first, last) and ("down", col, top, bottom)
        self.texts: list[list[str]] = []  # the lines of each "put", in order
        self.row = 0

    def line(self, *cells: tuple[int, int, str | list[str]]) -> None:
        """One row: (first column, last column, text or lines) per cell."""
        for first, last, text in cells:
            self.put(self.row, first, last, text)
        self.row += 1

    def put(self, row: int, first: int, last: int, text: str | list[str]) -> None:
        self.ops.append(("put", row, first, last))
        self.texts.append(text if isinstance(text, list) else [text])

    def merge_down(self, col: int, top: int, bottom: int) -> None:
        """Merge ``col`` (one column wide, its lower cells empty) from ``top`` to ``bottom``."""
        self.ops.append(("down", col, top, bottom))

    def write(self, doc, body: BodyWriter) -> None:
        """The table into the document: a copy of the empty table of this shape, each cell's
        first line as a run of its first paragraph and every further line a paragraph (a line
        left empty is an empty paragraph), as ``cell.paragraphs[0].add_run`` and
        ``cell.add_paragraph`` write them."""
        shape = (self.rows, tuple(self.ops))
        skeletons = _LOCAL.__dict__.setdefault("tables", {})
        if shape not in skeletons:
            skeletons[shape] = _skeleton(doc, self.rows, self.ops)
        tbl, places = skeletons[shape]
        table = deepcopy(tbl)
        trs = [list(tr.iterchildren(_W_TC)) for tr in table.iterchildren(_W_TR)]
        for (row, index), lines in zip(places, self.texts, strict=True):
            tc = trs[row][index]
            add_run(tc.find(_W_P), lines[0])
            for line in lines[1:]:
                p = etree.SubElement(tc, _W_P)
                if line:
                    add_run(p, line)
        body.element(table)


def _skeleton(doc, rows: int, ops: list[tuple]):
    """The empty table of a shape (taken out of ``doc`` again), and for each "put" the row and
    position among the row's remaining cells of the cell it writes to."""
    table = doc.add_table(rows=rows, cols=COLUMNS)
    table._tbl.tblStyle_val = _style_id(doc, "Table Grid")
    # Cell objects taken once, before merging: table.cell() rescans the whole table.
    cells = [list(row.cells) for row in table.rows]
    targets = []
    for kind, a, b, c in ops:
        if kind == "put":
            row, first, last = a, b, c
            targets.append((row, cells[row][first]._tc))
            if last > first:
                _span(cells, row, first, last)
        else:
            col, top, bottom = a, b, c
            for row in range(top, bottom + 1):
                cells[row][col]._tc.vMerge = ST_Merge.RESTART if row == top else ST_Merge.CONTINUE
    tbl = table._tbl
    tbl.getparent().remove(tbl)
    trs = [list(tr.iterchildren(_W_TC)) for tr in tbl.iterchildren(_W_TR)]
    return tbl, [(row, trs[row].index(tc)) for row, tc in targets]


def _span(cells, row: int, first: int, last: int) -> None:
    """Merge columns ``first``..``last`` of ``row`` as python-docx's ``merge`` does (the first
    cell's gridSpan and width grow, the others go), without its whole-table rescans on every
    step. The cells are still empty here."""
    tcs = [cells[row][col]._tc for col in range(first, last + 1)]
    tcs[0].width = sum(tc.width for tc in tcs)
    tcs[0].grid_span = len(tcs)
    for tc in tcs[1:]:
        tc.getparent().remove(tc)


def _basic_table(doc, body: BodyWriter, track: str, parsed: ParsedApplication, blank: bool) -> None:
    e, g = parsed.enterprise, _Grid(26)
    g.line(
        (0, 0, "申报类别"), (1, 6, _options(TRACK_OPTIONS, None if blank else _track_word(track)))
    )
    g.line((0, 0, "企业名称"), (1, 6, e.name or ""))
    place = "".join(x for x in (e.prefecture, e.county) if x) or "XX市XX县（区）"
    g.line(
        (0, 0, ["统一社会", "信用代码"]),
        (1, 2, e.uscc or ""),
        (3, 4, "所在地市（县）"),
        (5, 6, place),
    )
    g.line((0, 0, "企业性质"), (1, 6, _options(NATURE_OPTIONS, e.nature)))
    employees = "" if e.employees is None else str(e.employees)
    g.line(
        (0, 0, "企业类型"),
        (1, 4, _options(SIZE_OPTIONS, e.size)),
        (5, 5, "从业人员（人）"),
        (6, 6, employees),
    )
    g.line((0, 0, "所属行业"), (1, 2, "行业门类"), (3, 4, "行业大类"), (5, 6, "行业中类"))
    ind = e.industry
    g.line((1, 2, ind.section or ""), (3, 4, ind.division or ""), (5, 6, ind.group or ""))
    g.merge_down(0, g.row - 2, g.row - 1)
    g.line((0, 0, "所属产业链"), (1, 6, e.chain or ""))
    g.line((0, 0, "工厂地址"), (1, 6, e.factory_address or ""))
    rep, contact = e.legal_rep, e.contact
    g.line(
        (0, 0, ["法人代表/", "负责人"]),
        (1, 1, "姓名"),
        (2, 3, rep.name or ""),
        (4, 4, "电话"),
        (5, 6, rep.phone or ""),
    )
    g.line(
        (0, 0, "联系人"),
        (1, 1, "姓名"),
        (2, 3, contact.name or ""),
        (4, 4, "电话/手机"),
        (5, 6, contact.phone or ""),
    )
    g.line((1, 1, "职务"), (2, 3, contact.title or ""), (4, 4, "邮箱"), (5, 6, contact.email or ""))
    g.merge_down(0, g.row - 2, g.row - 1)
    figure_keys = parsed.figure_years
    years = [(1 + 2 * i, 2 + 2 * i) for i in range(len(figure_keys))]
    g.line(
        (0, 0, "近三年发展情况"),
        *((a, b, f"{y}年") for (a, b), y in zip(years, figure_keys, strict=True)),
    )
    for label, attr in _FIGURE_ROWS:
        values = [_number(getattr(parsed.figures[y], attr)) for y in figure_keys]
        g.line((0, 0, label), *((a, b, v) for (a, b), v in zip(years, values, strict=True)))
    infra = _options(INFRASTRUCTURE_OPTIONS, parsed.infrastructure)
    other = parsed.infrastructure_other or "______________________"
    g.line((0, 0, "现有智能化基础设施（可多选）"), (1, 6, f"{infra}：{other}"))
    for label, attr, detail, prompt in _QUESTIONS:
        value = _yes_no(getattr(parsed, attr), getattr(parsed, detail) if detail else None, prompt)
        g.line((0, 0, label), (1, 6, value))
    level = MATURITY_OPTIONS[parsed.maturity_level - 1] if parsed.maturity_level else None
    score = f"（评估证明材料附后）评估分数：{_number(parsed.maturity_score)}"
    g.line(
        (0, 0, "智能制造能力成熟度评估结果或其他能力证明材料"),
        (1, 6, [_options(MATURITY_OPTIONS, level).replace("    ", " "), score]),
    )
    evidence = parsed.other_evidence.split("\n") if parsed.other_evidence else []
    g.line((1, 6, ["其他能力证明材料说明（可附后）", *evidence]))
    g.merge_down(0, g.row - 2, g.row - 1)
    accident = _yes_no(parsed.accidents, parsed.accidents_detail, "名称")
    g.line((0, 0, ["企业近三年是否发生较大及以上安全、环保事故", "或失信行为等"]), (1, 6, accident))
    profile = parsed.sections.get("profile")
    g.line(
        (0, 0, list("企业简介")), (1, 6, profile.split("\n") if profile else [PROFILE_INSTRUCTION])
    )
    promise = [PROMISE, "法定代表人（签字）：", "企业公章：", "年   月   日"]
    g.line((0, 0, list("真实性承诺")), (1, 6, promise))
    g.write(doc, body)


def _track_word(track: str) -> str:
    return next(word for word, code in TRACK_OPTIONS.items() if code == track)
