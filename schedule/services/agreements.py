"""The agreements' use-cases: the list and a card for whoever may see them, an organiser
setting a status (the log line and the signatories' notice inside), attaching a photo,
and the data of the visit report.

Telegram stays outside: telling the signatories and fetching a photo are calls through the
small interfaces below, which ``bot/delivery`` and the handlers implement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from db import agreements as store
from db import attendance, delegates
from db.connection import Database
from schedule.agreements import (
    MAX_PHOTOS,
    AgreementCard,
    SigningFacts,
    StatusRefusal,
    needs_confirmation,
    photo_refusal,
    sees_agreement,
    signing_facts,
    status_refusal,
    visible_agreements,
)
from schedule.model import Agreement, AgreementPhoto, AgreementStatus, Delegate, Forum
from schedule.rules import Viewer
from schedule.services.programme import Programme
from schedule.visit_report import (
    ReportPhoto,
    VisitReport,
    delegation_order,
    held_programme,
    programme_changes,
)

FetchPhoto = Callable[[str], Awaitable[bytes | None]]


class SigningNotices(Protocol):
    """Tells the signatories that an agreement they sign was marked signed."""

    async def signed(self, agreement: Agreement, forum: Forum, people: Sequence[Delegate]) -> int:
        """Returns how many were told."""
        ...


class UnknownAgreement(LookupError):
    """No such agreement, or not one the reader may see (the same answer for both)."""


class StatusRefused(ValueError):
    def __init__(self, card: AgreementCard, reason: StatusRefusal, to: str) -> None:
        super().__init__(reason)
        self.card = card
        self.reason = reason
        self.to = to


class ChangedMeanwhile(RuntimeError):
    """The card the organiser pressed showed another status than the agreement has now."""

    def __init__(self, card: AgreementCard) -> None:
        super().__init__(card.agreement.id)
        self.card = card


@dataclass(frozen=True, slots=True)
class AgreementList:
    forum: Forum
    agreements: tuple[Agreement, ...]


@dataclass(frozen=True, slots=True)
class StatusSet:
    card: AgreementCard
    before: AgreementStatus
    news: SigningFacts | None  # when it was just signed
    told: int  # signatories told


@dataclass(frozen=True, slots=True)
class PhotoAdded:
    agreement: Agreement
    outcome: str  # added | duplicate | full
    count: int


def _code(delegate: Delegate | None) -> str | None:
    return delegate.code if delegate is not None else None


async def agreement_list(
    programme: Programme, viewer: Viewer, delegate: Delegate | None
) -> AgreementList:
    forum = await programme.forum()
    events = {e.id: e for e in forum.events}
    seen = visible_agreements(forum.agreements, events, viewer, _code(delegate))
    return AgreementList(forum, tuple(seen))


async def _card(db: Database, forum: Forum, agreement: Agreement) -> AgreementCard:
    event = next((e for e in forum.events if e.id == agreement.event), None)
    marked_by = None
    if agreement.signed_by is not None:
        person = await delegates.by_telegram_id(db, agreement.signed_by)
        marked_by = person.name if person else str(agreement.signed_by)
    return AgreementCard(
        forum=forum,
        agreement=agreement,
        event=event,
        signatories=await delegates.by_codes(db, agreement.signatories),
        photos=len(await store.photos(db, agreement.id)),
        marked_by=marked_by,
    )


async def agreement_card(
    db: Database,
    programme: Programme,
    viewer: Viewer,
    delegate: Delegate | None,
    agreement_id: str,
) -> AgreementCard:
    """The card of an agreement the reader may see; raises :class:`UnknownAgreement`."""
    forum = await programme.forum()
    agreement = next((a for a in forum.agreements if a.id == agreement_id), None)
    if agreement is None:
        raise UnknownAgreement(agreement_id)
    event = next((e for e in forum.events if e.id == agreement.event), None)
    if not sees_agreement(agreement, event, viewer, _code(delegate)):
        raise UnknownAgreement(agreement_id)
    return await _card(db, forum, agreement)


async def _checked(
    db: Database, programme: Programme, agreement_id: str, to: str, was: str
) -> AgreementCard:
    card = await agreement_card(db, programme, Viewer(organiser=True), None, agreement_id)
    current = card.agreement.status
    if current != was:
        raise ChangedMeanwhile(card)
    reason = status_refusal(current, to)
    if reason is not None:
        raise StatusRefused(card, reason, to)
    return card


async def status_question(
    db: Database, programme: Programme, *, agreement_id: str, to: str, was: str
) -> AgreementCard | None:
    """The card to confirm a change on, or None when the change needs no confirmation;
    raises when it cannot be made at all."""
    card = await _checked(db, programme, agreement_id, to, was)
    return card if needs_confirmation(was, to) else None


async def set_status(
    db: Database,
    programme: Programme,
    notices: SigningNotices,
    *,
    organiser_id: int,
    agreement_id: str,
    to: str,
    was: str,
    now: datetime,
) -> StatusSet:
    """Set an agreement's status (already confirmed where that is asked), with its line in
    the organisers' log; a signing tells the signatories and returns the facts of the news."""
    await _checked(db, programme, agreement_id, to, was)
    state = await store.get_state(db, agreement_id)
    if state is None:
        raise UnknownAgreement(agreement_id)
    target: AgreementStatus = to  # type: ignore[assignment]  # checked by status_refusal
    changed = await store.set_state(
        db,
        agreement_id,
        expected=state.status,
        state=state.changed_to(target, organiser_id, now),
        organiser=organiser_id,
        now=now,
    )
    programme.invalidate()
    card = await agreement_card(db, programme, Viewer(organiser=True), None, agreement_id)
    if not changed:  # another organiser's change landed between the check and the write
        raise ChangedMeanwhile(card)
    news = None
    told = 0
    if target == "signed":
        news = signing_facts(card.agreement, card.forum, card.signatories, now)
        people = [card.signatories[c] for c in card.agreement.signatories if c in card.signatories]
        told = await notices.signed(card.agreement, card.forum, people)
    return StatusSet(card, state.status, news, told)


