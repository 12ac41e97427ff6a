"""Writing user text into .xlsx safely: strings always as text, never a formula or an error
code (a value starting with = + - @ tab or CR gets Excel's quote prefix). Every export uses it."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
