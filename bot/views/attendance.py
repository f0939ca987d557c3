"""How attendance looks in a chat: check-in replies, refusals, the organisers' roll-call.

Texts for messages are HTML (every outside value escaped); texts for callback answers
(toasts and alerts) are plain, so they are filled with ``str.format`` and not escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views.texts import (
    bold,
    clip,
    current_locale,
    day_label,
    esc,
    fmt,
    hhmm,
    italic,
    pack_lines,
    utf16_len,
)
from schedule.attendance import (
    CHECK_IN_OPENS,
    AttendanceRecord,
    Refusal,
    RollCall,
    RollCallEntry,
)
from schedule.model import Event, Forum

ALERT_LIMIT = 200  # Telegram refuses a callback answer longer than this (UTF-16 units)


def fit_alert(template: str, /, **values: str) -> str:
    """Fill a plain toast or alert, shortening its longest value (a title, a name) so the
    whole fits Telegram's limit: a longer answer is refused, and the press looks failed."""
    text = template.format(**values)
    if utf16_len(text) <= ALERT_LIMIT or not values:
        return text
    key = max(values, key=lambda k: len(values[k]))
    value = values[key]
    while value:
        value = value[:-1].rstrip()
        text = template.format(**{**values, key: value + "…"})
        if utf16_len(text) <= ALERT_LIMIT:
            return text
    return text[:ALERT_LIMIT]  # only a translation longer than the limit gets here


def plain_title(event: Event) -> str:
    """The title in the reader's language, not escaped (escape it or use it in a toast)."""
    return event.title.get(current_locale())


def checked_in_text(event: Event, forum: Forum, at: datetime, *, new: bool) -> str:
    time = hhmm(at, forum.timezone)
    if new:
        return "✅ " + fmt(
            _("You are checked in to {title} at {time}."), title=plain_title(event), time=time
        )
    return "☑️ " + fmt(
        _("You were already checked in to {title} at {time}. Nothing more to do, thank you!"),
        title=plain_title(event),
        time=time,
    )


RSVP_CHOSEN = " ✓"


def rsvp_label(label: str, *, chosen: bool) -> str:
    """An RSVP button's text, marked when it is the delegate's current answer."""
    base = label.removesuffix(RSVP_CHOSEN)
    return base + RSVP_CHOSEN if chosen else base


def card_status(record: AttendanceRecord | None, forum: Forum) -> str:
    """The delegate's check-in, for the event card ("" when not present). Their answer is
    shown on the RSVP buttons, which are redrawn when it changes; a line of text would
    go stale on the same card."""
    since = record.present_since if record is not None else None
    if since is None:
        return ""
    return "✅ " + fmt(_("You are checked in ({time})."), time=hhmm(since, forum.timezone))


def nothing_open_text(forum: Forum, upcoming: Event | None) -> str:
    text = esc(_("No event is open for check-in now."))
    if upcoming is None:
        return text + "\n" + esc(_("Nothing more in the programme for you."))
    tz = forum.timezone
    return (
        text
        + "\n"
        + fmt(
            _("Next: {title}, {day} at {time}; check-in opens at {opens}."),
            title=plain_title(upcoming),
            day=day_label(upcoming.starts, tz),
            time=hhmm(upcoming.starts, tz),
            opens=hhmm(upcoming.starts - CHECK_IN_OPENS, tz),
        )
    )


def choose_event_text() -> str:
    return esc(_("More than one event is open for check-in. Which one are you at?"))


def check_in_refusal_alert(
    refusal: Refusal, event: Event | None, forum: Forum, now: datetime
) -> str:
    """Plain text for a callback alert."""
    if refusal == "unknown" or event is None:
        return _("This event is no longer in the programme. Nothing was recorded.")
    if refusal == "audience":
        return _("This event is not in your programme, so you cannot check in to it.")
    if now < event.starts - CHECK_IN_OPENS:
        return fit_alert(
            _("Check-in for {title} opens at {time}. Nothing was recorded."),
            title=plain_title(event),
            time=hhmm(event.starts - CHECK_IN_OPENS, forum.timezone),
        )
    return fit_alert(
        _("{title} has ended; check-in is closed. Nothing was recorded."),
        title=plain_title(event),
    )


