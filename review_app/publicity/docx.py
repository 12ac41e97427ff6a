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
from docx.shared import Pt

from ..decision import office

TITLE_FONT = office.TITLE_FONT
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
    office.styled_run(head, f"附件{n}", "黑体", 16)
    p = office.paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    office.styled_run(p, title, TITLE_FONT, 22)
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
        office.styled_run(cc, f"抄送：{copied_to}。", "仿宋_GB2312", 14)
        office.border(cc, "top", 8)
    line = office.paragraph(doc, "")
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Pt(14)
    office.styled_run(line, printer, "仿宋_GB2312", 14)
    office.styled_run(line, "\t" + f"{cn_date(day)}印发", "仿宋_GB2312", 14)
    tab = line.paragraph_format.tab_stops
    tab.add_tab_stop(Pt(440 - 28), alignment=2)  # right tab at the text block's right edge
    office.border(line, "top", 4 if copied_to else 8)
    office.border(line, "bottom", 8)


LISTS = {"initial": "拟入库企业名单", "backfill": "递补拟入库企业名单"}


def publicity_title(year: int, track_name: str, kind: str) -> str:
    """The 公示's title, as the 厅 words it: 关于<年>年卓越级智能工厂培育拟入库企业名单的公示
    (the program's name already holds the track names: not repeated)."""
    return f"关于{year}年{track_name}{LISTS[kind]}的公示"


def publicity_docx(program_name: str, year: int, track_name: str, kind: str,
                   rows: Sequence[Listed], start: date, end: date, working_days: int,
                   contact: str, issued_on: date) -> bytes:  # fmt: skip
    """The 公示 text for the 厅's website: the list (name, prefecture, track; no score, no rank),
    the period and how to object."""
    title = publicity_title(year, track_name, kind)
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
    _attachments_note(doc, [f"{track_name}{LISTS[kind]}"])
    _signature(doc, ISSUER, issued_on)
    _attachment(doc, 1, f"{track_name}{LISTS[kind]}", rows)
    return office.to_bytes(doc)


def final_notice_docx(*, program_name: str, doc_number: str, title: str, addressees: str,
                      tracks: Sequence[tuple[str, Sequence[Listed]]], issued_on: date,
                      copied_to: str = "") -> bytes:  # fmt: skip
    """The 入库名单 notice of 正式发文 in the GB/T 9704 layout."""
    doc = office.document(title, draft=False)
    office.red_head(doc, f"{ISSUER}文件", doc_number)
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
