"""Test documents: 申报书 built the ways applicants really fill them in Word.

``sample(track)`` is an application in canonical form (what the parser must give back);
``build(parsed, ...)`` writes it as a .docx in one of the variants (heading styles, bold or plain
numbered headings, numbering forms, tick glyphs, instructions left in or deleted, narrative in
many paragraphs), and ``cells``/``rows`` let a test change what a cell of the basic-information
table says. The low-level helpers wrap paragraphs in content controls, tracked insertions and
text boxes.
"""

import copy
from dataclasses import asdict
from io import BytesIO

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import _Cell

from review_app.applications.catalogue import BY_KEY, required_sections
from review_app.intake.layout import OVERVIEW_NOTE, SUBPART_INTROS, instruction
from review_app.intake.parsed import (
    DEFAULT_YEAR_KEYS as FIGURE_YEARS,
)
from review_app.intake.parsed import (
    INFRASTRUCTURE_OPTIONS,
    MATURITY_OPTIONS,
    NATURE_OPTIONS,
    SIZE_OPTIONS,
    EnterpriseInfo,
    Industry,
    ParsedApplication,
    Person,
    YearFigures,
)

_TEXT_BOX_NS = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
UP = object()  # a cell continuing the vertical merge of the cell above
CN = "一二三四五六"
SECTION_NUMBERING = "（{cn}）"  # the form's own: （一） for overview/plan/scheme, 1. for links
LINK_NUMBERING = "{n}. "


def sample(track: str = "excellent") -> ParsedApplication:
    """A complete application of ``track``, every text in canonical form."""
    leading = track == "leading"
    sections = {
        spec.key: f"{spec.title}的第一段，说明建设内容。\n第二段：指标提升30%，投资1,200万元。"
        for spec in required_sections(track)
    }
    sections["profile"] = "公司成立于2005年，主营数控机床。\n市场份额居全国前三。"
    return ParsedApplication(
        track=track,
        enterprise=EnterpriseInfo(
            name="河南中原智能装备有限公司",
            uscc="91410300MA9XK2L63B",
            prefecture="洛阳市",
            county="涧西区",
            nature="民营企业",
            size="大型企业",
            industry=Industry("C", "34", "342"),
            chain="机器人和数控机床",
            factory_address="洛阳市涧西区建设路1号",
            legal_rep=Person(name="张建国", phone="0379-64321234"),
            contact=Person(
                name="李明", phone="13803791234", title="智能制造部部长", email="liming@example.com"
            ),
        ),
        figures={
            "2023": YearFigures(152340.5, 45.2, 98765.0, 8.5),
            "2024": YearFigures(168000.0, 43.0, 112000.25, 9.1),
            "2025": YearFigures(181234.0, 41.8, 125600.0, -1.5),
        },
        infrastructure=[INFRASTRUCTURE_OPTIONS[0], INFRASTRUCTURE_OPTIONS[1], "其他"],
        infrastructure_other="在线视觉检测系统",
        national_excellent=leading,
        provincial_demo=True,
        provincial_demo_project="数控机床智能制造示范工厂（二期）",
        has_honours=True,
        honours="国家级专精特新“小巨人”企业",
        maturity_level=4 if leading else 3,
        maturity_score=78.5,
        other_evidence="两化融合管理体系AA级证书",
        accidents=False,
        accidents_detail=None,
        sections=sections,
    )


def fields(parsed: ParsedApplication) -> dict:
    """Everything the parser reads, problems aside."""
    out = asdict(parsed)
    del out["problems"]
    return out


# -- the basic-information table ----------------------------------------------------------------


def _options(options, chosen, tick: str, box: str = "□") -> str:
    chosen = set(chosen) if isinstance(chosen, list) else {chosen}
    return "  ".join(f"{tick if o in chosen else box}{o}" for o in options)


def _yes_no(answer, detail, prompt, tick: str) -> str:
    named = f"（{prompt}：{detail or '    '}）" if prompt else ""
    return f"{tick if answer else '□'}是{named}   {tick if answer is False else '□'}否"


def _num(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".")  # thousands separators, as people type them


