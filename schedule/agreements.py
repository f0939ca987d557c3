"""The rules of the agreements: who sees which, how a status may change, and the photos of
a signing (what a re-import keeps is :meth:`schedule.model.AgreementState.reimported`).

Plain functions over the model; the clock and the time zone are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from schedule.model import Agreement, AgreementStatus, Delegate, Event, Forum
from schedule.rules import Viewer, in_audience

# What an organiser may set in the bot; "planned" comes from the file only.
SETTABLE_STATUSES: tuple[AgreementStatus, ...] = ("ready", "signed", "postponed", "cancelled")
_ALLOWED: Mapping[str, frozenset[str]] = {
    "planned": frozenset({"ready", "signed", "postponed", "cancelled"}),
    "ready": frozenset({"signed", "postponed", "cancelled"}),
    "postponed": frozenset({"ready", "signed", "cancelled"}),
    # A cancelled agreement is reinstated before it can be signed.
    "cancelled": frozenset({"ready", "postponed"}),
    # Signed is final but for a mistaken mark, which goes back to "ready".
    "signed": frozenset({"ready"}),
}
MAX_PHOTOS = 10

StatusRefusal = Literal["unknown", "same", "not_allowed"]


def allowed_statuses(current: str) -> tuple[AgreementStatus, ...]:
    """The statuses an organiser may set from ``current``, in the buttons' order."""
    allowed = _ALLOWED.get(current, frozenset())
    return tuple(s for s in SETTABLE_STATUSES if s in allowed)


def status_refusal(current: str, new: str) -> StatusRefusal | None:
    """Why ``current`` may not become ``new``; None when it may."""
    if new not in SETTABLE_STATUSES:
        return "unknown"
    if new == current:
        return "same"
    if new not in _ALLOWED.get(current, frozenset()):
        return "not_allowed"
    return None


def needs_confirmation(current: str, new: str) -> bool:
    """Signing and cancelling are asked twice, and so is undoing a signature: each tells
    people or loses a record."""
    return new in ("signed", "cancelled") or current == "signed"


def is_signatory(agreement: Agreement, code: str | None) -> bool:
    return code is not None and code in agreement.signatories


def sees_agreement(
    agreement: Agreement, event: Event | None, viewer: Viewer, code: str | None
) -> bool:
    """Organisers see every agreement; a delegate sees those whose signing event is in their
    agenda (active, and for their group) and those they sign themselves."""
    if viewer.organiser or is_signatory(agreement, code):
        return True
    return event is not None and event.is_active and in_audience(event, viewer.group)


def visible_agreements(
    agreements: Iterable[Agreement],
    events: Mapping[str, Event],
    viewer: Viewer,
    code: str | None,
) -> list[Agreement]:
    """The agreements ``viewer`` sees (see :func:`sees_agreement`), in the given order."""
    return [
        a
        for a in agreements
        if sees_agreement(a, events.get(a.event) if a.event else None, viewer, code)
    ]


def signed_at_event(agreements: Iterable[Agreement], event_id: str) -> list[Agreement]:
    """The agreements signed at the event ``event_id`` (shown on its card)."""
    return [a for a in agreements if a.event == event_id]


def signed_on(agreement: Agreement, event: Event | None, tz: ZoneInfo) -> date | None:
    """The forum-local date an agreement was signed: when it was marked, else (signed by the
    file) the day of its signing event; None while it is not signed."""
    if agreement.status != "signed":
        return None
    if agreement.signed_at is not None:
        return agreement.signed_at.astimezone(tz).date()
    if event is not None:
        return event.starts.astimezone(tz).date()
    return None


@dataclass(frozen=True, slots=True)
class AgreementCard:
    """An agreement as its card shows it: the signing event, the signatories by code,
    how many photos it has, and who marked it signed (a name, else a Telegram id)."""

    forum: Forum
    agreement: Agreement
    event: Event | None
    signatories: Mapping[str, Delegate]  # by personal code
    photos: int
    marked_by: str | None  # who marked it signed: a name, else a Telegram id


PhotoRefusal = Literal["full", "duplicate"]


def photo_refusal(file_unique_id: str, stored: Sequence[str]) -> PhotoRefusal | None:
    """Why a photo cannot be attached to an agreement that has the ``stored`` ones (their
    ``file_unique_id``): the same photo is kept once, and ten are enough for a report."""
    if file_unique_id in stored:
        return "duplicate"
    if len(stored) >= MAX_PHOTOS:
        return "full"
    return None


def our_parties(
    agreement: Agreement, forum: Forum, signatories: Mapping[str, Delegate]
) -> tuple[str, ...]:
    """The institutions signing for the delegation: the groups of its signatories, else the
    delegation's only group; empty when neither says."""
    names: list[str] = []
    for code in agreement.signatories:
        person = signatories.get(code)
        group = forum.group(person.group) if person is not None else None
        if group is not None and group.name not in names:
            names.append(group.name)
    if not names and len(forum.groups) == 1:
        names.append(forum.groups[0].name)
    return tuple(names)


def our_signers(agreement: Agreement, signatories: Mapping[str, Delegate]) -> tuple[str, ...]:
    """Who signs for the delegation, "name, position" (a code nobody holds any more as
    written in the file)."""
    names = []
    for code in agreement.signatories:
        person = signatories.get(code)
        if person is None:
            names.append(code)
        else:
            names.append(f"{person.name}, {person.position}" if person.position else person.name)
    return tuple(names)


def signer_names(agreement: Agreement, signatories: Mapping[str, Delegate]) -> tuple[str, ...]:
    """Who signs: ours first (see :func:`our_signers`), then the partner's."""
    return (*our_signers(agreement, signatories), *agreement.partner_signatories)


@dataclass(frozen=True, slots=True)
class SigningFacts:
    """What the news of a signing says: who signed what, where and when (forum-local)."""

    agreement: Agreement
    day: date
    city: str
    ours: tuple[str, ...]  # the institutions signing for the delegation
    signers: tuple[str, ...]  # see signer_names


def signing_facts(
    agreement: Agreement,
    forum: Forum,
    signatories: Mapping[str, Delegate],
    now: datetime,
) -> SigningFacts:
    """The facts of a signing; the day is the day it was signed, else today (forum time)."""
    event = next((e for e in forum.events if e.id == agreement.event), None)
    day = signed_on(agreement, event, forum.timezone) or now.astimezone(forum.timezone).date()
    return SigningFacts(
        agreement=agreement,
        day=day,
        city=forum.city,
        ours=our_parties(agreement, forum, signatories),
        signers=signer_names(agreement, signatories),
    )
