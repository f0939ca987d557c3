"""Building HTML texts safely: every value from users, organisers or the forum file is escaped.

Translated templates are escaped too, then filled with escaped values, so a translator's
``&`` or an organiser's ``<`` can never break Telegram's HTML parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.text_decorations import html_decoration
from babel.dates import format_date, format_timedelta

esc = html_decoration.quote


def fmt(template: str, /, **values: object) -> str:
    """Fill a (translated) template with escaped values."""
    return esc(template).format(**{k: esc(str(v)) for k, v in values.items()})


def clip(text: str, limit: int = 40) -> str:
    """An id as someone typed it, cut so that a pasted paragraph cannot make a reply longer
    than Telegram allows (ids are at most 32 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def utf16_len(text: str) -> int:
    """How Telegram counts a text against its limits: UTF-16 code units (an emoji outside
    the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def bold(safe_html: str) -> str:
    """Wrap text that is already escaped."""
    return f"<b>{safe_html}</b>"


def italic(safe_html: str) -> str:
    return f"<i>{safe_html}</i>"


def current_locale() -> str:
    try:
        return I18n.get_current().current_locale
    except LookupError:
        return "en"


def _babel_locale(lang: str) -> str:
    return {"uz": "uz_Latn", "uz-Cyrl": "uz_Cyrl"}.get(lang, lang)


# A day as each language writes it (CLDR's full date without the year); the rest
# "Thursday, 14 September".
_DAY_PATTERNS = {"kk": "d MMMM, EEEE", "ky": "d-MMMM, EEEE", "tk": "d MMMM, EEEE"}
_SHORT_DAY_PATTERNS = {"kk": "d MMM, EEE", "ky": "d-MMM, EEE", "tk": "d MMM, EEE"}
# CLDR has no Tajik units of time, and Babel would write "2 h 5 min"; after a number a
# Tajik noun stays singular.
_UNITS = {"tg": {"days": "рӯз", "hours": "соат", "minutes": "дақиқа"}}


def hhmm(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def day_label(moment_or_day: object, tz: ZoneInfo | None = None, lang: str | None = None) -> str:
    """A forum day as people say it, e.g. 'Thursday, 14 September' in the reader's language."""
    day = moment_or_day
    if isinstance(day, datetime):
        day = day.astimezone(tz).date() if tz else day.date()
    lang = lang or current_locale()
    return _formatted(day, _DAY_PATTERNS.get(lang, "EEEE, d MMMM"), lang)  # type: ignore[arg-type]


def short_day(day: object, lang: str | None = None) -> str:
    """A day for a button: 'Thu 14 Sep'."""
    lang = lang or current_locale()
    return _formatted(day, _SHORT_DAY_PATTERNS.get(lang, "EEE d MMM"), lang)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _formatted(day: date, pattern: str, lang: str) -> str:
    # Babel's format_date parses its pattern and looks up the locale at every call (a
    # tenth of a /next); a forum has a few days in a few languages.
    return format_date(day, pattern, locale=_babel_locale(lang))


def duration(delta: timedelta, lang: str | None = None) -> str:
    """'2 hours 5 minutes' in the reader's language (at least one minute)."""
    return _duration(max(1, round(delta.total_seconds() / 60)), lang or current_locale())


@lru_cache(maxsize=4096)
def _duration(minutes: int, lang: str) -> str:
    # Babel's format_timedelta looks up the locale's plural rules and unit patterns at every
    # call (a sixth of a /next); "in 25 minutes" repeats for every reader of the same card.
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = _UNITS.get(lang)
    parts = [
        f"{value} {units[unit]}"
        if units
        else format_timedelta(
            timedelta(**{unit: value}),
            granularity=unit[:-1],
            threshold=10**6,
            locale=_babel_locale(lang),
        )
        for unit, value in (("days", days), ("hours", hours), ("minutes", minutes))
        if value
    ]
    return " ".join(parts)


MESSAGE_LIMIT = 4000  # Telegram allows 4096 characters; the rest is room for markup


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long text so each piece fits Telegram's 4096-character limit: at blank lines
    where it can, else at line breaks (a block longer than a message); never inside a line,
    which would cut through an HTML tag."""
    pieces: list[str] = []
    for block in _pack(text.split("\n\n"), "\n\n", limit):
        pieces.extend([block] if len(block) <= limit else _pack(block.split("\n"), "\n", limit))
    return pieces


def pack_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit under ``limit`` characters, never cutting one."""
    packed = (piece.strip("\n") for piece in _pack(lines, "\n", limit))
    return [piece for piece in packed if piece]


def _pack(parts: Sequence[str], separator: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) > limit and current:
            pieces.append(current)
            current = part
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
