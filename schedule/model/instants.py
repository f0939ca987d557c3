"""The instant codec: aware datetimes as sortable UTC text and back."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime, *, micro: bool = False) -> str:
    """An aware instant as sortable UTC text: to the second for keys (reminders, notices),
    to the microsecond in the database."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no instant")
    return moment.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ"
    )


def parse_utc(text: str) -> datetime:
    """:func:`utc_text` read back, as an aware UTC instant."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
