"""The catalogues of every language but English: complete for the texts in the code,
faithful to their placeholders, in the right alphabet, with CLDR's plural forms, compiled,
and actually used by the bot."""

from __future__ import annotations

import gettext
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from db import delegates
from tests.conftest import Chat, FakeClock

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "bot" / "locales"
LANGUAGES = ("ru", "uz", "uz-Cyrl", "tg", "kk", "ky", "tk")
CYRILLIC = ("ru", "uz-Cyrl", "tg", "kk", "ky")
LATIN = ("uz", "tk")
BABEL_LOCALES = {"uz": "uz_Latn", "uz-Cyrl": "uz_Cyrl"}
# What stays as written in every language: placeholders, commands and their arguments, names.
NOT_TRANSLATED = re.compile(
    r"\{[^{}]*\}|/[a-z]+\b|\b[A-Z][A-Z_]+\b|HH:MM|YYYY-MM-DD|Telegram|CSV|\.toml|UTF-8|\bid\b"
    r"|Dilshod Karimov tict"
)
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


def folder(lang: str) -> Path:
    """A catalogue's folder is named as Babel spells the locale: uz-Cyrl is uz_Cyrl."""
    return LOCALES / lang.replace("-", "_") / "LC_MESSAGES"


@cache
def catalog(lang: str) -> Catalog:
    with (folder(lang) / "messages.po").open("rb") as f:
        return read_po(f, locale=lang.replace("-", "_"))


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
def test_no_empty_plural_form(lang: str) -> None:
    for m in catalog(lang):
        if isinstance(m.id, tuple):
            assert len(m.string) == catalog(lang).num_plurals, (lang, m.id)
            assert all(form.strip() for form in m.string), (lang, m.id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_follow_cldr(lang: str) -> None:
    """The header's Plural-Forms puts two counts in one form exactly when CLDR gives them
    one category (Tajik counts 0 with 1; Russian has three forms for whole numbers)."""
    with (folder(lang) / "messages.mo").open("rb") as f:
        form_of = gettext.GNUTranslations(f).plural  # type: ignore[attr-defined]
    category_of = Locale.parse(BABEL_LOCALES.get(lang, lang)).plural_form
    counts = range(1001)
    forms = {form_of(n) for n in counts}
    assert forms == set(range(catalog(lang).num_plurals)), lang
    for a in counts:
        for b in (0, 1, 2, 5, 11, 21, 22, 25, 101, 111):
            assert (form_of(a) == form_of(b)) == (category_of(a) == category_of(b)), (lang, a, b)


def _words(text: str) -> str:
    return NOT_TRANSLATED.sub(" ", text)


@pytest.mark.parametrize("lang", CYRILLIC)
def test_cyrillic_catalogues_leave_no_latin_word(lang: str) -> None:
    for msgid, msgstr in entries(lang):
        assert not re.search(r"[A-Za-z]", _words(msgstr)), (lang, msgid, msgstr)


@pytest.mark.parametrize("lang", LATIN)
def test_latin_catalogues_leave_no_cyrillic_word(lang: str) -> None:
    for msgid, msgstr in entries(lang):
        assert not re.search(r"[\u0400-\u04ff]", msgstr), (lang, msgid, msgstr)


def test_turkmen_uses_its_own_letters() -> None:
    text = " ".join(msgstr for _msgid, msgstr in entries("tk"))
    assert all(letter in text for letter in "äçňöşüý"), "Turkmen letters missing"
    assert not re.search(r"[qxcvQXCV]", _words(text)), "letters the Turkmen alphabet lacks"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    """A .po edited without running scripts/translations.sh (which compiles) fails here."""

    class Missing(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            raise AssertionError(f"{lang}: not in messages.mo (compile the catalogues): {message}")

    with (folder(lang) / "messages.mo").open("rb") as f:
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
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
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
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.press(SHERNAYEV, "l:uz")
    text = "\n".join(c.params.get("text") or "" for c in calls)
    assert "Til oʻzgartirildi." in text and "Til: Oʻzbekcha" in text


async def test_russian_telegram_user_is_greeted_in_russian_at_first_contact(chat: Chat) -> None:
    calls = await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p", language_code="ru")
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


async def test_kazakh_delegate_gets_kazakh_texts_and_russian_titles(chat: Chat) -> None:
    """The sample has no Kazakh titles: a Kazakh reader gets the Russian ones (not English)
    inside Kazakh texts and Kazakh dates."""
    greeting = (await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p", language_code="kk"))[-1].text
    assert "Қош келдіңіз, Anvar Normamatovich Shernayev!" in greeting
    assert "/schedule — бүгінгі бағдарлама" in greeting and "Welcome" not in greeting
    stored = await delegates.by_telegram_id(chat.app.db, SHERNAYEV)
    assert stored is not None and stored.language == "kk"

    text = "\n".join(c.text for c in await chat.send(SHERNAYEV, "/schedule"))
    assert "14 қыркүйек, бейсенбі" in text
    assert "Открытие Форума ректоров: пленарное заседание" in text
    assert "Уақыт Dushanbe уақытымен көрсетілген." in text
    assert "Opening plenary" not in text and "Times are" not in text

    card = (await chat.press(SHERNAYEV, "e:mou-tut"))[-1]
    shown = card.params.get("text") or ""
    assert "Подписание меморандума о взаимопонимании" in shown
    assert "Өзіңізбен бірге алыңыз: Два подписанных экземпляра меморандума" in shown
    assert ("📍 Картадан көрсету", "v:tut") in card.buttons()
    assert ("🗓 14 қыр., бс", "d:20230914") in card.buttons()


async def test_a_reminder_in_kazakh_carries_the_russian_title(chat: Chat, clock: FakeClock) -> None:
    await chat.app.start()
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p", language_code="kk")
    chat.session.clear()
    clock.now = datetime(2023, 9, 14, 8, 30, tzinfo=UTC)  # an hour before the MoU signing
    await chat.app.services.notifier.run_due()
    # The car to the signing leaves at 13:40: its reminder is due too; this is the event's.
    [reminder] = [
        c for c in chat.session.calls if c.text.startswith("⏰") and "Подписание" in c.text
    ]
    assert reminder.chat_id == SHERNAYEV
    assert "Подписание меморандума о взаимопонимании" in reminder.text
    assert "Басталуы сағат 14:30, басталуына 1 сағат қалды" in reminder.text
    assert "Орындарыңызға жайғасу уақыты: 14:10" in reminder.text


async def test_uzbek_cyrillic_reads_the_latin_titles_transliterated(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p")
    calls = await chat.press(SHERNAYEV, "l:uz-Cyrl")
    answer = "\n".join(c.params.get("text") or "" for c in calls)
    assert "Тил ўзгартирилди." in answer and "Тил: Ўзбекча" in answer
    text = "\n".join(c.text for c in await chat.send(SHERNAYEV, "/schedule"))
    assert "пайшанба, 14 сентябр" in text
    assert "Ректорлар форумининг очилиши: ялпи мажлис" in text
    assert "Тожикистон технология университети билан ўзаро англашув" in text
    assert "Вақт Dushanbe вақти билан кўрсатилган." in text


async def test_tajik_reads_tajik_titles_where_the_file_has_them(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p", language_code="tg")
    text = "\n".join(c.text for c in await chat.send(SHERNAYEV, "/my"))
    assert "Имзои ёддошти тафоҳум бо Донишгоҳи технологии Тоҷикистон" in text
    assert "Открытие Форума ректоров" in text  # no Tajik title: Russian
    assert "Панҷшанбе, 14 Сентябр" in text


async def test_language_keyboard_offers_all_eight_in_their_own_names(chat: Chat) -> None:
    await chat.register(SHERNAYEV, "tict-Hq7mX2vL9p", language_code="ky")
    [keyboard] = [c for c in await chat.send(SHERNAYEV, "/language") if c.buttons()]
    assert "Тилди тандаңыз:" in keyboard.text
    assert keyboard.buttons() == [
        ("English", "l:en"),
        ("Русский", "l:ru"),
        ("Oʻzbekcha", "l:uz"),
        ("Ўзбекча", "l:uz-Cyrl"),
        ("Тоҷикӣ", "l:tg"),
        ("Қазақша", "l:kk"),
        ("✅ Кыргызча", "l:ky"),
        ("Türkmençe", "l:tk"),
    ]
    help_text = (await chat.send(SHERNAYEV, "/help"))[-1].text
    names = "English, Русский, Oʻzbekcha, Ўзбекча, Тоҷикӣ, Қазақша, Кыргызча, Türkmençe"
    assert f"/language — {names}" in help_text


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("tg", "Ин бот ба ҳайати расмӣ хизмат мерасонад"),
        ("kk", "Бұл бот ресми делегацияға қызмет көрсетеді"),
        ("ky", "Бул бот расмий делегацияны тейлейт"),
        ("tk", "Bu bot resmi wekiliýete hyzmat edýär"),
    ],
)
async def test_strangers_are_answered_in_their_telegram_language(
    chat: Chat, code: str, says: str
) -> None:
    calls = await chat.send(666, "/start", language_code=code)
    assert says in calls[-1].text
