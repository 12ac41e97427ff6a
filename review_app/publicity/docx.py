"""Documents the 厅 issues after the decision, in the layout of GB/T 9704 (the reference's
``gbt9704-layout.md``): the 公示 text for the 厅's website and the 入库名单 notice of 正式发文.

Built on ``decision.office`` (A4, the margins, 仿宋_GB2312 body, East Asian fonts set): the
red 发文机关标志 and 发文字号 with the red line above the title, 主送机关, the body indented two
characters, the 附件 list, the issuer and 成文日期 right-aligned four characters in with room
for the seal, 附件 on new pages, and the 版记 (抄送, 印发) between separator lines."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from ..decision import office

RED = RGBColor(0xFF, 0, 0)
TITLE_FONT = "方正小标宋简体"
ISSUER = "河南省工业和信息化厅"
ISSUER_OFFICE = "河南省工业和信息化厅办公室"
LIST_COLUMNS = (("序号", 6, "centre"), ("企业名称", 40, "text"), ("所在地市", 14, "centre"),
                ("培育类别", 20, "centre"))  # fmt: skip


@dataclass(frozen=True)
class Listed:
    enterprise: str
    prefecture: str
    track: str


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _border(paragraph, edge: str, size_eighths: int, color: str = "000000") -> None:
    """A line the width of the text block above or below ``paragraph``."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _run(paragraph, text: str, font: str, size: float, color=None, bold=False):
    run = paragraph.add_run(office.clean(text))
    office._font(run, font, size, bold=bold)
    if color is not None:
        run.font.color.rgb = color
    return run


def _red_head(doc, issuer: str, doc_number: str) -> None:
    """发文机关标志 (red, 小标宋, centred), 发文字号 two lines below, the red line 4 mm below it;
    inserted before the title ``office.document`` wrote."""
    title = doc.paragraphs[0]
    mark = title.insert_paragraph_before("")
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.space_before = Pt(99)  # the mark's top 35 mm into the text block
    _run(mark, issuer, TITLE_FONT, 26, RED)
    title.insert_paragraph_before("")
    number = title.insert_paragraph_before("")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, doc_number, "仿宋_GB2312", 16)
    _border(number, "bottom", 12, "FF0000")  # the red separator, 4 mm below the number
    number.paragraph_format.space_after = Pt(28)  # one blank line before the title
    for run in title.runs:  # 2号 小标宋, not bold
        office._font(run, TITLE_FONT, 22, bold=False)


def _signature(doc, issuer: str, day: date) -> None:
    for i, text in enumerate((issuer, cn_date(day))):
        p = office.paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(64)  # four characters in
        if i == 0:
            p.paragraph_format.space_before = Pt(56)  # room for the seal, left empty


def _attachments_note(doc, names: Sequence[str]) -> None:
    if not names:
        return
    for i, name in enumerate(names, start=1):
        prefix = "附件：" if i == 1 else "　　　"
        p = office.paragraph(doc, f"{prefix}{i}. {name}", indent=True)
        if i == 1:
            p.paragraph_format.space_before = Pt(28)


def _attachment(doc, n: int, title: str, rows: Sequence[Listed]) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    head = office.paragraph(doc, "")
    _run(head, f"附件{n}", "黑体", 16)
    p = office.paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    _run(p, title, TITLE_FONT, 22)
    p.paragraph_format.space_after = Pt(16)
    office.table(doc, LIST_COLUMNS, [
        (i, r.enterprise, r.prefecture, r.track) for i, r in enumerate(rows, start=1)
    ])  # fmt: skip


def _colophon(doc, copied_to: str, printer: str, day: date) -> None:
    """版记: 抄送 and 印发 between separator lines (first and last thicker)."""
    spacer = office.paragraph(doc, "")
    spacer.paragraph_format.space_before = Pt(56)
    if copied_to:
        cc = office.paragraph(doc, "")
        cc.paragraph_format.left_indent = cc.paragraph_format.right_indent = Pt(14)
        _run(cc, f"抄送：{copied_to}。", "仿宋_GB2312", 14)
        _border(cc, "top", 8)
    line = office.paragraph(doc, "")
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Pt(14)
    _run(line, printer, "仿宋_GB2312", 14)
    _run(line, "\t" + f"{cn_date(day)}印发", "仿宋_GB2312", 14)
    tab = line.paragraph_format.tab_stops
    tab.add_tab_stop(Pt(440 - 28), alignment=2)  # right tab at the text block's right edge
    _border(line, "top", 4 if copied_to else 8)
    _border(line, "bottom", 8)


def publicity_docx(program_name: str, track_name: str, kind_name: str, rows: Sequence[Listed],
                   start: date, end: date, working_days: int, contact: str,
                   issued_on: date) -> bytes:  # fmt: skip
    """The 公示 text for the 厅's website: the list (name, prefecture, track; no score, no rank),
    the period and how to object."""
    title = f"关于{program_name}{track_name}{kind_name}的公示"
    doc = office.document(title, draft=False)
    office.paragraph(
        doc,
        f"按照{program_name}工作安排，经企业申报、地市推荐、专家评审、实地抽查和审定，"
        f"拟将以下{len(rows)}家企业纳入{track_name}库（名单见附件），现予以公示。",
        indent=True,
    )
    office.paragraph(
        doc,
        f"公示时间：{cn_date(start)}至{cn_date(end)}（{working_days}个工作日）。",
        indent=True,
    )
    office.paragraph(
        doc,
        "公示期间，如有异议，请以书面形式向我厅反映。反映情况应实事求是，并提供必要的证明材料；"
        "以个人名义提出异议的应署真实姓名、工作单位和联系电话，以单位名义提出的应加盖公章。"
        "匿名、超出公示期或与公示名单无关的异议不予受理。",
        indent=True,
    )
    office.paragraph(doc, f"联系方式：{contact}", indent=True)
    _attachments_note(doc, [f"{track_name}{kind_name}名单"])
    _signature(doc, ISSUER, issued_on)
    _attachment(doc, 1, f"{track_name}{kind_name}名单", rows)
    return office.to_bytes(doc)


def final_notice_docx(*, program_name: str, doc_number: str, title: str, addressees: str,
                      tracks: Sequence[tuple[str, Sequence[Listed]]], issued_on: date,
                      copied_to: str = "") -> bytes:  # fmt: skip
    """The 入库名单 notice of 正式发文 in the GB/T 9704 layout."""
    doc = office.document(title, draft=False)
    _red_head(doc, f"{ISSUER}文件", doc_number)
    office.paragraph(doc, addressees.rstrip("：:") + "：")
    counts = "、".join(f"{name}{len(rows)}家" for name, rows in tracks)
    office.paragraph(
        doc,
        f"按照{program_name}工作安排，经企业申报、地市推荐、专家评审、实地抽查、审定和公示，"
        f"确定{counts}企业纳入培育库（名单见附件），现予以公布。",
        indent=True,
    )
    office.paragraph(
        doc,
        "请各地工业和信息化主管部门加强对入库企业的指导和服务，推动企业按计划推进智能化升级；"
        "入库企业须配合开展现场核查、技术推广和典型案例交流等工作。",
        indent=True,
    )
    names = [f"{name}入库企业名单" for name, _ in tracks]
    _attachments_note(doc, names)
    _signature(doc, ISSUER, issued_on)
    for n, (name, rows) in enumerate(tracks, start=1):
        _attachment(doc, n, f"{name}入库企业名单", rows)
    _colophon(doc, copied_to, ISSUER_OFFICE, issued_on)
    return office.to_bytes(doc)
