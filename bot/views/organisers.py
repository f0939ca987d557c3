"""What organisers read after /move, /cancel, /import and /log: (text, markup) out."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views import logistics as logistics_views
from bot.views import programme as views
from bot.views.callbacks import EventCancelCb, ImportCb
from bot.views.keyboard import Keyboard
from bot.views.texts import bold, clip, current_locale, day_label, esc, fmt, hhmm, split_message
from schedule.forum_fields import MAX_YEAR, MIN_YEAR
from schedule.imports import ImportPreview
from schedule.model import Event, Forum, ImportReport, LogEntry, Transport
from schedule.moves import MoveError

# Ids and names listed in one answer; the rest are counted (5,000 would be 60 messages).
LISTED = 40
LISTED_CHARACTERS = 1200
PROBLEMS_SHOWN = 30


def when(event: Event, forum: Forum) -> str:
    tz = forum.timezone
    return f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}–{hhmm(event.ends, tz)}"


def move_usage() -> str:
    return "\n".join(
        [
            esc(_("Usage: /move EVENT_ID HH:MM or /move EVENT_ID YYYY-MM-DD HH:MM")),
            esc(_("A transport id moves that departure the same way.")),
        ]
    )


def cancel_usage() -> str:
    return esc(
        _(
            "Usage: /cancel EVENT_ID cancels an event. While preparing a broadcast, "
            "/cancel alone stops it."
        )
    )


def no_such_event(event_id: str) -> str:
    return fmt(_("There is no event {id}."), id=clip(event_id))


def move_problem(error: MoveError) -> str:
    if error.problem == "range":
        return fmt(
            _("Give a date between the years {first} and {last}."), first=MIN_YEAR, last=MAX_YEAR
        )
    return esc(
        {
            "format": _("Write the new time as HH:MM (same day) or YYYY-MM-DD HH:MM, forum time."),
            "date": _("There is no such date."),
            "time": _("There is no such time."),
            "past": _("The new time is in the past."),
            "inactive": _("This event is cancelled or removed: it cannot be moved."),
            "same": _("The event already starts at that time."),
        }[error.problem]
    )


def _name(item: Event | Transport, forum: Forum) -> str:
    """An event's title or a departure's route, plain text."""
    if isinstance(item, Transport):
        return logistics_views.calendar_title(item, forum)
    return item.title.get(current_locale())


def moved(before: Event | Transport, after: Event | Transport, forum: Forum) -> str:
    if isinstance(after, Transport):
        tz = forum.timezone
        return fmt(
            _("Moved: {name}, now leaves {when} ({city} time). Those concerned are being told."),
            name=_name(before, forum),
            when=f"{day_label(after.departs, tz)}, {hhmm(after.departs, tz)}",
            city=forum.city,
        )
    assert isinstance(before, Event)
    return fmt(
        _("Moved: {title}, now {when} ({city} time). Those concerned are being told."),
        title=before.title.get(current_locale()),
        when=when(after, forum),
        city=forum.city,
    )


def already_cancelled(event: Event | Transport, forum: Forum) -> str:
    return fmt(_("{title} is already cancelled."), title=_name(event, forum))


def cancel_keyboard(event_id: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text="❌ " + _("Cancel the event"), callback_data=EventCancelCb(event=event_id))
    keyboard.button(text=_("Keep it"), callback_data=EventCancelCb(event=event_id, keep=1))
    return keyboard.adjust(2).as_markup()


def cancel_question(event: Event | Transport, forum: Forum) -> tuple[str, InlineKeyboardMarkup]:
    if isinstance(event, Transport):
        text = (
            logistics_views.departure_card(event, forum, with_day=True)
            + "\n\n"
            + bold(esc(_("Cancel this departure? Everyone it takes will be told.")))
        )
        return text, cancel_keyboard(event.id)
    text = (
        views.card_text(event, forum)
        + "\n\n"
        + bold(esc(_("Cancel this event? Everyone concerned will be told.")))
    )
    return text, cancel_keyboard(event.id)


def kept() -> str:
    return esc(_("The event is kept as it is."))


def cancelled(event: Event | Transport, forum: Forum) -> str:
    return fmt(
        _("Cancelled: {title}. Those concerned are being told."), title=_name(event, forum)
    )


def import_how() -> str:
    return esc(_("Attach the forum file (.toml) as a document, with /import as its caption."))


def import_too_large() -> str:
    return esc(_("This file is too large to be a forum file."))


def import_not_handed_over() -> str:
    return esc(_("Telegram did not hand over the file. Please send it again. Nothing was changed."))


def import_not_utf8() -> str:
    return esc(_("The file is not UTF-8 text. Nothing was changed."))


def import_refused(problems: Sequence[str]) -> list[str]:
    """The first problems of a refused file, and how many more: fixing those is the next
    step, and 5,000 problems were 626 messages."""
    body = bold(esc(_("The file was not imported; nothing was changed."))) + "\n\n"
    body += "\n".join("• " + esc(clip(p, 300)) for p in problems[:PROBLEMS_SHOWN])
    rest = len(problems) - PROBLEMS_SHOWN
    if rest > 0:
        body += "\n\n" + fmt(
            ngettext(
                "… and {count} more problem. {command} lists them all.",
                "… and {count} more problems. {command} lists them all.",
                rest,
            ),
            count=rest,
            command="python -m bot import FILE",
        )
    return split_message(body)


def _listed(names: Sequence[str], limit: int = LISTED, budget: int = LISTED_CHARACTERS) -> str:
    """Names, comma-separated, as many as fit ``limit`` and ``budget`` characters, and how
    many more (escaped): one answer however many there are."""
    shown: list[str] = []
    used = 0
    for name in names[:limit]:
        piece = esc(clip(name, 100))
        if shown and used + len(piece) > budget:
            break
        shown.append(piece)
        used += len(piece) + 2
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += " " + fmt(_("and {count} more"), count=len(names) - len(shown))
    return text


def _delegates_line(report: ImportReport) -> str:
    return fmt(
        _("Delegates: {added} added, {changed} changed, {removed} removed."),
        added=report.delegates_added,
        changed=report.delegates_changed,
        removed=report.delegates_removed,
    )


def imported(filename: str, report: ImportReport) -> list[str]:
    moved_ids = [c.after.id for c in report.changed if c.after.id not in report.removed]
    lines = [
        fmt(
            _("Imported {file}: {added} added, {changed} changed, {removed} removed."),
            file=filename,
            added=len(report.added),
            changed=len(moved_ids),
            removed=len(report.removed),
        ),
        _delegates_line(report),
    ]
    for label, ids in (
        (_("Added"), report.added),
        (_("Changed"), moved_ids),
        (_("Removed"), report.removed),
        (_("Delegates removed"), report.removed_delegates),
    ):
        if ids:
            lines.append(bold(esc(label)) + ": " + _listed(ids))
    rides = report.transports
    if rides.added or rides.changed:
        lines.append(
            fmt(
                _("Transport: {added} added, {changed} changed, {removed} removed."),
                added=len(rides.added),
                changed=len(rides.changed) - len(rides.removed),
                removed=len(rides.removed),
            )
        )
    return split_message("\n\n".join(lines))


def import_preview(preview: ImportPreview) -> tuple[str, InlineKeyboardMarkup]:
    """What a file that removes people or many events would do, and the two buttons."""
    report = preview.report
    lang = current_locale()
    titles = {c.before.id: c.before.title.get(lang) for c in report.changed}
    removed_events = [f"{clip(titles.get(i, i), 60)} ({i})" for i in report.removed]
    moved = len(report.changed) - len(report.removed)
    headline = fmt(
        _("{file} would remove {delegates} delegates and {events} events."),
        file=preview.filename,
        delegates=report.delegates_removed,
        events=len(report.removed),
    )
    lines = [
        "⚠️ " + bold(headline),
        esc(
            _(
                "Removed delegates no longer see the programme; the audiences of removed "
                "events are told they are cancelled."
            )
        ),
    ]
    if report.removed_delegates:
        lines.append(bold(esc(_("Delegates removed"))) + ": " + _listed(report.removed_delegates))
    if removed_events:
        lines.append(bold(esc(_("Events removed"))) + ": " + _listed(removed_events))
    lines.append(
        fmt(
            _("It would also add {added} events and change {changed}; delegates: "
              "{new} added, {edited} changed."),
            added=len(report.added), changed=moved,
            new=report.delegates_added, edited=report.delegates_changed,
        )
    )  # fmt: skip
    lines.append(bold(esc(_("Import this file?"))))
    keyboard = Keyboard()
    keyboard.button(text="✅ " + _("Import it"), callback_data=ImportCb(token=preview.token, go=1))
    keyboard.button(text=_("Keep the programme"), callback_data=ImportCb(token=preview.token, go=0))
    return "\n\n".join(lines), keyboard.adjust(2).as_markup()


def import_kept() -> str:
    return esc(_("The programme is kept as it is; the file was not imported."))


def log_lines(entries: Sequence[tuple[LogEntry, str | None]], tz: ZoneInfo) -> list[str]:
    if not entries:
        return [esc(_("No organiser actions yet."))]
    lines = [bold(esc(_("The last organiser actions")))]
    for entry, name in entries:
        who = str(entry.organiser_id)
        if name is not None:
            # Organisers who are also delegates are shown by name; the others by Telegram id.
            who = f"{esc(name)} ({entry.organiser_id})"
        at = entry.at.astimezone(tz).strftime("%d.%m %H:%M")
        lines.append(f"{esc(at)} · {who} · {bold(esc(entry.action))} {esc(entry.detail)}")
    return split_message("\n\n".join(lines))


def button_gone() -> str:
    return _("This button is no longer valid.")
