"""The expert import sheet (.xlsx): the blank template and reading a filled one back.

Layout: row 1 the headers (``COLUMNS``; * marks a required column), row 2 the notes (填写说明),
row 3 an example (its 姓名 begins with 示例, so it is never imported). The reader finds the
header row by its labels (any order, within the first rows), skips the notes and example rows and
blank rows, and checks every cell: each bad cell gives one ``RowError`` naming the sheet row and
column, and a row with any error is left out of ``rows`` (an expert must not be imported without,
say, the relations that were mistyped). It never raises for a bad row; a file that is not a
readable .xlsx, or has no header row, raises ``UnreadableFile``.

Text cells are written as text, never formulas (the rule of ``intake.summary_xlsx``).
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..applications.catalogue import GROUP_NAMES, SECTIONS
from ..assignment.conflicts import Relation
from ..enterprises.uscc import uscc_problem
from ..intake.reference import is_manufacturing_division, resolve_prefecture
from ..intake.summary_xlsx import RowError
from ..xlsx_safe import loose, put, read_first_matching_sheet
from .models import RELATION_KINDS

SHEET_TITLE = "专家名单"
DEFAULT_CAPACITY = 10
MAX_ROWS = 5000
MAX_COLS = 30
HEADER_SEARCH_ROWS = 10
NOTE_MARKERS = ("填写说明", "说明", "注：", "注:")
EXAMPLE_MARKER = "示例"

# (attribute, header, width, note)
COLUMNS = (
    ("name", "姓名*", 10, "必填"),
    ("employer", "工作单位*", 30, "必填，写全称"),
    ("prefecture", "所在地市", 12, "附件3的地市，如 洛阳市、济源示范区、航空港区"),
    ("title", "职称", 12, "如 正高级工程师"),
    ("phone", "电话", 16, "手机号或座机，如 13800000000、0371-12345678"),
    ("email", "邮箱", 22, "如 name@example.com"),
    (
        "specialties",
        "擅长重点环节",
        24,
        "工厂建设、研发设计、生产作业、生产管理、运营管理、综合，用、分隔",
    ),
    ("industries", "擅长行业大类", 16, "GB/T 4754 大类两位代码13–43，用、分隔"),
    ("capacity", "评审容量", 10, f"整数，不填为{DEFAULT_CAPACITY}"),
    (
        "relations",
        "关联企业",
        50,
        "每项“企业名称或统一社会信用代码|关系|起始年-结束年”，多项用；分隔；关系为"
        + "、".join(RELATION_KINDS.values()),
    ),
    ("username", "账号", 14, "选填，专家登录用户名（字母、数字、_ . - @）"),
)
REQUIRED = ("name", "employer")
EXAMPLE = {
    "name": "示例：张三",
    "employer": "河南某某智能装备研究院有限公司",
    "prefecture": "郑州市",
    "title": "正高级工程师",
    "phone": "+86 13800000000",
    "email": "zhangsan@example.com",
    "specialties": "生产作业、生产管理",
    "industries": "34、35",
    "capacity": 10,
    "relations": "洛阳某某精密制造有限公司|曾任职|2019-2022；91410100MA0000007G|咨询服务|2020-2022",
    "username": "zhangsan",
}
SPECIALTY_TITLES = {s.title: s.key for s in SECTIONS if s.key in GROUP_NAMES}
for _key, _group in GROUP_NAMES.items():  # 运营管理组 and 运营管理, 综合组 and 综合
    SPECIALTY_TITLES |= {_group: _key, _group.removesuffix("组"): _key}
RELATION_LABELS = {label: kind for kind, label in RELATION_KINDS.items()}
_LIST_SPLIT = re.compile(r"[、,，;；\s]+")
_RELATION_SPLIT = re.compile(r"[;；\n]+")
_YEARS_RE = re.compile(r"^(\d{4})?(?:[-–—~至到](\d{4}|至今|今)?)?$")
_USCC_LIKE = re.compile(r"^[0-9A-Z]{18}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,60}$")
MIN_YEAR, MAX_YEAR = 1950, 2100


@dataclass
class ExpertRow:
    """One expert as read from the sheet; ``row`` is the sheet row number."""

    name: str
    employer: str
    row: int
    prefecture: str | None = None  # the 附件3 unit's canonical name
    title: str = ""
    phone: str = ""
    email: str = ""
    specialties: list[str] = field(default_factory=list)  # link.* keys and "general"
    industries: list[str] = field(default_factory=list)  # GB/T 4754 大类 codes
    capacity: int = DEFAULT_CAPACITY
    relations: list[Relation] = field(default_factory=list)
    username: str | None = None


@dataclass
class ExpertImport:
    rows: list[ExpertRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class _CellError(ValueError):
    """A bad cell; the message says what is wrong (Chinese, without the row and column)."""


# -- writing -------------------------------------------------------------------------------------


_put = put  # one safe writer for every export (review_app/xlsx_safe.py)


def template_xlsx() -> bytes:
    """The blank import sheet: headers, notes, one example row (ignored on import)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, (attr, header, width, note) in enumerate(COLUMNS, start=1):
        _put(ws, 1, c, header).font = Font(bold=True)
        text = f"填写说明：{note}" if c == 1 else note
        cell = _put(ws, 2, c, text)
        cell.font, cell.alignment = Font(color="808080", size=9), wrap
        _put(ws, 3, c, EXAMPLE[attr]).font = Font(color="808080")
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading -------------------------------------------------------------------------------------


