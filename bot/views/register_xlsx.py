"""The register of agreements as a spreadsheet (openpyxl), one row per agreement, for the
ministry's tables. Plain data in, bytes out, no aiogram.

Every cell is text or a number, never a formula: a title starting with ``=`` stays a title
(a spreadsheet would otherwise run it).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.views.agreement_labels import Translate, kind_label, status_label
from bot.views.report_docx import clean
from schedule.agreements import our_signers, signed_on
from schedule.visit_report import VisitReport

_WIDTHS = (5, 16, 22, 50, 36, 8, 40, 12, 40, 40, 60, 8, 16, 14, 8)
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def register_xlsx(report: VisitReport, lang: str, _: Translate) -> bytes:
    """The register in ``lang`` as the bytes of an .xlsx file."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _("Agreements").translate(_SHEET_NAME_BAD)[:31]
    header = [
        "№",
        _("ID"),
        _("Kind"),
        _("Title"),
        _("Partner"),
        _("Country"),
        _("Signing event"),
        _("Event date"),
        _("Signed for the delegation"),
        _("Signed for the partner"),
        _("Areas of cooperation"),
        _("Copies"),
        _("Status"),
        _("Date signed"),
        _("Photos"),
    ]
    sheet.append([clean(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    tz = report.forum.timezone
    for number, agreement in enumerate(report.agreements, start=1):
        event = report.event(agreement.event)
        values: list[object] = [
            number,
            agreement.id,
            kind_label(agreement.kind, _),
            agreement.title.get(lang),
            agreement.partner,
            agreement.partner_country or "",
            event.title.get(lang) if event else "",
            event.starts.astimezone(tz).date() if event else None,
            "; ".join(our_signers(agreement, report.signatories)),
            "; ".join(agreement.partner_signatories),
            "; ".join(item.get(lang) for item in agreement.scope),
            agreement.copies,
            status_label(agreement.status, _),
            signed_on(agreement, event, tz),
            len(report.photos.get(agreement.id, ())),
        ]
        _fill_row(sheet, number + 1, values)
    for column, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_row(sheet: Worksheet, row: int, values: list[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = clean(value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
        else:
            cell.value = value  # type: ignore[assignment]
            if value is not None and hasattr(value, "year"):
                cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
