"""When an uploaded forum file is imported at once, and when the organiser confirms first.

A valid file can still be the wrong one (only ``[forum]``, last year's, a colleague's
draft): it would cancel events and lock delegates out in one go. Removing delegates, or
more than a few events, is shown first and done on the organiser's yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schedule.model import ImportReport

FEW_EVENTS = 3  # removing up to this many events is an ordinary edit
CONFIRM_WITHIN = timedelta(minutes=30)


def needs_confirmation(report: ImportReport) -> bool:
    """Whether an import that would do ``report`` waits for the organiser's yes."""
    return report.delegates_removed > 0 or len(report.removed) > FEW_EVENTS


def confirmation_expired(created_at: datetime, now: datetime) -> bool:
    """A preview older than this no longer says what the import would do."""
    return now - created_at > CONFIRM_WITHIN


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """An upload that waits for the organiser's yes: what it would do, and the token of
    the confirmation button."""

    token: str
    filename: str
    report: ImportReport