_norm = loose


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or a code typed as a number
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_map(values: tuple) -> dict[str, int]:
    labels = {_norm(header).rstrip("*"): attr for attr, header, _, _ in COLUMNS}
    found = {}
    for i, value in enumerate(values):
        attr = labels.get(_norm(value).rstrip("*"))
        if attr and attr not in found:
            found[attr] = i
    return found if all(a in found for a in REQUIRED) else {}


def read_experts_xlsx(data: bytes, filename: str = "专家名单.xlsx") -> ExpertImport:
    """Read a filled import sheet (see the module docstring)."""
    return read_first_matching_sheet(
        data, filename, _read_sheet, "专家名单",
        "未找到专家名单表头（姓名*、工作单位*……），请使用下载的专家导入模板。",
    )  # fmt: skip


def _read_sheet(ws) -> ExpertImport | None:
    columns: dict[str, int] = {}
    out = ExpertImport()
    seen: dict[tuple[str, str], int] = {}
    usernames: dict[str, int] = {}
    for r, values in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True), start=1):
        if r > MAX_ROWS:
            break
        if not columns:
            if r > HEADER_SEARCH_ROWS:
                return None
            columns = _header_map(values)
            continue
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        first = next(t for t in texts if t)
        name_i = columns["name"]
        name = texts[name_i] if name_i < len(texts) else ""
        if first.startswith(NOTE_MARKERS) or name.startswith(EXAMPLE_MARKER):
            continue
        row = _read_row(r, values, columns, out.errors)
        if row is None:
            continue
        errors_before = len(out.errors)
        key = (_norm(row.name), _norm(row.employer))
        if key in seen:
            out.errors.append(
                _error(
                    r,
                    columns,
                    "name",
                    f"“{row.name}（{row.employer}）”与第{seen[key]}行重复，该行未导入。",
                )
            )
        else:
            seen[key] = r
        if row.username:
            if row.username.lower() in usernames:
                first_row = usernames[row.username.lower()]
                out.errors.append(
                    _error(r, columns, "username", f"账号“{row.username}”与第{first_row}行重复。")
                )
            else:
                usernames[row.username.lower()] = r
        if len(out.errors) == errors_before:
            out.rows.append(row)
    return out if columns else None


def _error(r: int, columns: dict[str, int], attr: str, message: str) -> RowError:
    header = next(h for a, h, _, _ in COLUMNS if a == attr).rstrip("*")
    letter = get_column_letter(columns[attr] + 1)
    return RowError(r, f"第{r}行{letter}列“{header}”：{message}")


def _read_row(
    r: int, values: tuple, columns: dict[str, int], errors: list[RowError]
) -> ExpertRow | None:
    """One expert, or None when any cell is bad (each bad cell appended to ``errors``)."""

    def raw(attr: str):
        i = columns.get(attr)
        return values[i] if i is not None and i < len(values) else None

    before = len(errors)
    parsed = {}
    for attr, parse in _PARSERS.items():
        if attr not in columns:
            continue
        try:
            parsed[attr] = parse(raw(attr))
        except _CellError as exc:
            errors.append(_error(r, columns, attr, str(exc)))
    if len(errors) > before:
        return None
    return ExpertRow(row=r, **parsed)


# -- cell parsers: value → parsed value, or _CellError -----------------------------------------


def _required(label: str):
    def parse(value) -> str:
        text = _text(value)
        if not text:
            raise _CellError(f"{label}为必填项，不能为空。")
        return text

    return parse


