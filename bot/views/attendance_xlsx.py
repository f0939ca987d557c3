"""The attendance export as an Excel workbook: the same rows as the CSV, every cell text.

A comma-separated file opens in one column in Excel set to Russian or Uzbek (their list
separator is ';'); a workbook opens in the right columns in any language. Every cell is
stored as a string, so a name like ``=HYPERLINK(...)`` or ``+1+1`` is shown as written and
never computed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from schedule.attendance import RollCall
from schedule.attendance_csv import attendance_rows
from schedule.model import Forum

MAX_WIDTH = 60


def attendance_xlsx(forum: Forum, roll_calls: Iterable[RollCall], lang: str = "en") -> bytes:
    """The workbook's bytes: one sheet, a bold frozen header row with filters."""
    rows = attendance_rows(forum, roll_calls, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Attendance"
    widths = [0] * len(rows[0])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            # Control characters (possible in a Telegram name) are not allowed in the format.
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"  # text stays text: "=1+1" is shown, never computed
            widths[c - 1] = max(widths[c - 1], len(value))
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, width + 2)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
