"""Building HTML texts safely: every value from users, organisers or the forum file is escaped.

Translated templates are escaped too, then filled with escaped values, so a translator's
``&`` or an organiser's ``<`` can never break Telegram's HTML parser.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.text_decorations import html_decoration
from babel.dates import format_date, format_timedelta

esc = html_decoration.quote


def fmt(template: str, /, **values: object) -> str:
    """Fill a (translated) template with escaped values."""
    return esc(template).format(**{k: esc(str(v)) for k, v in values.items()})


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
    return {"uz": "uz_Latn"}.get(lang, lang)


def hhmm(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def day_label(moment_or_day: object, tz: ZoneInfo | None = None, lang: str | None = None) -> str:
    """A forum day as people say it, e.g. 'Thursday, 14 September' in the reader's language."""
    day = moment_or_day
    if isinstance(day, datetime):
        day = day.astimezone(tz).date() if tz else day.date()
    lang = lang or current_locale()
    return format_date(day, "EEEE, d MMMM", locale=_babel_locale(lang))  # type: ignore[arg-type]


def short_day(day: object, lang: str | None = None) -> str:
    """A day for a button: 'Thu 14 Sep'."""
    lang = lang or current_locale()
    return format_date(day, "EEE d MMM", locale=_babel_locale(lang))  # type: ignore[arg-type]


def duration(delta: timedelta, lang: str | None = None) -> str:
    """'2 hours 5 minutes' in the reader's language (at least one minute)."""
    lang = _babel_locale(lang or current_locale())
    minutes = max(1, round(delta.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        format_timedelta(
            timedelta(**{unit: value}), granularity=unit[:-1], threshold=10**6, locale=lang
        )
        for unit, value in (("days", days), ("hours", hours), ("minutes", minutes))
        if value
    ]
    return " ".join(parts)


def split_message(text: str, limit: int = 4000) -> list[str]:
    """Cut a long text at blank lines so each piece fits Telegram's 4096-character limit."""
    pieces: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > limit and current:
            pieces.append(current)
            current = block
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
