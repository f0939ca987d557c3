"""The attendance export: one CSV row per (event, delegate), UTF-8 with a BOM.

The BOM makes spreadsheet programs read Cyrillic and Uzbek names (oʻ, gʻ) correctly;
times are shown in the forum's timezone, as ISO 8601 with the offset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from schedule.attendance import RollCall
from schedule.model import Forum

HEADER = (
    "event id",
    "title",
    "start",
    "delegate",
    "position",
    "group",
    "RSVP",
    "checked in at",
    "present",
    "marked by",
    "marked at",
)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""


def attendance_rows(
    forum: Forum, roll_calls: Iterable[RollCall], lang: str = "en"
) -> list[tuple[str, ...]]:
    """The export's rows (header first): every delegate of every given event."""
    tz = forum.timezone
    rows: list[tuple[str, ...]] = [HEADER]
    for call in roll_calls:
        event = call.event
        for entry in sorted(
            call.entries, key=lambda e: (e.delegate.name.casefold(), e.delegate.id)
        ):
            record = entry.record
            group = forum.group(entry.delegate.group)
            present = ""
            if record is not None and (record.checked_in_at or record.present is not None):
                present = "yes" if record.is_present else "no"
            rows.append(
                (
                    event.id,
                    event.title.get(lang),
                    _local(event.starts, tz),
                    entry.delegate.name,
                    entry.delegate.position,
                    group.name if group else (entry.delegate.group or ""),
                    entry.rsvp or "",
                    _local(record.checked_in_at if record else None, tz),
                    present,
                    str(record.marked_by) if record and record.marked_by is not None else "",
                    _local(record.marked_at if record else None, tz),
                )
            )
    return rows


# A spreadsheet reads a cell that starts with one of these as a formula: a delegate named
# =HYPERLINK("http://evil.example","Click") would put a live link in the organisers' export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as the text it is (OWASP, "CSV Injection"): one that
    would start a formula gets a leading apostrophe, which spreadsheets do not display."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def attendance_csv(forum: Forum, roll_calls: Iterable[RollCall], lang: str = "en") -> bytes:
    """The CSV file's bytes, UTF-8 with a BOM, every cell neutralised."""
    out = io.StringIO(newline="")
    rows = attendance_rows(forum, roll_calls, lang)
    csv.writer(out).writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