def rsvp_refusal_alert(refusal: Refusal, event: Event | None) -> str:
    if refusal == "unknown" or event is None:
        return _("This event is no longer in the programme. Nothing was recorded.")
    if refusal == "audience":
        return _("This event is not in your programme.")
    return fit_alert(
        _("{title} has already started; the answer can no longer be changed."),
        title=plain_title(event),
    )


def rsvp_toast(event: Event, answer: str) -> str:
    if answer == "yes":
        template = _("Noted: you will attend {title}. You can change this until it starts.")
    else:
        template = _("Noted: you cannot attend {title}. You can change this until it starts.")
    return fit_alert(template, title=plain_title(event))


def mark_toast(name: str, *, present: bool) -> str:
    template = _("{name} marked present.") if present else _("{name} marked absent.")
    return fit_alert(template, name=name)


def counts_line(call: RollCall) -> str:
    counts = call.counts
    return fmt(
        _("Present: {present} · Expected: {expected} · Declined: {declined} · No answer: {none}"),
        present=counts["present"],
        expected=counts["expected"],
        declined=counts["declined"],
        none=counts["no_answer"],
    )


def _entry_line(entry: RollCallEntry, forum: Forum) -> str:
    line = "• " + esc(entry.delegate.name)
    if entry.delegate.position:
        line += " — " + esc(entry.delegate.position)
    since = entry.present_since
    record = entry.record
    if since is not None:
        line += ", " + esc(hhmm(since, forum.timezone))
        if record is not None and record.present and record.marked_by is not None:
            line += " " + italic(fmt(_("(marked by organiser {who})"), who=record.marked_by))
    elif entry.marked_absent and record is not None:
        line += " " + italic(
            fmt(_("(marked absent by organiser {who})"), who=record.marked_by or "")
        )
    return line


def roll_call_text(call: RollCall, forum: Forum) -> list[str]:
    """The roll-call as messages, each under Telegram's limit, cut between lines."""
    event = call.event
    tz = forum.timezone
    header = [
        bold(fmt(_("Roll-call: {title}"), title=plain_title(event))),
        esc(f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}–{hhmm(event.ends, tz)}"),
        counts_line(call),
    ]
    sections = [
        (_("Present ({count})"), call.present),
        (_("Said they will attend, not here yet ({count})"), call.expected),
        (_("Declined ({count})"), call.declined),
        (_("No answer ({count})"), call.no_answer),
    ]
    lines = [*header]
    for heading, entries in sections:
        lines.append("")
        lines.append(bold(fmt(heading, count=len(entries))))
        lines.extend(_entry_line(e, forum) for e in entries)
    return pack_lines(lines)


def marking_text(call: RollCall, page: int, pages: int) -> str:
    text = bold(fmt(_("Mark attendance: {title}"), title=plain_title(call.event)))
    text += "\n" + counts_line(call)
    text += "\n" + esc(_("Tap a name to mark them present (✅) or absent."))
    if pages > 1:
        text += "\n" + fmt(_("Page {page} of {pages}"), page=page, pages=pages)
    return text


def not_a_delegate() -> str:
    """Plain (a toast); escape it for a message."""
    return _("Only delegates on the delegation list can answer or check in.")


def button_gone() -> str:
    return _("This button is no longer valid.")


def organisers_only() -> str:
    return _("This is for the organisers only.")


def not_in_audience() -> str:
    return _("This delegate is not in the event's audience.")


def unknown_event(event_id: str, command: str) -> str:
    return (
        fmt(_("There is no event with the id {id}."), id=clip(event_id))
        + "\n"
        + fmt(_("Send /{command} without an id to choose one."), command=command)
    )


def no_events() -> str:
    return esc(_("There are no events in the programme."))


def which_roll_call() -> str:
    return esc(_("Which event's roll-call? Or send /attendance EVENT_ID."))


def export_caption(calls: Sequence[RollCall]) -> str:
    return fmt(
        ngettext(
            "Attendance: {events} event, {rows} rows.",
            "Attendance: {events} events, {rows} rows.",
            len(calls),
        ),
        events=len(calls),
        rows=sum(len(c.entries) for c in calls),
    )


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "event"


def export_filename(event_id: str | None, now: datetime, forum: Forum) -> str:
    stamp = now.astimezone(forum.timezone).strftime("%Y%m%d-%H%M")
    if event_id:
        return f"attendance-{_file_part(event_id)}-{stamp}.csv"
    return f"attendance-{stamp}.csv"
