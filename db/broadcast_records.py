"""What a broadcast is, as the engine and the views pass it around: the content (and its
JSON form in the table), the broadcast, a recipient, the counts.

:mod:`db.broadcasts` stores and reads them, and re-exports these names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ContentKind = Literal["text", "photo", "document"]
RecipientStatus = Literal["pending", "sending", "sent", "blocked", "failed", "interrupted"]
FINAL_STATUSES: tuple[RecipientStatus, ...] = ("sent", "blocked", "failed", "interrupted")


@dataclass(frozen=True, slots=True)
class Content:
    """What the organiser sent: Telegram HTML (text or caption) and the file for media.

    ``reminder_of`` marks a reminder of an earlier broadcast: its "Received" button confirms
    the original.
    """

    kind: ContentKind
    html: str
    file_id: str | None = None
    reminder_of: int | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"kind": self.kind, "html": self.html}
        if self.file_id is not None:
            data["file_id"] = self.file_id
        if self.reminder_of is not None:
            data["reminder_of"] = self.reminder_of
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Content:
        data = json.loads(text)
        return cls(data["kind"], data.get("html", ""), data.get("file_id"), data.get("reminder_of"))


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    organiser_id: int
    audience: str | None  # group id; None = everyone
    content: Content
    confirm: bool
    status: Literal["sending", "done"]
    chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def confirms(self) -> int:
        """The broadcast whose confirmations this one's "Received" button records."""
        return self.content.reminder_of or self.id


@dataclass(frozen=True, slots=True)
class Recipient:
    delegate_id: int
    name: str
    telegram_id: int | None
    language: str | None
    status: RecipientStatus
    error: str | None
    message_id: int | None
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Counts:
    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    interrupted: int = 0
    confirmed: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.interrupted
