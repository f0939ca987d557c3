"""The fallback chain: which text a reader gets when the forum file lacks their language."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from schedule.attendance import roll_call
from schedule.attendance_csv import HEADER, attendance_csv
from schedule.calendar import agenda_ics
from schedule.fallback import localized_text
from schedule.forum_file import SAMPLE_FORUM_PATH, load_forum_file
from schedule.model import LANGUAGES, Delegate, Localized

ALL = {
    "en": "Signing",
    "ru": "Подписание",
    "uz": "Imzolash",
    "uz-Cyrl": "Имзолаш маросими",
    "tg": "Имзо",
    "kk": "Қол қою",
    "ky": "Кол коюу",
    "tk": "Gol çekmek",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_own_language_first(lang: str) -> None:
    assert localized_text(ALL, lang) == ALL[lang]


def test_uzbek_cyrillic_transliterates_the_latin_text_before_russian() -> None:
    texts = {"en": "Signing", "ru": "Подписание", "uz": "Kelishuvni imzolash"}
    assert localized_text(texts, "uz-Cyrl") == "Келишувни имзолаш"


def test_uzbek_cyrillic_then_russian_then_english() -> None:
    assert localized_text({"en": "Signing", "ru": "Подписание"}, "uz-Cyrl") == "Подписание"
    assert localized_text({"en": "Signing", "tg": "Имзо"}, "uz-Cyrl") == "Signing"


@pytest.mark.parametrize("lang", ["tg", "kk", "ky", "tk"])
def test_central_asian_languages_fall_back_to_russian_then_english(lang: str) -> None:
    texts = {k: v for k, v in ALL.items() if k != lang}
    assert localized_text(texts, lang) == "Подписание"
    assert localized_text({"en": "Signing", "uz": "Imzolash"}, lang) == "Signing"


@pytest.mark.parametrize("lang", ["tg", "kk", "ky", "tk"])
def test_uzbek_latin_is_not_transliterated_for_other_readers(lang: str) -> None:
    assert localized_text({"uz": "Imzolash"}, lang) == "Imzolash"


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_russian_and_uzbek_latin_fall_back_to_english(lang: str) -> None:
    assert localized_text({"en": "Signing", "kk": "Қол қою", "tg": "Имзо"}, lang) == "Signing"
    assert localized_text({"en": "Signing", "tg": "Имзо"}, lang) == "Signing"


def test_then_any_text_in_the_order_given() -> None:
    assert localized_text({"kk": "Қол қою", "tg": "Имзо"}, "en") == "Қол қою"
    assert localized_text({"tg": "", "ky": "Кол коюу"}, "tk") == "Кол коюу"
    assert localized_text({"uz": "Imzolash"}, "ru") == "Imzolash"
    assert localized_text({}, "kk") == ""


def test_no_language_reads_english() -> None:
    assert localized_text(ALL, None) == "Signing"


def test_an_empty_text_counts_as_missing() -> None:
    assert localized_text({"kk": "", "ru": "Подписание"}, "kk") == "Подписание"


def test_localized_get_follows_the_chain() -> None:
    title = Localized({"en": "Signing", "ru": "Подписание", "uz": "Oʻzaro anglashuv"})
    assert title.get("kk") == "Подписание"
    assert title.get("uz-Cyrl") == "Ўзаро англашув"
    assert title.get("uz") == "Oʻzaro anglashuv"
    assert Localized.plain("MoU").get("tk") == "MoU"


def test_the_calendar_file_follows_the_chain() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    mou = next(e for e in forum.events if e.id == "mou-tut")
    for lang, summary, bring in [
        ("kk", "Подписание меморандума", "Два подписанных экземпляра меморандума"),
        ("uz-Cyrl", "Тожикистон технология университети", "Меморандумнинг имзоланган икки"),
        ("tg", "Имзои ёддошти тафоҳум", "Два подписанных экземпляра меморандума"),
    ]:
        data = agenda_ics(forum, [mou], lang=lang, now=datetime(2023, 9, 1, tzinfo=UTC))
        (item,) = Calendar.from_ical(data).walk("VEVENT")
        assert str(item["SUMMARY"]).startswith(summary), lang
        assert bring in str(item["DESCRIPTION"]), lang


def test_the_attendance_export_follows_the_chain() -> None:
    forum = load_forum_file(SAMPLE_FORUM_PATH)
    mou = next(e for e in forum.events if e.id == "mou-tut")
    person = Delegate(
        id=1, name="Shernayev", position="Vice-rector", group="tict", role="member",
        code=None, source="file", telegram_id=None, language="ky", reminders_on=True,
        reminder_offsets=None, registered_at=None,
    )  # fmt: skip
    for lang, title in [("ky", "Подписание меморандума"), ("uz-Cyrl", "Тожикистон")]:
        data = attendance_csv(forum, [roll_call(mou, [person], [])], lang)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert tuple(rows[0]) == HEADER
        assert rows[1][1].startswith(title), lang