async def add_photo(
    db: Database,
    programme: Programme,
    *,
    organiser_id: int,
    agreement_id: str,
    file_id: str,
    file_unique_id: str,
    now: datetime,
) -> PhotoAdded:
    """Attach a photo of the signing (Telegram's file_id); raises :class:`UnknownAgreement`."""
    card = await agreement_card(db, programme, Viewer(organiser=True), None, agreement_id)
    stored = [p.file_unique_id for p in await store.photos(db, agreement_id)]
    refusal = photo_refusal(file_unique_id, stored)
    if refusal is not None:
        return PhotoAdded(card.agreement, refusal, len(stored))
    photo = AgreementPhoto(agreement_id, file_id, file_unique_id, organiser_id, now)
    outcome = await store.add_photo(db, photo, limit=MAX_PHOTOS)
    if outcome == "unknown":
        raise UnknownAgreement(agreement_id)
    count = len(stored) + (1 if outcome == "added" else 0)
    return PhotoAdded(card.agreement, outcome, count)


async def visit_report(
    db: Database, programme: Programme, fetch: FetchPhoto, now: datetime
) -> VisitReport:
    """Everything the report of the visit says, photos fetched through ``fetch`` (None for
    one that could not be: the report names it)."""
    forum = await programme.forum()
    people = await delegates.list_delegates(db)
    records = await attendance.all_rows(db)
    codes = sorted({c for a in forum.agreements for c in a.signatories})
    listed = {a.id for a in forum.agreements}
    photos: dict[str, list[ReportPhoto]] = {}
    for photo in await store.photos(db):
        if photo.agreement_id not in listed:
            continue
        photos.setdefault(photo.agreement_id, []).append(
            ReportPhoto(photo.file_id, await fetch(photo.file_id))
        )
    return VisitReport(
        forum=forum,
        delegates=tuple(delegation_order(people)),
        programme=tuple(held_programme(forum.events, people, records)),
        agreements=forum.agreements,
        signatories=await delegates.by_codes(db, codes),
        photos={k: tuple(v) for k, v in photos.items()},
        changes=tuple(programme_changes(forum.events, await store.event_revisions(db))),
        made_at=now,
        events={e.id: e for e in forum.events},
    )
