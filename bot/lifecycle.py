"""The application as :func:`bot.app.create_app` built it: the services handlers receive, and
the start, stop and close of the whole, in that order."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Protocol

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery.agreement_notices import SigningNotices
from bot.delivery.broadcasts import BroadcastService
from bot.delivery.logistics import Departures
from bot.delivery.notifier import Notifier
from bot.delivery.sender import PacedSender
from bot.menus import set_commands
from bot.metrics import Metrics
from bot.middlewares import UpdatesInFlight
from bot.settings import Settings
from bot.startup import check_bot_api, leave_webhook_mode
from db.connection import Database
from db.lock import DatabaseLock
from schedule.clock import Clock
from schedule.model import ImportReport
from schedule.services.changes import ProgrammeChanges
from schedule.services.programme import Programme

log = logging.getLogger(__name__)
# How long a stop waits for the updates being handled (normally milliseconds).
HANDLERS_GRACE = 5.0


class Service(Protocol):
    """What the app starts after the Bot API check and stops, in reverse, at the end."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# What handlers of nearly every router name: in every update's data (workflow data).
EVERY_UPDATE = ("db", "settings", "programme", "clock")


@dataclass(frozen=True, slots=True)
class Services:
    """The long-lived dependencies handlers receive by parameter name: those of
    ``EVERY_UPDATE`` in every update's data, the others only where a handler names them
    (``bot.dispatcher.provide``)."""

    db: Database
    settings: Settings
    programme: Programme
    changes: ProgrammeChanges
    clock: Clock
    sender: PacedSender
    notifier: Notifier
    broadcasts: BroadcastService
    signing_notices: SigningNotices
    departures: Departures

    def workflow_data(self) -> dict[str, object]:
        """In every update's data."""
        return {name: getattr(self, name) for name in EVERY_UPDATE}

    def provided(self) -> dict[str, object]:
        """Handed only to the handlers that name them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in EVERY_UPDATE}


@dataclass(eq=False)
class App:
    """Built once by :func:`create_app`; :meth:`start` and :meth:`stop` run its lifecycle."""

    bot: Bot
    dispatcher: Dispatcher
    scheduler: AsyncIOScheduler
    services: Services
    i18n: I18n
    in_flight: UpdatesInFlight
    metrics: Metrics
    # Started in this order once the Bot API answered, stopped in reverse.
    lifecycle: tuple[Service, ...]
    # What the forum file changed at this start, for the change notices (told once).
    import_report: ImportReport | None = None
    # Held from create_app to close: one process per database.
    lock: DatabaseLock | None = None
    _stopped: bool = field(default=False, init=False)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def programme(self) -> Programme:
        return self.services.programme

    @property
    def changes(self) -> ProgrammeChanges:
        return self.services.changes

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def sender(self) -> PacedSender:
        return self.services.sender

    async def start(self) -> None:
        """Check the Bot API, decorate the bot, start the jobs. Called in the running loop."""
        await check_bot_api(self.bot, self.settings)
        await set_commands(self.bot, self.i18n, self.settings.admin_ids)
        if self.settings.webhook_url is None:
            await leave_webhook_mode(self.bot)
        if not self.scheduler.running:
            self.scheduler.start()
        for service in self.lifecycle:
            await service.start()
        if self.import_report is not None:
            # The forum file changed while the bot was down: tell those concerned now.
            report, self.import_report = self.import_report, None
            await self.changes.apply(report.programme_changes)

    async def stop(self) -> None:
        """Drain what is in flight before aiogram closes its HTTP session. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        # Polling has stopped; the updates it handed out finish before what they use closes
        # (and before the services stop, so that what they start is drained with the rest).
        await self.in_flight.wait(HANDLERS_GRACE)
        for service in reversed(self.lifecycle):
            try:
                await service.stop()
            except Exception:
                log.exception("a stop step failed")
        await self.sender.close()
        self.sender.outbound.close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def close(self) -> None:
        """Release the session and the database (after :meth:`stop`)."""
        await self.bot.session.close()
        await self.db.close()
        if self.lock is not None:
            self.lock.release()
