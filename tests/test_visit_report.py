"""The report of the visit (.docx) and the register of agreements (.xlsx), built from plain
data and read back with python-docx and openpyxl; the rules that assemble the data; and the
news text of a signing."""

from __future__ import annotations

import gettext
import struct
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.views.agreement_news import news_texts
from bot.views.register_xlsx import register_xlsx
from bot.views.report_docx import report_docx
from schedule.agreements import signing_facts
from schedule.attendance import AttendanceRecord
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import Agreement, Delegate, EventRevision, Localized
from schedule.visit_report import (
    ReportPhoto,
    VisitReport,
    delegation_order,
    event_outcome,
    held_programme,
    programme_changes,
)

LOCALES = Path(__file__).resolve().parents[1] / "bot" / "locales"
FORUM = load_forum_file(SAMPLE_FORUM_PATH)
EVENTS = {e.id: e for e in FORUM.events}
AFTER = datetime(2023, 9, 16, 8, 0, tzinfo=UTC)
SIGNED = datetime(2023, 9, 14, 9, 50, tzinfo=UTC)  # 14:50 in Dushanbe
ODD = 'R&D <Lab> "Q&A"'


def english(text: str) -> str:
    return text


def catalogue(lang: str) -> gettext.GNUTranslations:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        return gettext.GNUTranslations(f)


def person(ident: int, name: str, code: str, **kw: object) -> Delegate:
    values: dict[str, object] = {
        "position": "",
        "group": None,
        "role": "member",
        "source": "file",
        "telegram_id": None,
        "language": None,
        "reminders_on": True,
        "reminder_offsets": None,
        "registered_at": None,
    }
    values.update(kw)
    return Delegate(id=ident, name=name, code=code, **values)  # type: ignore[arg-type]


SHERNAYEV = person(
    2,
    "Anvar Normamatovich Shernayev",
    "tict-Hq7mX2vL9p",
    position="Vice-rector for work with enterprises",
    group="tict",
)
HEAD = person(3, "S. Buzrukkhanov", "head-Zq4vN8rT2m", position="Deputy Minister", role="head")
RECTOR = person(1, "Oʻktam Qodirov", "rector", position="Rector", group="tict")
PEOPLE = (RECTOR, SHERNAYEV, HEAD)


