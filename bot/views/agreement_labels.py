"""Names of agreement kinds and statuses, of roles and of what became of an event, in the
reader's language. ``_`` is handed in (aiogram's gettext in a chat, a catalogue's for a
file), so the report builders use them without aiogram."""

from __future__ import annotations

from collections.abc import Callable

Translate = Callable[[str], str]

STATUS_MARKS = {"planned": "⏳", "ready": "📝", "signed": "✅", "postponed": "⏸", "cancelled": "❌"}


def kind_label(kind: str, _: Translate) -> str:
    labels = {
        "memorandum": _("Memorandum of understanding"),
        "agreement": _("Agreement"),
        "contract": _("Contract"),
        "protocol": _("Protocol"),
        "other": _("Document"),
    }
    return labels.get(kind, labels["other"])


def status_label(status: str, _: Translate) -> str:
    labels = {
        "planned": _("Planned"),
        "ready": _("Ready to sign"),
        "signed": _("Signed"),
        "postponed": _("Postponed"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(status, status)


def role_label(role: str, _: Translate) -> str:
    labels = {
        "head": _("Head of delegation"),
        "member": _("Member"),
        "protocol": _("Protocol officer"),
        "interpreter": _("Interpreter"),
        "staff": _("Staff"),
    }
    return labels.get(role, role)


def outcome_label(outcome: str, _: Translate) -> str:
    labels = {
        "held": _("Held"),
        "under way": _("Under way"),
        "upcoming": _("Upcoming"),
        "cancelled": _("Cancelled"),
    }
    return labels.get(outcome, outcome)