def _prefecture(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    pref = resolve_prefecture(text)
    if pref is None:
        raise _CellError(f"“{text}”不是附件3所列的地市（17个省辖市、济源示范区、航空港区）。")
    return pref.name


def _phone(value) -> str:
    text = _text(value)
    if not text:
        return ""
    compact = re.sub(r"[\s()（）]", "", text)
    compact = re.sub(r"^(?:\+86|0086)-?", "", compact)
    mobile = compact.replace("-", "")
    if _MOBILE_RE.match(mobile):
        return mobile
    if _LANDLINE_RE.match(compact):
        return compact
    raise _CellError(f"“{text}”不是有效的手机号（11位）或座机号（区号-号码）。")


def _email(value) -> str:
    text = _text(value)
    if not text:
        return ""
    if not _EMAIL_RE.match(text):
        raise _CellError(f"“{text}”不是有效的电子邮箱地址。")
    return text.lower()


def _items(value) -> list[str]:
    return [item for item in _LIST_SPLIT.split(_text(value)) if item]


def _specialties(value) -> list[str]:
    keys, bad = [], []
    for item in _items(value):
        if item in SPECIALTY_TITLES:
            keys.append(SPECIALTY_TITLES[item])
        else:
            bad.append(item)
    if bad:
        allowed = "、".join([*dict.fromkeys(s.title for s in SECTIONS if s.key in GROUP_NAMES)])
        raise _CellError(f"“{'、'.join(bad)}”不是重点环节，应为{allowed}或综合。")
    return list(dict.fromkeys(keys))


def _industries(value) -> list[str]:
    codes, bad = [], []
    for item in _items(value):
        code = item.upper().removeprefix("C")
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        if is_manufacturing_division(code):
            codes.append(code)
        else:
            bad.append(item)
    if bad:
        raise _CellError(f"“{'、'.join(bad)}”不是GB/T 4754制造业大类代码（13–43的两位数字）。")
    return list(dict.fromkeys(codes))


def industry_codes(text: str) -> list[str]:
    """GB/T 4754 制造业大类 codes typed in one box (the expert edit form), read as the import
    reads its cell: ``、`` ``,`` ``，`` or spaces between them, ``C34`` or ``34``; else
    ``ValueError`` with a Chinese message."""
    return _industries(text)


def _capacity(value) -> int:
    text = _text(value)
    if not text:
        return DEFAULT_CAPACITY
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if isinstance(value, bool) or not number.is_integer() or number < 0:
        raise _CellError(f"“{text}”不是大于等于0的整数。")
    return int(number)


def _relations(value) -> list[Relation]:
    out, problems = [], []
    for n, entry in enumerate(_RELATION_SPLIT.split(_text(value)), start=1):
        entry = entry.strip()
        if not entry:
            continue
        try:
            out.append(_relation(entry))
        except _CellError as exc:
            problems.append(f"第{n}项“{entry}”{exc}")
    if problems:
        raise _CellError("；".join(problems))
    return out


def _relation(entry: str) -> Relation:
    parts = [p.strip() for p in re.split(r"[|｜]", entry)]
    if len(parts) < 2 or len(parts) > 3 or not parts[0]:
        raise _CellError("格式应为“企业名称或统一社会信用代码|关系|起始年-结束年”")
    target, label = parts[0], re.sub(r"\s+", "", parts[1])
    kind = RELATION_LABELS.get(label) or (label if label in RELATION_KINDS else None)
    if kind is None:
        raise _CellError(f"关系“{label}”应为{'、'.join(RELATION_KINDS.values())}之一")
    uscc = name = None
    code = re.sub(r"\s+", "", target).upper()
    if _USCC_LIKE.match(code) and any(c.isdigit() for c in code):
        problem = uscc_problem(code)
        if problem:
            raise _CellError(problem.removesuffix("。"))
        uscc = code
    else:
        name = target
    start = end = None
    years = re.sub(r"\s+", "", parts[2]) if len(parts) == 3 else ""
    if years:
        match = _YEARS_RE.match(years)
        if not match or not match.group(1) and not match.group(2):
            raise _CellError(f"年份“{years}”格式应为“起始年-结束年”，如2019-2022")
        start = int(match.group(1)) if match.group(1) else None
        end_text = match.group(2)
        if "-" not in years and not any(c in years for c in "–—~至到"):
            end = start  # one year: the relation lasted that year
        elif end_text and end_text.isdigit():
            end = int(end_text)
        for year in (start, end):
            if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                raise _CellError(f"年份{year}不合理")
        if start is not None and end is not None and start > end:
            raise _CellError(f"起始年{start}晚于结束年{end}")
    return Relation(uscc=uscc, name=name, kind=kind, start_year=start, end_year=end)


def _username(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    if not _USERNAME_RE.match(text):
        raise _CellError(f"“{text}”不是有效账号（3–60位字母、数字或 _ . - @）。")
    return text


def _plain(value) -> str:
    return _text(value)


_PARSERS = {
    "name": _required("姓名"),
    "employer": _required("工作单位"),
    "prefecture": _prefecture,
    "title": _plain,
    "phone": _phone,
    "email": _email,
    "specialties": _specialties,
    "industries": _industries,
    "capacity": _capacity,
    "relations": _relations,
    "username": _username,
}