def cells(parsed: ParsedApplication, tick: str = "☑") -> dict[str, str]:
    """The value cells of the table for ``parsed``, ticks written with ``tick``."""
    e = parsed.enterprise
    track_words = ("卓越级智能工厂培育", "领航级智能工厂培育")
    chosen = track_words[0] if parsed.track == "excellent" else track_words[1]
    level = MATURITY_OPTIONS[parsed.maturity_level - 1] if parsed.maturity_level else None
    out = {
        "track": _options(track_words, chosen if parsed.track else None, tick),
        "name": e.name or "",
        "uscc": e.uscc or "",
        "location": f"{e.prefecture or ''}{e.county or ''}",
        "nature": _options(NATURE_OPTIONS, e.nature, tick),
        "size": _options(SIZE_OPTIONS, e.size, tick),
        "section": e.industry.section or "",
        "division": e.industry.division or "",
        "group": e.industry.group or "",
        "chain": e.chain or "",
        "address": e.factory_address or "",
        "rep_name": e.legal_rep.name or "",
        "rep_phone": e.legal_rep.phone or "",
        "contact_name": e.contact.name or "",
        "contact_phone": e.contact.phone or "",
        "contact_title": e.contact.title or "",
        "contact_email": e.contact.email or "",
        "infra": _options(INFRASTRUCTURE_OPTIONS, parsed.infrastructure, tick)
        + f"：{parsed.infrastructure_other or '________'}",
        "national": _yes_no(parsed.national_excellent, None, None, tick),
        "provincial": _yes_no(
            parsed.provincial_demo, parsed.provincial_demo_project, "项目名称", tick
        ),
        "honours": _yes_no(parsed.has_honours, parsed.honours, "名称", tick),
        "maturity": _options(MATURITY_OPTIONS, level, tick)
        + f"\n（评估证明材料附后）评估分数：{parsed.maturity_score or ''}",
        "evidence": "其他能力证明材料说明（可附后）\n" + (parsed.other_evidence or ""),
        "accidents": _yes_no(parsed.accidents, parsed.accidents_detail, "名称", tick),
        "profile": parsed.sections.get("profile", ""),
    }
    for year in FIGURE_YEARS:
        for attr, value in asdict(parsed.figures[year]).items():
            out[f"{year}.{attr}"] = _num(value)
    return out


def rows(v: dict[str, str]) -> list[list]:
    """The table of 附件1 (7 grid columns): a cell is text, (text, span) or UP."""
    years = [(f"{y}年", 2) for y in FIGURE_YEARS]

    def figures(label, attr):
        return [label, *((v[f"{y}.{attr}"], 2) for y in FIGURE_YEARS)]

    return [
        ["申报类别", (v["track"], 6)],
        ["企业名称", (v["name"], 6)],
        ["统一社会\n信用代码", (v["uscc"], 2), ("所在地市（县）", 2), (v["location"], 2)],
        ["企业性质", (v["nature"], 6)],
        ["企业类型", (v["size"], 6)],
        ["所属行业", ("行业门类", 2), ("行业大类", 2), ("行业中类", 2)],
        [UP, (v["section"], 2), (v["division"], 2), (v["group"], 2)],
        ["所属产业链", (v["chain"], 6)],
        ["工厂地址", (v["address"], 6)],
        ["法人代表/\n负责人", "姓名", (v["rep_name"], 2), "电话", (v["rep_phone"], 2)],
        ["联系人", "姓名", (v["contact_name"], 2), "电话/手机", (v["contact_phone"], 2)],
        [UP, "职务", (v["contact_title"], 2), "邮箱", (v["contact_email"], 2)],
        ["近三年发展情况", *years],
        figures("资产总额（万元）", "total_assets"),
        figures("资产负债率（%）", "debt_ratio"),
        figures("主营业务收入（万元）", "revenue"),
        figures("利润率（%）", "profit_margin"),
        ["现有智能化基础设施（可多选）", (v["infra"], 6)],
        ["是否已获得国家卓越级智能工厂称号", (v["national"], 6)],
        ["是否为已通过省级验收智能制造示范工厂揭榜单位", (v["provincial"], 6)],
        ["是否获得智能制造、单项冠军、专精特新等国家级或省级相关荣誉称号", (v["honours"], 6)],
        ["智能制造能力成熟度评估结果或其他能力证明材料", (v["maturity"], 6)],
        [UP, (v["evidence"], 6)],
        ["企业近三年是否发生较大及以上安全、环保事故\n或失信行为等", (v["accidents"], 6)],
        ["企\n业\n简\n介", (v["profile"], 6)],
        ["真\n实\n性\n承\n诺", ("本企业承诺所填内容真实、准确。\n法定代表人（签字）：", 6)],
    ]


