"""Reading one table of a forum file: typed fields, each problem reported under the table's
name and the field's, and nothing raised until the whole file has been read."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from schedule.model import LANGUAGES, Localized

# Ids and codes travel in callback data and deep links: keep them short and plain.
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Ids travel inside button data, which Telegram caps at 64 bytes together with the rest.
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_MAX_TEXT = 300
# A forum is in this century: outside, datetime arithmetic overflows (0001, 9999) and a
# typo in the year would put an event where nobody looks for it.
MIN_YEAR = 2000
MAX_YEAR = 2100
_MAX_LENGTH = {"description": 1500}

MISSING = object()  # a key the table does not have (None is a value TOML cannot hold)


class TableReader:
    """One TOML table being read: reports problems under its own name."""

    def __init__(
        self,
        errors: list[str],
        filename: str,
        label: str,
        data: dict[str, Any],
        allowed: frozenset[str],
    ) -> None:
        self.errors = errors
        self.prefix = f"{filename}: {label}"
        self.data = data
        for key in data:
            if key not in allowed:
                self.error(key, "unknown key")

    def error(self, key: str, message: str) -> None:
        self.errors.append(f'{self.prefix}: field "{key}": {message}')

    def value(self, key: str, required: bool) -> Any:
        value = self.data.get(key, MISSING)
        if value is MISSING and required:
            self.error(key, "missing required key")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A non-empty string; None when absent (or invalid, after reporting it)."""
        value = self.value(key, required)
        if value is MISSING:
            return None
        if not isinstance(value, str):
            self.error(key, f"must be a string, not {type_name(value)}")
            return None
        if blank(value):
            self.error(key, "must not be empty")
            return None
        if not self.fits(key, value):
            return None
        return value

    def fits(self, key: str, value: str, lang: str | None = None) -> bool:
        """Texts end up in Telegram messages (4096 characters, with everything else around
        them); a field too long for that is an error in the file, not a failed send later."""
        limit = _MAX_LENGTH.get(key, _MAX_TEXT)
        if len(value) <= limit:
            return True
        which = f"text for {lang!r}" if lang else "text"
        self.error(key, f"{which} is {len(value)} characters long; at most {limit} fit a message")
        return False

    def ident(self, key: str, what: str = "id") -> str | None:
        value = self.text(key, required=True)
        pattern, limit = (CODE_RE, 64) if what == "code" else (_ID_RE, 32)
        if value is not None and not pattern.fullmatch(value):
            self.error(key, f"bad {what} {value!r}: use 1-{limit} of A-Z a-z 0-9 _ -")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in allowed:
            self.error(key, f"unknown {key} {value!r} (allowed: {', '.join(allowed)})")
            return None
        return value

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.value(key, False)
        if value is MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(key, f"must be a number, not {type_name(value)}")
            return None
        if not low <= value <= high:
            self.error(key, f"{value} is out of range ({low:g} to {high:g})")
            return None
        return float(value)

    def flag(self, key: str) -> bool | None:
        value = self.value(key, False)
        if value is MISSING:
            return None
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, not {type_name(value)}")
            return None
        return value

    def local_time(self, key: str, tz: ZoneInfo) -> datetime | None:
        """A TOML local date-time, read in the forum's zone, as an aware UTC instant."""
        value = self.value(key, True)
        if value is MISSING:
            return None
        if not isinstance(value, datetime):
            self.error(
                key, f"must be a local date-time like 2023-09-14T10:00:00, not {type_name(value)}"
            )
            return None
        if value.tzinfo is not None:
            self.error(
                key,
                "must be a local date-time without an offset: "
                "times are local to the forum's timezone",
            )
            return None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            self.error(key, f"year {value.year} is out of range ({MIN_YEAR}-{MAX_YEAR})")
            return None
        local = value.replace(tzinfo=tz)
        instant = local.astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) != value:
            # zoneinfo would move it silently by the size of the gap.
            self.error(
                key,
                f"{value.isoformat()} does not exist in {tz.key}: the clocks jump over it",
            )
            return None
        # A time that happens twice (the clocks go back) is the first of the two (fold=0).
        return instant

    def localized(self, key: str, *, required: bool = False) -> Localized | None:
        value = self.value(key, required)
        if value is MISSING:
            return None
        if isinstance(value, str):
            if blank(value):
                self.error(key, "must not be empty")
                return None
            return Localized.plain(value) if self.fits(key, value) else None
        if not isinstance(value, dict):
            self.error(key, f"must be a string or a table of languages, not {type_name(value)}")
            return None
        ok = bool(value)
        if not value:
            self.error(key, f"must not be empty (give at least one of {', '.join(LANGUAGES)})")
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.error(key, f"unknown language {lang!r} (allowed: {', '.join(LANGUAGES)})")
                ok = False
            elif not isinstance(text, str):
                self.error(key, f"text for {lang!r} must be a string, not {type_name(text)}")
                ok = False
            elif blank(text):
                self.error(key, f"text for {lang!r} must not be empty")
                ok = False
            elif not self.fits(key, text, lang):
                ok = False
        return Localized(value) if ok else None


def blank(text: str) -> bool:
    """Nothing a person would see: spaces, and invisible format characters (zero-width
    spaces and joiners, byte order marks, direction marks), which ``str.strip`` keeps."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, datetime):
        return "a date-time with an offset" if value.tzinfo else "a local date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    names = {
        str: "a string",
        int: "an integer",
        float: "a float",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def array_of_tables(
    errors: list[str], filename: str, doc: dict[str, Any], key: str
) -> list[dict[str, Any]]:
    """The ``[[key]]`` array of tables, reporting anything that is not one."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        errors.append(
            f'{filename}: top level: field "{key}": must be an array of tables '
            f"written [[{key}]], not {type_name(value)}"
        )
        return []
    tables = []
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            tables.append(item)
        else:
            errors.append(
                f'{filename}: top level: field "{key}": entry #{number} must be '
                f"a table, not {type_name(item)}"
            )
    return tables
