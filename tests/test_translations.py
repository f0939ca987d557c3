"""The Russian and Uzbek catalogues: complete for the texts in the code, faithful to their
placeholders, compiled, and actually used by the bot."""

from __future__ import annotations

import gettext
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import Chat

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "bot" / "locales"
LANGUAGES = ("ru", "uz")
SOURCE_DIRS = ("bot", "handlers", "schedule")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

SHERNAYEV = 101


@cache
def source_msgids() -> frozenset[str]:
    """Every text marked in the code, extracted as scripts/translations.sh does."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: set[str] = set()
    for directory in SOURCE_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / directory), method_map=[("**.py", "python")], keywords=keywords
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


@cache
def catalog(lang: str) -> Catalog:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def entries(lang: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs; a plural entry gives one pair per form, against the plural."""
    pairs: list[tuple[str, str]] = []
    for m in catalog(lang):
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            pairs.extend((m.id[1], form) for form in m.string)  # type: ignore[union-attr]
        else:
            pairs.append((m.id, m.string))  # type: ignore[arg-type]
    return pairs


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _empty(string: str | tuple[str, ...]) -> bool:
    forms = string if isinstance(string, tuple) else (string,)
    return not all(forms)


def test_the_code_has_texts_to_translate() -> None:
    assert len(source_msgids()) > 100
    assert "Show on map" in source_msgids()  # a gettext text
    assert "Today's programme" in source_msgids()  # an N_ text (the command menu)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_of_the_code_is_translated(lang: str) -> None:
    translated = {_key(m.id): m for m in catalog(lang) if m.id}
    missing = sorted(i for i in source_msgids() if i not in translated)
    untranslated = sorted(
        i for i in source_msgids() if i in translated and _empty(translated[i].string)
    )
    fuzzy = sorted(i for i in source_msgids() if i in translated and translated[i].fuzzy)
    assert not missing, f"{lang}: not in the catalogue (run scripts/translations.sh): {missing}"
    assert not untranslated, f"{lang}: empty msgstr: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy entries are not used: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang: str) -> None:
    for msgid, msgstr in entries(lang):
        assert set(PLACEHOLDER.findall(msgstr)) == set(PLACEHOLDER.findall(msgid)), (
            lang,
            msgid,
            msgstr,
        )


def _leading(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _trailing(text: str) -> str:
    return text[len(text.rstrip()) :]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_edges_and_line_breaks_are_kept(lang: str) -> None:
    for msgid, msgstr in entries(lang):
        assert _leading(msgstr) == _leading(msgid), msgid
        assert _trailing(msgstr) == _trailing(msgid), msgid
        assert msgstr.count("\n") == msgid.count("\n"), msgid
        assert "<" not in msgstr and ">" not in msgstr, msgid  # the bot escapes texts


def test_uzbek_uses_the_proper_apostrophe_letters() -> None:
    """oʻ and gʻ take U+02BB, the tutuq belgisi (maʼruza) U+02BC; never ' ` ’ or ‘."""
    for _msgid, msgstr in entries("uz"):
        assert not re.search(r"['`’‘]", msgstr), msgstr
        assert not re.search(r"(?<![oOgG])\u02bb", msgstr), msgstr
        assert not re.search(r"[oOgG]\u02bc", msgstr), msgstr
    assert "Xaritada koʻrsatish" in dict(entries("uz")).values()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    """A .po edited without running scripts/translations.sh (which compiles) fails here."""

    class Missing(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            raise AssertionError(f"{lang}: not in messages.mo (compile the catalogues): {message}")

    with (LOCALES / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    compiled.add_fallback(Missing())
    for m in catalog(lang):
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            for n, form in _plural_samples(compiled, len(m.string)):
                assert compiled.ngettext(m.id[0], m.id[1], n) == m.string[form], (lang, m.id, n)
        else:
            assert compiled.gettext(m.id) == m.string, (lang, m.id)


def _plural_samples(compiled: gettext.GNUTranslations, forms: int) -> list[tuple[int, int]]:
    """A number for each plural form, by the catalogue's own rule: (n, form index)."""
    found: dict[int, int] = {}
    for n in range(200):
        found.setdefault(compiled.plural(n), n)  # type: ignore[attr-defined]
    assert len(found) == forms, found
    return [(n, index) for index, n in found.items()]


async def _schedule_after_choosing(chat: Chat, lang: str) -> str:
    await chat.register(SHERNAYEV, "tict-shernayev")
    await chat.press(SHERNAYEV, f"l:{lang}")
    calls = await chat.send(SHERNAYEV, "/schedule")
    return "\n".join(c.text for c in calls)


async def test_schedule_in_russian(chat: Chat) -> None:
    text = await _schedule_after_choosing(chat, "ru")
    assert "четверг, 14 сентября" in text
    assert "Открытие Форума ректоров: пленарное заседание" in text
    assert "Указано местное время (Dushanbe)." in text
    assert "Opening plenary" not in text and "Times are" not in text


async def test_schedule_in_uzbek(chat: Chat) -> None:
    text = await _schedule_after_choosing(chat, "uz")
    assert "14 sentabr" in text
    assert "Rektorlar forumining ochilishi: yalpi majlis" in text
    assert "Vaqt Dushanbe vaqti bilan koʻrsatilgan." in text
    assert "Opening plenary" not in text and "Times are" not in text


async def test_language_switch_is_answered_in_the_new_language(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-shernayev")
    calls = await chat.press(SHERNAYEV, "l:uz")
    text = "\n".join(c.params.get("text") or "" for c in calls)
    assert "Til oʻzgartirildi." in text and "Til: Oʻzbekcha" in text


async def test_russian_telegram_user_is_greeted_in_russian_at_first_contact(chat: Chat) -> None:
    calls = await chat.register(SHERNAYEV, "tict-shernayev", language_code="ru")
    greeting = calls[-1].text
    assert "Добро пожаловать, Anvar Normamatovich Shernayev!" in greeting
    assert "/schedule — программа на сегодня" in greeting
    assert "Welcome" not in greeting


async def test_telegram_language_reaches_strangers_too(chat: Chat) -> None:
    russian = await chat.send(666, "/start", language_code="ru")
    assert "Этот бот обслуживает официальную делегацию" in russian[-1].text
    uzbek = await chat.send(667, "/start", language_code="uz")
    assert "Ushbu bot rasmiy delegatsiyaga xizmat koʻrsatadi" in uzbek[-1].text
    english = await chat.send(668, "/start", language_code="de")
    assert "This bot serves an official delegation" in english[-1].text
