"""Departure reminders, departure change notices and "I'm running late" alerts.

The notifier runs these with its own machinery (the delivery table, record/take/finish,
one job per due instant): this module only says what is due and how it reads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.delivery.priority import Priority
from bot.delivery.sender import SenderClosed
from bot.delivery.service import DeliveryService
from bot.views import logistics as views
from db import deliveries
from db.deliveries import Delivery, Item
from db.transport import announce_departures, transport_stamps
from schedule.departures import (
    DepartureNoticeFacts,
    departure_due_instants,
    departure_notice_facts,
    departure_notice_key,
    departure_notice_recipients,
    due_departure_reminders,
    planned_departure_reminders,
    unannounced_departures,
)
from schedule.model import AnnouncedDeparture, Delegate, Forum, Transport
from schedule.services.logistics import Alerted, LateReport, report_running_late

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]
Render = Callable[[], Rendered]


@dataclass
class DueWork:
    """What a run of the notifier is to send and to skip of the departure reminders."""

    # (row, whom, how it looks, when the transport leaves: its retries stop shortly before)
    send: list[tuple[Item, Delegate, Render, datetime]] = field(default_factory=list)
    skip: list[Item] = field(default_factory=list)
    late: int = 0


@dataclass(eq=False, kw_only=True)
class Departures(DeliveryService):
    minutes: float  # before each departure, its reminder
    organiser_ids: Collection[int]  # alerted when a rider runs late, with the protocol

    def __post_init__(self) -> None:
        self.organiser_ids = frozenset(self.organiser_ids)

    # ------------------------------------------------------------ reminders

    def due_instants(self, forum: Forum, now: datetime) -> list[datetime]:
        return departure_due_instants(forum.transports, self.minutes, now)

    async def due(self, forum: Forum, people: Mapping[int, Delegate], now: datetime) -> DueWork:
        """The departure reminders due by ``now`` nobody handled yet (sent once each)."""
        stamps = await transport_stamps(self.db)
        planned = planned_departure_reminders(
            forum.transports,
            list(people.values()),
            self.minutes,
            {k: s.scheduled_at for k, s in stamps.items()},
        )
        handled = await deliveries.handled(self.db, "reminder")
        work = DueWork()
        transports = {t.id: t for t in forum.transports}
        for decision in due_departure_reminders(now, planned, handled):
            p = decision.planned
            event = transports[p.transport_id].event
            item = Item("reminder", p.key, p.delegate_id, p.due_at, event)
            if decision.action == "skip":
                log.info("departure reminder %s for %s skipped: %s", p.key, p.delegate_id,
                         decision.reason)  # fmt: skip
                work.skip.append(item)
                continue
            if decision.late:
                work.late += 1
                log.warning("departure reminder %s for %s is late; sending now", p.key,
                            p.delegate_id)  # fmt: skip
            render = partial(self._reminder, transports[p.transport_id], forum)
            departs = transports[p.transport_id].departs
            work.send.append((item, people[p.delegate_id], render, departs))
        return work

    def _reminder(self, transport: Transport, forum: Forum) -> Rendered:
        return (
            views.reminder_text(transport, forum, self.clock()),
            views.departure_keyboard(transport, forum, late_button=True),
        )

    # ------------------------------------------------------------ change notices

    async def announce(
        self, people: Sequence[Delegate], now: datetime, *, posts: bool = False
    ) -> int:
        """Queue the notices of untold departure changes (see :meth:`Notifier.announce`);
        ``posts``: each change once in the delegation's chat too."""

        def plan(
            transports: Sequence[Transport],
            announced: Mapping[str, AnnouncedDeparture],
            versions: Mapping[str, str],
        ) -> tuple[list[Transport], list[Item], list[str]]:
            record, tell = unannounced_departures(transports, announced, now)
            keys = [(departure_notice_key(b, a, versions.get(a.id, "")), b, a) for b, a in tell]
            items = [
                Item("notice", key, d.id, now, a.event)
                for key, b, a in keys
                for d in departure_notice_recipients(b, a, people)
            ]
            return record, items, [key for key, _, _ in keys] if posts else []

        return await announce_departures(self.db, plan, now)

    def notice(self, row: Delivery, forum: Forum) -> Render | None:
        """How a queued departure notice reads; None when the transport is gone."""
        facts = departure_notice_facts(row.key)
        transport = forum.transport(facts.transport_id)
        if transport is None:
            return None
        return partial(self._notice, facts, transport, forum)

    @staticmethod
    def _notice(facts: DepartureNoticeFacts, transport: Transport, forum: Forum) -> Rendered:
        return (
            views.notice_text(facts, transport, forum),
            views.departure_keyboard(transport, forum, late_button=False),
        )

    # ------------------------------------------------------------ running late

    async def running_late(self, delegate: Delegate, transport_id: str) -> LateReport | None:
        """Record the press and, the first time for this departure, alert the protocol
        delegates and the organisers (urgent, through the sender). None: no such transport."""
        now = self.clock()
        report = await report_running_late(
            self.db, self.programme, delegate, transport_id, self.organiser_ids, now
        )
        if report is None or report.verdict != "alert":
            return report
        await asyncio.gather(*(self._alert(p, delegate, report, now) for p in report.recipients))
        return report

    async def _alert(
        self, person: Alerted, delegate: Delegate, report: LateReport, now: datetime
    ) -> None:
        with self.i18n.context(), self.i18n.use_locale(person.language):
            text = views.late_alert_text(delegate, report.transport, report.forum, now)
        try:
            outcome = await self.sender.send(
                person.telegram_id,
                SendMessage(chat_id=person.telegram_id, text=text),
                priority=Priority.URGENT,  # an alert to the protocol staff
            )
        except SenderClosed:
            log.warning("running-late alert to %s not sent: stopping", person.telegram_id)
            return
        if outcome.status != "sent":
            log.warning("running-late alert to %s: %s", person.telegram_id, outcome.error)
