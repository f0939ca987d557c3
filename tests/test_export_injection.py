"""The attendance export is safe to open: CSV cells that would start a formula are
neutralised (OWASP), and the .xlsx keeps every cell as text (issue 15, finding 18)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from schedule.attendance_csv import neutralise
from tests.conftest import ORGANISER_ID, Chat

HOSTILE = ['=HYPERLINK("http://evil.example/x","Click")', "@SUM(1+1)", "+1+1", "-2+3"]


@pytest.mark.parametrize("cell", [*HOSTILE, "\tTab", "\rCR"])
def test_cells_that_would_start_a_formula_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Anvar", "2023-09-14T10:00+05:00", "", "a=b", "Ш-1"])
def test_other_cells_are_left_as_they_are(cell: str) -> None:
    assert neutralise(cell) == cell


def _files(calls: list) -> dict[str, bytes]:
    found = {}
    for call in calls:
        for key, value in call.params.items():
            if key.startswith("file:"):
                found[value.filename] = value.data
    return found


async def test_export_of_hostile_names_is_text_in_both_files(chat: Chat) -> None:
    for number, name in enumerate(HOSTILE):
        await chat.register(7000 + number, "dushanbe2023", first_name=name)
    calls = await chat.send(ORGANISER_ID, "/export opening-plenary")
    assert [c.name for c in calls] == ["SendDocument", "SendDocument"]
    files = _files(calls)
    [xlsx_name] = [n for n in files if n.endswith(".xlsx")]
    [csv_name] = [n for n in files if n.endswith(".csv")]
    assert xlsx_name.removesuffix(".xlsx") == csv_name.removesuffix(".csv")

    rows = list(csv.reader(io.StringIO(files[csv_name].decode("utf-8-sig"), newline="")))
    delegates = [row[3] for row in rows[1:]]
    for name in HOSTILE:
        assert "'" + name in delegates and name not in delegates

    sheet = load_workbook(io.BytesIO(files[xlsx_name])).active
    assert sheet is not None
    cells = {c.value: c for c in sheet["D"][1:]}
    for name in HOSTILE:
        assert cells[name].data_type == "s", name  # a string, not a formula
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["event id", "title", "start", "delegate"]
    assert [c.value for c in sheet["A"][1:]] == ["opening-plenary"] * (sheet.max_row - 1)
    assert "Anvar Normamatovich Shernayev" in cells
