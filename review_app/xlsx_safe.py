"""Writing user text into .xlsx safely: strings always as text, never a formula or an error
code (a value starting with = + - @ tab or CR gets Excel's quote prefix). Every export uses it."""

import io
import re
import unicodedata

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .intake.filecheck import check_xlsx
from .intake.parsed import UnreadableFile

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def put(ws, row: int, col: int, value):
    """Write ``value`` into the cell at (row, col) and return the cell."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def read_first_matching_sheet(data: bytes, filename: str, read_sheet, what: str, header_hint: str):
    """Open an uploaded workbook safely and return ``read_sheet(ws)`` for the first worksheet
    where it returns something. Every failure is an UnreadableFile with a Chinese message naming
    ``what`` (e.g. 汇总表); ``header_hint`` says which header was looked for."""

    check_xlsx(data, filename)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise UnreadableFile(
            f"{what}无法打开，文件可能已损坏，请重新保存为 .xlsx 后上传。", "corrupt"
        ) from exc
    try:
        for ws in wb.worksheets:
            result = read_sheet(ws)
            if result is not None:
                return result
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"{what}内容无法读取，文件可能已损坏。", "corrupt") from exc
    finally:
        wb.close()
    raise UnreadableFile(header_hint, "no_header")


def loose(value) -> str:
    """A cell compared loosely: NFKC (full/half width alike), no whitespace; None is ""."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
