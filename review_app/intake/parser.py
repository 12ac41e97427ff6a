"""Reading a 申报书 (.docx, the layout of 附件1) into a ``ParsedApplication``.

Pure: bytes in, dataclass out. The body is read block by block in document order
(``docx_blocks``). Tables before part 二 are the basic information (``parser_table``); after
them, a heading (a heading style, a bold paragraph, or a numbered paragraph: （一）/(一)/一、/
1./1、/１．) whose words are a section title of the form starts that section, and the paragraphs
up to the next heading are its text, without the form's instruction lines (``parser_text``).

Sections come in the form's order (parts 二 to 五), so a title of an earlier part met later
("1. 工厂建设" inside a plan) is text, not a heading. Part 三 has one sub-part per track; the
links are taken from the sub-part of the ticked track (or the one that has text).
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import docx

from ..applications.catalogue import BY_KEY, required_sections
from .docx_blocks import Block, Paragraph, Table, iter_blocks
from .filecheck import setting
from .layout import PARTS
from .parsed import (
    BLOCKING,
    DEFAULT_YEAR_KEYS,
    ParsedApplication,
    Problem,
    UnreadableFile,
    year_keys,
)
from .parser_table import TableReader, apply_basic_info
from .parser_text import narrative
from .parser_values import clean, fold, squash

# A heading's numbering: （一） (一) 一、 1. 1、 １． 1.1 (1) 1), with or without a space after.
NUMBERING = re.compile(
    r"^\s*(?:(?P<cn>[(]\s*[一二三四五六七八九十]+\s*[)]|[一二三四五六七八九十]+\s*[、.])"
    r"|[(]\s*\d{1,2}\s*[)]|\d{1,2}(?:\.\d{1,2})*(?:\s*[、.)]|\s+|(?=[^\d.])))\s*"
)
PART_PHRASES = (
    ("后续实施计划", 4),
    ("实施方案", 5),
    ("重点环节", 3),
    ("建设总体情况", 2),
    ("基本信息", 1),
)
SUBPART_WORDS = (("卓越级", "excellent"), ("领航级", "leading"))
_TITLE_TAIL = re.compile(r"(?:情况|环节|方面)+$")
_TRAILING_NOTE = re.compile(r"\([^)]*\)$")  # "实施背景和基础条件（不超过1000字）"
# A narrative section longer than this many characters is refused, not stored: FACTOR times the
# notice's 字数 limit, or MAX_CHARS where the form sets none (INTAKE_SECTION_LIMIT_FACTOR and
# INTAKE_SECTION_MAX_CHARS). The format check still flags any text over the limit itself.
SECTION_LIMIT_FACTOR = 10
SECTION_MAX_CHARS = 20000
_COVER_UNIT = re.compile(r"^\s*申报单位\s*[:：]\s*(.*?)\s*[（(]?\s*盖章\s*[)）]?\s*$")


def _title_key(text: str) -> str:
    key = _TRAILING_NOTE.sub("", squash(text).rstrip(":：。"))
    return _TITLE_TAIL.sub("", key.replace("与", "和"))


TITLES = {_title_key(spec.title): key for key, spec in BY_KEY.items()}
_PART_OF_GROUP = {"profile": 1, "overview": 2, "link": 3, "plan": 4, "scheme": 5}
PART_OF = {key: _PART_OF_GROUP[key.split(".")[0]] for key in BY_KEY}
PART_TITLES = {squash(title): part for part, (_, title) in PARTS.items()}


@dataclass(frozen=True)
class Heading:
    kind: str  # "part", "subpart" or "section"
    value: object  # part number, track, or section key
    rest: str = ""  # text written after "标题：" in the same paragraph


def parse_docx(data: bytes, years: Sequence[int] | None = None) -> ParsedApplication:
    """Parse a 申报书 of a program whose figure years are ``years`` (``figure_years(program
    .year)``; default: the default program's). Raises ``UnreadableFile`` when the bytes are not
    a Word document or hold no recognisable part of the form."""
    try:
        document = docx.Document(BytesIO(data))
        blocks = list(iter_blocks(document))
    except Exception as err:
        raise UnreadableFile(
            "无法打开该文件：不是有效的Word文档（.docx），或文件已损坏。请用Word另存为.docx后重新上传。"
        ) from err
    return parse_blocks(blocks, years)


def parse_blocks(blocks: list[Block], years: Sequence[int] | None = None) -> ParsedApplication:
    """The ``ParsedApplication`` of a document's blocks (figure ``years`` as ``parse_docx``)."""
    keys = year_keys(years) if years else DEFAULT_YEAR_KEYS
    walk = _Walk(keys)
    for block in blocks:
        walk.feed(block)
    if not walk.headings_found and walk.tables.info.labels_found == 0:
        raise UnreadableFile(
            "未找到申报书的任何章节：请使用附件1《卓越级领航级智能工厂培育企业申报书》的格式"
            "（申报主体基本信息表和“二、智能工厂建设总体情况”等章节标题）。",
            code="no_sections",
        )
    parsed = ParsedApplication(figure_years=keys)
    apply_basic_info(walk.tables.info, parsed)
    if parsed.enterprise.name is None:
        parsed.enterprise.name = walk.cover_unit
    # Without a ticked 申报类别, the sections asked are those of the form's layout, if it is
    # one track's (part 四 is the excellent track's, part 五 the leading track's).
    track = parsed.track or walk.layout_track()
    _sections(walk, parsed, track)
    check_section_lengths(parsed.sections)
    if track is not None:
        for spec in required_sections(track):
            if not parsed.sections.get(spec.key):
                parsed.problems.append(
                    Problem(
                        "section_missing",
                        BLOCKING,
                        spec.key,
                        f"未找到“{spec.title}”部分或内容为空。",
                    )
                )
    return parsed


def section_cap(key: str) -> int:
    """The most characters section ``key`` may hold before the file is refused."""
    limit = BY_KEY[key].limit
    if limit is None:
        return setting("INTAKE_SECTION_MAX_CHARS", SECTION_MAX_CHARS)
    return limit * setting("INTAKE_SECTION_LIMIT_FACTOR", SECTION_LIMIT_FACTOR)


def check_section_lengths(sections: dict[str, str]) -> None:
    """Refuse the file when a section is far beyond anything the form allows (a pasted
    spreadsheet, a generated flood): such text would only be stored and shown to experts."""
    for key, text in sections.items():
        cap = section_cap(key)
        if len(text) > cap:
            spec = BY_KEY[key]
            basis = f"该部分限{spec.limit}字" if spec.limit else "该部分未设字数限制"
            raise UnreadableFile(
                f"申报书“{spec.title}”部分共{len(text)}字，超过上限{cap}字（{basis}），"
                "文件不予受理。请删减后重新上传。",
                code="section_too_long",
            )


class _Walk:
    """The state of reading the body: current part, sub-part of 三 and section."""

    def __init__(self, years: tuple[str, ...]) -> None:
        self.tables = TableReader(years)
        self.part = 0
        self.scope: str | None = None  # sub-part of 三: "excellent", "leading" or None
        self.key: str | None = None
        self.texts: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        self.headings_found = 0
        self.seen: set[object] = set()  # parts and sub-parts met
        self.cover_unit: str | None = None

    def feed(self, block: Block) -> None:
        if isinstance(block, Table):
            if self.part <= 1 and self.key is None:
                self.tables.read(block)
            elif self.key is not None:
                rows = ("\t".join(c.text.replace("\n", " ") for c in row) for row in block.rows)
                self.texts[(self.scope, self.key)].extend(rows)
            return
        if not block.text.strip():
            return
        heading = self._heading(block)
        if heading is None:
            if self.key is not None:
                self.texts[(self.scope, self.key)].append(block.text)
            elif self.part == 0 and (m := _COVER_UNIT.match(block.text)):
                self.cover_unit = clean(m.group(1))
            return
        self.headings_found += 1
        if heading.kind != "section":
            self.seen.add(heading.value)
        if heading.kind == "part":
            self.part, self.scope, self.key = heading.value, None, None
        elif heading.kind == "subpart":
            self.part, self.scope, self.key = 3, heading.value, None
        else:
            self.part, self.key = PART_OF[heading.value], heading.value
            if self.part != 3:
                self.scope = None
            if heading.rest:
                self.texts[(self.scope, self.key)].append(heading.rest)

    def layout_track(self) -> str | None:
        excellent = bool(self.seen & {4, "excellent"})
        leading = bool(self.seen & {5, "leading"})
        if excellent != leading:
            return "excellent" if excellent else "leading"
        return None

    def _heading(self, p: Paragraph) -> Heading | None:
        """The heading ``p`` is, if it looks like one and fits the form's order here."""
        text = fold(p.text)
        numbering = NUMBERING.match(text)
        if not (numbering or p.is_bold or p.is_numbered or p.is_heading_level is not None):
            return None
        start = numbering.end() if numbering else len(text) - len(text.lstrip())
        core = p.text[start:].strip()
        key = _title_key(core)
        if key in TITLES and PART_OF[TITLES[key]] >= self.part:
            return Heading("section", TITLES[key])
        head, sep, rest = fold(core).partition(":")
        if sep and rest.strip() and _title_key(head) in TITLES:
            section = TITLES[_title_key(head)]
            if PART_OF[section] >= self.part:
                return Heading("section", section, core[len(head) + 1 :].strip())
        squashed = squash(core).rstrip(":")
        strong = p.is_bold or p.is_heading_level is not None or bool(numbering and numbering["cn"])
        if squashed in PART_TITLES and PART_TITLES[squashed] >= self.part:
            return Heading("part", PART_TITLES[squashed])
        if not strong or len(squashed) > 30 or squashed.startswith("注"):
            return None
        for phrase, part in PART_PHRASES:
            if phrase in squashed and part >= self.part:
                return Heading("part", part)
        if self.part == 3 or (self.part == 2 and self.key is not None):
            for word, track in SUBPART_WORDS:
                if squashed.startswith(word) and ("企业" in squashed or len(squashed) <= 6):
                    return Heading("subpart", track)
        return None


def _sections(walk: _Walk, parsed: ParsedApplication, track: str | None) -> None:
    """Section texts into ``parsed.sections`` (non-empty ones only); links from one sub-part."""
    texts = {scope_key: narrative(lines) for scope_key, lines in walk.texts.items()}
    link_scopes = {
        scope for (scope, key), text in texts.items() if key.startswith("link.") and text
    }
    preferred = [track, None, "excellent", "leading"]
    chosen = next((s for s in preferred if s in link_scopes), None)
    for (scope, key), text in texts.items():
        if not text:
            continue
        if key.startswith("link.") and scope != chosen:
            continue
        if key == "profile" and "profile" in parsed.sections:
            continue  # the table's 企业简介 comes first
        parsed.sections[key] = text
    parsed.sections = {k: parsed.sections[k] for k in BY_KEY if k in parsed.sections}