def add_table(doc, spec: list[list], cols: int = 7):
    """A table from ``rows``-style specs, merged with gridSpan (across) and vMerge (down), the
    way Word stores merged cells. (Written directly: python-docx's ``merge`` is slow.)"""
    table = doc.add_table(rows=len(spec), cols=cols)
    table.style = "Table Grid"
    texts = []
    above: dict[int, object] = {}  # grid column -> the tc starting there in the previous row
    for tr, row in zip(table._tbl.tr_lst, spec, strict=True):
        blank = tr.tc_lst[0]
        for tc in tr.tc_lst:
            tr.remove(tc)
        col, starts = 0, {}
        for item in row:
            text, span = item if isinstance(item, tuple) else (item, 1)
            tc = copy.deepcopy(blank)
            tr.append(tc)
            if span > 1:
                tc.grid_span = span
            if text is UP:
                if above[col].vMerge is None:
                    above[col].vMerge = "restart"
                tc.vMerge = "continue"
            else:
                texts.append((_Cell(tc, table), text))
            starts[col] = tc
            col += span
        above = starts
    for cell, text in texts:
        _write(cell, text)
    return table


def _write(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


# -- the whole document -------------------------------------------------------------------------


def heading(doc, text: str, level: int, how: str):
    """A heading written as a heading style ("style"), a Chinese-named style ("zh_style": 标题 N,
    as WPS writes), a bold plain paragraph ("bold") or a plain paragraph ("plain")."""
    if how == "style":
        return doc.add_heading(text, level=level)
    if how == "zh_style":
        name = f"标题 {level}"
        if name not in [s.name for s in doc.styles]:
            doc.styles.add_style(name, docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
        return doc.add_paragraph(text, style=name)
    p = doc.add_paragraph()
    p.add_run(text).bold = how == "bold"
    return p


def build(
    parsed: ParsedApplication,
    *,
    track: str | None = None,
    how: str = "style",
    section_numbering: str = SECTION_NUMBERING,
    link_numbering: str = LINK_NUMBERING,
    tick: str = "☑",
    instructions: bool = True,
    both_subparts: bool = False,
    split: bool = True,
    values: dict[str, str] | None = None,
    table: list[list] | None = None,
) -> docx.Document:
    """``parsed`` written as a 申报书 of ``track`` (default: its own). ``split`` writes each line
    of a section as its own paragraph with blank paragraphs between (else one paragraph with
    line breaks); ``both_subparts`` keeps part 三's two sub-parts, the other left unfilled."""
    track = track or parsed.track or "excellent"
    doc = docx.Document()
    for line in ("附件1", "卓越级领航级智能工厂", "培育企业申报书", "申报单位：（盖章）"):
        doc.add_paragraph(line)
    heading(doc, "一、申报主体基本信息", 1, how)
    add_table(doc, table or rows({**cells(parsed, tick), **(values or {})}))

    def numbered(fmt: str, i: int, title: str) -> str:
        return fmt.format(cn=CN[i], n=i + 1) + title

    def body(key: str, sub_track: str) -> None:
        if instructions and (line := instruction(key, sub_track)):
            doc.add_paragraph(line)
        text = parsed.sections.get(key) if sub_track == track else None
        if not text:
            return
        if not split:
            doc.add_paragraph(text)  # python-docx writes "\n" as a line break
            return
        for line in text.split("\n"):
            doc.add_paragraph(line)
            doc.add_paragraph("")

    heading(doc, "二、智能工厂建设总体情况", 1, how)
    for i, key in enumerate(k for k in BY_KEY if k.startswith("overview.")):
        if track in BY_KEY[key].tracks:
            heading(doc, numbered(section_numbering, i, BY_KEY[key].title), 2, how)
            body(key, track)
    if instructions:
        doc.add_paragraph(OVERVIEW_NOTE)
    heading(doc, "三、重点环节智能化建设情况", 1, how)
    subparts = ("excellent", "leading") if both_subparts else (track,)
    for sub in subparts:
        label = (
            "（一）卓越级智能工厂培育企业" if sub == "excellent" else "（二）领航级智能工厂培育企业"
        )
        heading(doc, label, 2, how)
        if instructions:
            doc.add_paragraph(SUBPART_INTROS[sub])
        links = [k for k in BY_KEY if k.startswith("link.") and sub in BY_KEY[k].tracks]
        for i, key in enumerate(links):
            heading(doc, numbered(link_numbering, i, BY_KEY[key].title), 3, how)
            body(key, sub)
    last = ("四、卓越级智能工厂培育企业后续实施计划", "plan.")
    if track == "leading":
        last = ("五、领航级智能工厂培育企业实施方案", "scheme.")
    heading(doc, last[0], 1, how)
    for i, key in enumerate(k for k in BY_KEY if k.startswith(last[1])):
        heading(doc, numbered(section_numbering, i, BY_KEY[key].title), 2, how)
        body(key, track)
    return doc


def to_bytes(doc) -> bytes:
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def find_paragraph(doc, text: str):
    """The first body paragraph whose text is ``text``."""
    return next(p for p in doc.paragraphs if p.text == text)


def find_cell(doc, text: str):
    """The first table cell whose text is ``text``."""
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == text:
                    return cell
    raise LookupError(text)


# -- XML the python-docx API cannot write -------------------------------------------------------


def wrap_in_content_control(paragraph, showing_placeholder: bool = False) -> None:
    """Put ``paragraph`` inside a block-level content control (w:sdt); with
    ``showing_placeholder`` its text is the control's prompt, not the applicant's."""
    wrap_element_in_content_control(paragraph._p, showing_placeholder)


def wrap_element_in_content_control(element, showing_placeholder: bool = False) -> None:
    """Put a body paragraph, a table row (w:tr) or a cell (w:tc) inside a content control."""
    flag = "<w:showingPlcHdr/>" if showing_placeholder else ""
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr>{flag}</w:sdtPr><w:sdtContent/></w:sdt>")
    element.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(element)


def wrap_runs_in_content_control(paragraph) -> None:
    """Put ``paragraph``'s runs inside an inline content control (w:sdt in the paragraph)."""
    p = paragraph._p
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent/></w:sdt>"
    )
    runs = p.findall(qn("w:r"))
    runs[0].addprevious(sdt)
    for r in runs:
        sdt.find(qn("w:sdtContent")).append(r)


def mark_inserted(paragraph) -> None:
    """Make ``paragraph``'s runs a tracked insertion (w:ins), as Word does with track changes."""
    p = paragraph._p
    ins = parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="申报人" w:date="2026-03-01T00:00:00Z"/>'
    )
    runs = p.findall(qn("w:r"))
    runs[0].addprevious(ins)
    for r in runs:
        ins.append(r)