def png() -> bytes:
    """A 1x1 white PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def sample_report() -> VisitReport:
    signed = replace(FORUM.agreements[0], status="signed", signed_by=900, signed_at=SIGNED)
    odd = Agreement(
        id="odd",
        kind="protocol",
        title=Localized({"en": ODD, "ru": "Протокол «НИОКР»", "uz": "Oʻzaro bayonnoma"}),
        partner="Qoʻqon <Partner> & Co",
        partner_country="UZ",
        signatories=("rector",),
        partner_signatories=("=HYPERLINK(\"http://x\")",),
        scope=(Localized({"en": "Joint labs", "uz": "Qoʻshma laboratoriyalar"}),),
        status="postponed",
    )
    osh = replace(FORUM.agreements[3], status="cancelled")
    agreements = (signed, *FORUM.agreements[1:3], osh, odd)
    cancelled = replace(EVENTS["tut-faculties"], status="cancelled")
    moved_osh = replace(
        EVENTS["mou-osh"],
        starts=EVENTS["mou-osh"].starts + timedelta(hours=1),
        ends=EVENTS["mou-osh"].ends + timedelta(hours=1),
    )
    changed = {"tut-faculties": cancelled, "mou-osh": moved_osh}
    events = [changed.get(e.id, e) for e in FORUM.events]
    records = [
        AttendanceRecord("mou-tut", 2, checked_in_at=SIGNED),
        AttendanceRecord("opening-plenary", 2, checked_in_at=SIGNED),
        AttendanceRecord("opening-plenary", 3, present=True, marked_at=SIGNED),
    ]
    revisions = [
        EventRevision(
            "mou-osh",
            EVENTS["mou-osh"].starts,
            moved_osh.starts,
            EVENTS["mou-osh"].ends,
            moved_osh.ends,
            "forum-hall",
            "forum-hall",
            "scheduled",
            "scheduled",
            SIGNED,
        )
    ]
    return VisitReport(
        forum=replace(FORUM, events=tuple(events), agreements=agreements),
        delegates=tuple(delegation_order(PEOPLE)),
        programme=tuple(held_programme(events, PEOPLE, records)),
        agreements=agreements,
        signatories={d.code: d for d in PEOPLE if d.code},
        photos={
            "mou-tut": (ReportPhoto("photo-ok", png()), ReportPhoto("photo-gone", None)),
            "odd": (ReportPhoto("photo-broken", b"not an image"),),
        },
        changes=tuple(programme_changes(events, revisions)),
        made_at=AFTER,
        events={e.id: e for e in events},
    )


def docx_text(content: bytes) -> tuple[list[str], list[str], docx.document.Document]:
    """The paragraphs and every table cell of a .docx, read back."""
    document = docx.Document(BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return paragraphs, cells, document


# ---------------------------------------------------------------- the rules


def test_the_head_of_delegation_comes_first_then_the_file_order() -> None:
    assert [d.name for d in delegation_order(PEOPLE)] == [
        "S. Buzrukkhanov",
        "Oʻktam Qodirov",
        "Anvar Normamatovich Shernayev",
    ]


def test_attendance_is_present_of_those_concerned() -> None:
    held = {h.event.id: h for h in sample_report().programme}
    assert (held["mou-tut"].present, held["mou-tut"].expected) == (1, 2)  # the tict group
    assert (held["opening-plenary"].present, held["opening-plenary"].expected) == (2, 3)
    assert "tut-faculties" in held  # cancelled events stay in the programme, as cancelled


def test_what_became_of_each_event() -> None:
    event = EVENTS["mou-tut"]
    assert event_outcome(event, event.starts - timedelta(minutes=1)) == "upcoming"
    assert event_outcome(event, event.starts) == "under way"
    assert event_outcome(event, event.ends) == "held"
    assert event_outcome(replace(event, status="cancelled"), event.ends) == "cancelled"


def test_changes_compare_with_the_first_plan_and_forget_a_move_undone() -> None:
    report = sample_report()
    assert [(c.event.id, c.moved, c.called_off) for c in report.changes] == [
        ("tut-faculties", False, True),
        ("mou-osh", True, False),
    ]
    there_and_back = EventRevision(
        "mou-tut", EVENTS["mou-tut"].starts + timedelta(hours=2), EVENTS["mou-tut"].starts,
        EVENTS["mou-tut"].ends, EVENTS["mou-tut"].ends, "tut", "tut", "scheduled", "scheduled",
        SIGNED,
    )  # fmt: skip
    first = replace(
        there_and_back,
        starts_before=EVENTS["mou-tut"].starts,
        starts_after=there_and_back.starts_before,
    )
    assert programme_changes(FORUM.events, [first, there_and_back]) == []


# ---------------------------------------------------------------- the Word report


def test_the_report_has_every_section_with_names_and_statuses() -> None:
    paragraphs, cells, document = docx_text(report_docx(sample_report(), "en", english))
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    headings = [text for style, text in styled if style.startswith(("Heading", "Title"))]
    assert headings[:4] == [
        "Report on the visit",
        "The delegation",
        "The programme as held",
        "Agreements",
    ]
    assert headings[-1] == "Changes to the programme"
    assert FORUM.name in paragraphs
    assert "Dushanbe, 14 September 2023 – 15 September 2023" in paragraphs
    assert "Prepared on 16 September 2023 at 13:00 (Dushanbe time)." in paragraphs
    # The delegation: head first, then the members with positions and groups.
    names = [c for c in cells if c in {d.name for d in PEOPLE}]
    assert names[:3] == ["S. Buzrukkhanov", "Oʻktam Qodirov", "Anvar Normamatovich Shernayev"]
    assert "Head of delegation" in cells and "Tashkent Institute of Chemical Technology" in cells
    # The programme as held.
    assert "Opening plenary session of the Forum of Rectors" in cells
    assert "2 / 3" in cells and "1 / 2" in cells and "Held" in cells and "Cancelled" in cells
    # The agreements.
    assert "Memorandum of understanding" in cells and "Signed" in cells
    assert "Postponed" in cells
    assert "14 September 2023" in cells  # the date signed, in forum time
    assert "Technological University of Tajikistan (TJ)" in cells
    assert "Anvar Normamatovich Shernayev, Vice-rector for work with enterprises" in cells
    assert "Rector of the Technological University of Tajikistan" in cells
    assert "Student academic mobility" in paragraphs
    assert "Training engineers in food and chemical technologies" in paragraphs


def test_odd_titles_cyrillic_and_the_uzbek_letter_come_through_as_written() -> None:
    paragraphs, cells, _ = docx_text(report_docx(sample_report(), "uz", english))
    assert "Oʻzaro bayonnoma" in paragraphs and "Qoʻqon <Partner> & Co (UZ)" in cells
    assert "Oʻktam Qodirov" in cells
    paragraphs, cells, _ = docx_text(report_docx(sample_report(), "en", english))
    assert ODD in paragraphs
    paragraphs, cells, _ = docx_text(report_docx(sample_report(), "ru", english))
    assert "Протокол «НИОКР»" in paragraphs
    assert FORUM.agreements[0].title.get("ru") in paragraphs
    assert FORUM.agreements[0].title.get("ru").startswith("Меморандум о взаимопонимании между")


def test_photos_are_embedded_and_one_not_fetched_is_named() -> None:
    paragraphs, _, document = docx_text(report_docx(sample_report(), "en", english))
    assert len(document.inline_shapes) == 1
    assert "Photo 2 could not be fetched from Telegram (photo-gone)." in paragraphs
    assert "Photo 1 could not be fetched from Telegram (photo-broken)." in paragraphs


def test_the_changes_say_what_was_moved_and_cancelled() -> None:
    paragraphs, _, _ = docx_text(report_docx(sample_report(), "en", english))
    cancelled = next(p for p in paragraphs if p.startswith("Cancelled: Acquaintance"))
    assert cancelled.endswith("It was planned for 14 September 2023, 15:00.")
    moved = next(p for p in paragraphs if p.startswith("Moved: Signing of a memorandum"))
    assert moved.endswith("now 15 September 2023, 17:30, was 15 September 2023, 16:30")


def test_a_quiet_forum_says_nothing_changed_and_a_control_character_does_not_break_it() -> None:
    report = sample_report()
    quiet = replace(
        report,
        changes=(),
        agreements=(replace(report.agreements[0], title=Localized.plain("Bell\x07 title")),),
        photos={},
    )
    paragraphs, _, _ = docx_text(report_docx(quiet, "en", english))
    assert "No event was moved or cancelled." in paragraphs and "Bell title" in paragraphs
    empty = replace(quiet, agreements=())
    assert "No agreements." in docx_text(report_docx(empty, "en", english))[0]


def test_the_report_is_in_the_readers_language() -> None:
    ru = catalogue("ru").gettext
    paragraphs, cells, _ = docx_text(report_docx(sample_report(), "ru", ru))
    assert "Отчёт о визите" in paragraphs and "Соглашения" in paragraphs
    assert "Подписано" in cells and "Меморандум о взаимопонимании" in cells
    assert "Dushanbe, 14 сентября 2023 г. – 15 сентября 2023 г." in paragraphs
    uz = catalogue("uz").gettext
    paragraphs, cells, _ = docx_text(report_docx(sample_report(), "uz", uz))
    assert "Tashrif haqida hisobot" in paragraphs and "Imzolangan" in cells


# ---------------------------------------------------------------- the register


def test_the_register_has_one_row_per_agreement() -> None:
    report = sample_report()
    book = openpyxl.load_workbook(BytesIO(register_xlsx(report, "en", english)))
    sheet = book.active
    assert sheet is not None and sheet.title == "Agreements"
    rows = list(sheet.iter_rows(values_only=True))
    header, *body = rows
    assert header[:4] == ("№", "ID", "Kind", "Title") and len(body) == len(report.agreements)
    by_id = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    tut = by_id["mou-tut"]
    # Dates read back as midnight of the day (a spreadsheet date has no zone).
    assert tut["Status"] == "Signed" and tut["Date signed"].date() == date(2023, 9, 14)
    assert tut["Event date"].date() == date(2023, 9, 14)
    assert tut["Photos"] == 2 and tut["Copies"] == 2
    assert tut["Signed for the delegation"] == SHERNAYEV.name + ", " + SHERNAYEV.position
    assert by_id["mou-osh"]["Status"] == "Cancelled" and by_id["mou-osh"]["Date signed"] is None
    assert by_id["agreement-ips"]["Areas of cooperation"].count("; ") == 3
    odd = by_id["odd"]
    assert odd["Title"] == ODD and odd["Partner"] == "Qoʻqon <Partner> & Co"
    assert odd["Signed for the partner"] == '=HYPERLINK("http://x")'
    cell = next(c for c in sheet[6] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # text, not a formula


def test_the_register_in_russian() -> None:
    ru = catalogue("ru").gettext
    book = openpyxl.load_workbook(BytesIO(register_xlsx(sample_report(), "ru", ru)))
    sheet = book.active
    assert sheet is not None and sheet.title == "Соглашения"
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Подписано" in values and "Отложено" in values


# ---------------------------------------------------------------- the news


@pytest.fixture
def facts() -> object:
    signed = replace(FORUM.agreements[0], status="signed", signed_at=SIGNED)
    return signing_facts(signed, FORUM, {d.code: d for d in PEOPLE if d.code}, AFTER)


def test_the_news_in_english(facts: object) -> None:
    (text,) = news_texts(facts, {"en": english}).values()  # type: ignore[arg-type]
    assert text.startswith(
        "On 14 September 2023 in Dushanbe, Tashkent Institute of Chemical Technology and "
        "Technological University of Tajikistan signed a memorandum of understanding."
    )
    assert f"Signed by: {SHERNAYEV.name}, Vice-rector for work with enterprises; " in text
    assert text.endswith("Rector of the Technological University of Tajikistan.")


def test_the_news_in_three_languages_at_once() -> None:
    ips = replace(FORUM.agreements[1], status="signed", signed_at=SIGNED + timedelta(days=1))
    facts = signing_facts(ips, FORUM, {d.code: d for d in PEOPLE if d.code}, AFTER)
    assert facts.day == date(2023, 9, 15)
    texts = news_texts(
        facts, {"en": english, "ru": catalogue("ru").gettext, "uz": catalogue("uz").gettext}
    )
    assert list(texts) == ["en", "ru", "uz"]
    assert "signed an agreement. Areas of cooperation: International joint" in texts["en"]
    assert texts["ru"].startswith("15 сентября 2023 г. в городе Dushanbe")
    assert "подписали соглашение" in texts["ru"]
    assert "Академическая мобильность студентов" in texts["ru"]
    assert texts["uz"].startswith("2023-yil 15-sentabr kuni Dushanbe shahrida")
    assert "Talabalar akademik mobilligi" in texts["uz"] and "imzoladi" in texts["uz"]
