"""The eight languages: their names, the first language from Telegram, dates and durations
through Babel, the catalogues under the bot's codes, and the command menus."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from aiogram.methods import SetMyCommands, SetMyDescription

from bot.app import App
from bot.i18n import create_i18n, language_from_telegram
from bot.menus import MENU_LANGUAGES
from bot.views.commands import DELEGATE_COMMANDS
from bot.views.languages import LANGUAGE_NAMES
from bot.views.texts import day_label, duration, short_day
from schedule.model import LANGUAGES
from tests.support.recording import RecordingSession

FORUM_DAY = date(2023, 9, 14)  # a Thursday


def test_every_language_has_its_own_name() -> None:
    assert tuple(LANGUAGE_NAMES) == LANGUAGES
    assert len(set(LANGUAGE_NAMES.values())) == len(LANGUAGES)
    assert LANGUAGE_NAMES["uz-Cyrl"] == "Ўзбекча" and LANGUAGE_NAMES["tk"] == "Türkmençe"


@pytest.mark.parametrize(
    ("telegram", "lang"),
    [
        ("tg", "tg"),
        ("kk", "kk"),
        ("kk-KZ", "kk"),
        ("ky", "ky"),
        ("tk", "tk"),
        ("uz", "uz"),
        ("uz-Latn", "uz"),
        ("uz-Cyrl", "uz-Cyrl"),
        ("uz-cyrl-UZ", "uz-Cyrl"),
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("en", "en"),
        ("de", "en"),
        ("fa", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_from_telegram(telegram: str | None, lang: str) -> None:
    assert language_from_telegram(telegram) == lang


@pytest.mark.parametrize(
    ("lang", "day", "short"),
    [
        ("en", "Thursday, 14 September", "Thu 14 Sep"),
        ("ru", "четверг, 14 сентября", "чт 14 сент."),
        ("uz", "payshanba, 14 sentabr", "Pay 14 sen"),
        ("uz-Cyrl", "пайшанба, 14 сентябр", "пай 14 сен"),
        ("tg", "Панҷшанбе, 14 Сентябр", "Пшб 14 Сен"),
        ("kk", "14 қыркүйек, бейсенбі", "14 қыр., бс"),
        ("ky", "14-сентябрь, бейшемби", "14-сен., бейш."),
        ("tk", "14 sentýabr, penşenbe", "14 sen, pen"),
    ],
)
def test_days_through_babel(lang: str, day: str, short: str) -> None:
    assert day_label(FORUM_DAY, lang=lang) == day
    assert short_day(FORUM_DAY, lang=lang) == short


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "1 day 2 hours 5 minutes"),
        ("ru", "1 день 2 часа 5 минут"),
        ("uz", "1 kun 2 soat 5 daqiqa"),
        ("uz-Cyrl", "1 кун 2 соат 5 дақиқа"),
        ("tg", "1 рӯз 2 соат 5 дақиқа"),
        ("kk", "1 күн 2 сағат 5 минут"),
        ("ky", "1 күн 2 саат 5 мүнөт"),
        ("tk", "1 gün 2 sagat 5 minut"),
    ],
)
def test_durations_in_every_language(lang: str, text: str) -> None:
    assert duration(timedelta(days=1, hours=2, minutes=5), lang) == text


def test_catalogues_are_found_under_the_bots_codes() -> None:
    i18n = create_i18n()
    assert set(i18n.available_locales) == set(LANGUAGES) - {"en"}
    assert i18n.gettext("Show on map", locale="uz-Cyrl") != "Show on map"


async def test_a_menu_for_every_language_telegram_has_a_code_for(app: App) -> None:
    session = app.bot.session
    assert isinstance(session, RecordingSession)
    await app.start()
    menus = {
        c.method.language_code: c.method
        for c in session.calls
        if isinstance(c.method, SetMyCommands) and c.method.scope.type == "default"
    }
    assert MENU_LANGUAGES == ("en", "ru", "uz", "tg", "kk", "ky", "tk")
    assert set(menus) == {None, "ru", "uz", "tg", "kk", "ky", "tk"}
    english = [c.description for c in menus[None].commands]
    commands = [entry[0] for entry in DELEGATE_COMMANDS]
    for code in ("ru", "uz", "tg", "kk", "ky", "tk"):
        described = [c.description for c in menus[code].commands]
        assert [c.command for c in menus[code].commands] == commands
        assert all(1 <= len(d) <= 256 for d in described), code
        assert not set(described) & set(english), code  # translated, every one
    descriptions = {
        c.method.language_code: c.method.description
        for c in session.calls
        if isinstance(c.method, SetMyDescription)
    }
    assert set(descriptions) == set(menus)
    assert all(len(d) <= 512 for d in descriptions.values())