def add_deleted(paragraph, text: str) -> None:
    """Append ``text`` as tracked-deleted (w:del), which the parser must not read."""
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="申报人" w:date="2026-03-01T00:00:00Z">'
            f"<w:r><w:delText>{text}</w:delText></w:r></w:del>"
        )
    )


def add_text_box(paragraph, lines: list[str]) -> None:
    """Anchor a text box holding ``lines`` in ``paragraph`` the way Word 2010+ does: a DrawingML
    text box in mc:Choice and the same text again in a VML fallback."""
    paras = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    xml = (
        f"<w:r {nsdecls('w')} {_TEXT_BOX_NS}><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        f"<w:txbxContent>{paras}</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{paras}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    paragraph._p.append(parse_xml(xml))


def write_symbol_options(cell, options: list[tuple[bool, str]]) -> None:
    """Rewrite ``cell`` as options whose boxes come from symbol fonts, as Word's Insert ▸ Symbol
    writes them: a ticked box is ``<w:sym w:font="Wingdings 2" w:char="F052"/>``, an empty one
    the character "£" in a Wingdings 2 run."""
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    paragraph.text = ""
    for ticked, label in options:
        if ticked:
            run = paragraph.add_run()
            run._r.append(parse_xml(f'<w:sym {nsdecls("w")} w:font="Wingdings 2" w:char="F052"/>'))
        else:
            run = paragraph.add_run("£")
            run.font.name = "Wingdings 2"
        paragraph.add_run(f"{label}  ")
