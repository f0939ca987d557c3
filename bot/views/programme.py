"""How the programme looks in a chat: day lists, event cards, protocol notes.

Shared by the handlers and by the notices the bot sends on its own (reminders, briefings).
Every value from the forum file goes through :func:`bot.views.texts.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.views import agreements
from bot.views.logistics import departure_line, event_transport_lines
from bot.views.texts import (
    MESSAGE_LIMIT,
    bold,
    current_locale,
    day_label,
    duration,
    esc,
    fmt,
    hhmm,
    italic,
)
from schedule.model import Delegate, Event, Forum, Transport
from schedule.rules import seated_by
from schedule.transport import merged_agenda


def kind_label(kind: str) -> str:
    labels = {
        "signing": _("Signing ceremony"),
        "lecture": _("Lecture"),
        "visit": _("Visit"),
        "plenary": _("Plenary session"),
        "meeting": _("Meeting"),
        "other": _("Event"),
    }
    return labels.get(kind, labels["other"])


def title(event: Event, lang: str | None = None) -> str:
    """The event's title in the reader's language, escaped."""
    return esc(event.title.get(lang or current_locale()))


def venue_line(event: Event, forum: Forum) -> str | None:
    venue = forum.venue(event.venue)
    if venue is None:
        return None
    return esc(venue.name) + (f", {esc(venue.address)}" if venue.address else "")


def audience_line(event: Event, forum: Forum) -> str:
    if event.audience is None:
        return esc(_("Whole delegation"))
    names = [g.name if (g := forum.group(gid)) else gid for gid in event.audience]
    return esc(", ".join(names))


def event_line(event: Event, forum: Forum) -> str:
    """One line of a day's programme: time, title, venue."""
    tz = forum.timezone
    line = f"{bold(hhmm(event.starts, tz) + '–' + hhmm(event.ends, tz))}  {title(event)}"
    venue = forum.venue(event.venue)
    if venue is not None:
        line += f"\n      📍 {esc(venue.name)}"
    if event.status == "cancelled":
        cancelled = _("(cancelled)")
        line = f"<s>{line}</s> {esc(cancelled)}"
    return line


def protocol_lines(event: Event, forum: Forum, now: datetime | None = None) -> list[str]:
    """Dress, be seated by, what to bring: what delegates must not get wrong.

    With ``now`` (a reminder, /next), a seating time already past says so plainly rather
    than naming a time the delegate can no longer keep."""
    lines: list[str] = []
    lang = current_locale()
    if event.dress:
        lines.append("👔 " + fmt(_("Dress: {dress}"), dress=event.dress))
    seated = seated_by(event)
    if seated is not None and now is not None and seated <= now < event.starts:
        lines.append("🪑 " + esc(_("Please take your seat now")))
    elif seated is not None:
        lines.append("🪑 " + fmt(_("Be seated by {time}"), time=hhmm(seated, forum.timezone)))
    if event.bring is not None:
        lines.append("📎 " + fmt(_("Bring: {items}"), items=event.bring.get(lang)))
    return lines


def day_text(
    forum: Forum,
    day: date,
    events: list[Event],
    *,
    shown_instead_of: date | None,
    departures: Sequence[Transport] = (),
) -> str:
    """A day's programme, departures among the events in time order; says so when it shows
    the nearest forum day instead of today."""
    header = bold(esc(day_label(day)))
    parts = [f"🗓 {header}"]
    if shown_instead_of is not None:
        parts.append(italic(esc(_("There are no events today; this is the nearest forum day."))))
    if events or departures:
        parts.extend(agenda_lines(forum, events, departures))
    else:
        parts.append(esc(_("Nothing on this day concerns you.")))
    parts.append(italic(fmt(_("Times are {city} time."), city=forum.city)))
    return "\n\n".join(parts)


def agenda_lines(
    forum: Forum, events: Sequence[Event], departures: Sequence[Transport]
) -> list[str]:
    """Events and departures, one line each, in time order."""
    return [
        event_line(i.event, forum) if i.event else departure_line(i.transport, forum)  # type: ignore[arg-type]
        for i in merged_agenda(events, departures)
    ]


def card_text(
    event: Event,
    forum: Forum,
    signatories: Mapping[str, Delegate] | None = None,
    transports: Sequence[Transport] = (),
) -> str:
    """The full card of one event, with the agreements signed at it and the transport that
    takes the reader there."""
    tz = forum.timezone
    lines = [bold(title(event)), italic(esc(kind_label(event.kind)))]
    if event.status == "cancelled":
        lines.append("❌ " + bold(esc(_("Cancelled"))))
    when = f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}–{hhmm(event.ends, tz)}"
    lines.append("🕘 " + esc(when))
    venue = venue_line(event, forum)
    if venue:
        lines.append("📍 " + venue)
    if event.speaker:
        lines.append("🎤 " + esc(event.speaker))
    lines.append("👥 " + audience_line(event, forum))
    if event.description is not None:
        lines.append("\n" + esc(event.description.get(current_locale())))
    protocol = protocol_lines(event, forum)
    if protocol:
        lines.append("\n" + bold(esc(_("Protocol"))))
        lines.extend(protocol)
    lines.extend(agreements.event_block(event, forum, signatories or {}))
    if transports:
        lines.append("\n" + bold(esc(_("Getting there"))))
        lines.extend(event_transport_lines(transports, forum))
    return "\n".join(lines)


def next_text(event: Event, forum: Forum, now: datetime) -> str:
    tz = forum.timezone
    lines = [
        bold(esc(_("Next for you"))),
        f"{bold(title(event))}",
        "🕘 " + esc(f"{day_label(event.starts, tz)}, {hhmm(event.starts, tz)}"),
        "⏳ " + fmt(_("Starts in {duration}"), duration=duration(event.starts - now)),
    ]
    venue = venue_line(event, forum)
    if venue:
        lines.append("📍 " + venue)
    lines.extend(protocol_lines(event, forum, now))
    return "\n".join(lines)


# /my in a few messages however long the forum: the rest is counted, /schedule shows it.
AGENDA_PARTS = 3


def agenda_parts(blocks: Sequence[tuple[str, bool]]) -> list[str]:
    """The agenda's blocks (text, whether it is an event), joined by blank lines into at
    most :data:`AGENDA_PARTS` messages; the events that do not fit are counted at the end
    of the last one."""
    pieces: list[list[tuple[str, bool]]] = [[]]
    size = 0
    hidden: list[tuple[str, bool]] = []
    for number, block in enumerate(blocks):
        grow = len(block[0]) + (2 if pieces[-1] else 0)
        if pieces[-1] and size + grow > MESSAGE_LIMIT:
            if len(pieces) == AGENDA_PARTS:
                hidden = list(blocks[number:])
                break
            pieces.append([])
            size, grow = 0, len(block[0])
        pieces[-1].append(block)
        size += grow
    if hidden:
        last = pieces[-1]
        while True:
            count = sum(is_event for _text, is_event in hidden)
            more = italic(
                fmt(
                    ngettext(
                        "… and {count} more event: /schedule shows each day.",
                        "… and {count} more events: /schedule shows each day.",
                        count,
                    ),
                    count=count,
                )
            )
            used = sum(len(text) + 2 for text, _flag in last)
            if used + len(more) <= MESSAGE_LIMIT or len(last) == 1:
                break
            hidden.insert(0, last.pop())
        last.append((more, False))
    return ["\n\n".join(text for text, _flag in piece) for piece in pieces]
