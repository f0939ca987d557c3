"""The composition root: one place that builds the database, bot, scheduler and dispatcher.

``python -m bot``, the offline demo, the end-to-end test and the benchmarks all build the
same application here; only the Bot API session and the clock differ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import UTC
from typing import Protocol

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery.agreement_notices import SigningNotices
from bot.delivery.announce_chat import AnnounceChat
from bot.delivery.broadcasts import BroadcastService
from bot.delivery.budget import Budget
from bot.delivery.logistics import Departures
from bot.delivery.notifier import Notifier
from bot.delivery.outbound import Outbound
from bot.delivery.pins import DayPins
from bot.delivery.sender import PacedSender
from bot.dispatcher import create_dispatcher
from bot.i18n import create_i18n
from bot.menus import set_commands
from bot.metrics import Metrics
from bot.middlewares import UpdatesInFlight
from bot.redaction import RedactSecrets, token_secrets
from bot.session import ForumSession
from bot.settings import Settings
from db.connection import Database, DatabaseUnavailable, open_db, unavailable
from db.forum import stored_forum_hash
from db.health import DatabaseWatch
from db.lock import DatabaseInUse, DatabaseLock
from schedule.clock import Clock, utc_now
from schedule.forum_file import SAMPLE_FORUM_PATH, ForumFileError
from schedule.model import ImportReport
from schedule.services.changes import ProgrammeChanges
from schedule.services.importing import import_if_changed
from schedule.services.programme import Programme

log = logging.getLogger(__name__)
DEMO_TOKEN = "123456789:DEMO-offline-token"
# How long a stop waits for the updates being handled (normally milliseconds).
HANDLERS_GRACE = 5.0

class StartupError(RuntimeError):
    """The bot cannot serve: a wrong token, a Bot API server that answers wrongly, a bad file."""


def create_scheduler() -> AsyncIOScheduler:
    """In-process jobs, derived from the database; started inside the running loop."""
    return AsyncIOScheduler(timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": 60})


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = ForumSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        settings.bot_token or DEMO_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class Service(Protocol):
    """What the app starts after the Bot API check and stops, in reverse, at the end."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Services:
    """The long-lived dependencies handlers receive by parameter name (workflow data)."""

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
        return {f.name: getattr(self, f.name) for f in fields(self)}


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


async def check_bot_api(bot: Bot, settings: Settings) -> User:
    """getMe, turned into a :class:`StartupError` that says what is wrong."""
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError as error:
        raise StartupError(f"the Bot API refused BOT_TOKEN: {error.message}") from error
    except TelegramNetworkError as error:
        raise StartupError(
            f"could not reach the Bot API at {settings.telegram_api_url}: {error.message}"
        ) from error
    except (TelegramAPIError, AiogramError) as error:
        # e.g. ClientDecodeError: something answered that is not a Bot API server, and
        # perhaps echoed the URL, token and all: the message never carries it.
        said = RedactSecrets(token_secrets(settings.bot_token)).redact(str(error))
        raise StartupError(f"the Bot API answered getMe wrongly: {said}") from None
    if not me.is_bot or not me.username:
        raise StartupError("the Bot API answered getMe with something that is not a bot")
    log.info("serving as @%s", me.username)
    return me


async def leave_webhook_mode(bot: Bot) -> None:
    """deleteWebhook, so that polling works after a run in webhook mode (Telegram answers
    getUpdates with 409 Conflict while a webhook is set). Updates waiting are kept."""
    try:
        await bot.delete_webhook(drop_pending_updates=False)
    except (TelegramAPIError, AiogramError) as error:
        raise StartupError(f"the Bot API refused deleteWebhook: {error}") from error


async def load_programme_file(
    settings: Settings, db: Database, clock: Clock
) -> ImportReport | None:
    """Import FORUM_FILE if it changed. A bad file stops a bot that has no programme yet;
    a bot that has one keeps serving it and says loudly why the new file was not taken."""
    if settings.forum_file is None:
        # The bundled sample's codes are public: a bot on the network never falls back to it.
        raise StartupError("FORUM_FILE is not set (the bundled sample is for the demo only)")
    sample = settings.forum_file.resolve() == SAMPLE_FORUM_PATH.resolve()
    if sample and settings.bot_token is not None:
        log.warning(
            "FORUM_FILE is the bundled sample: its invitation codes are public; "
            "anyone who reads the repository can join"
        )
    try:
        report = await import_if_changed(db, settings.forum_file, clock())
    except ForumFileError as error:
        if await stored_forum_hash(db) is None:
            raise StartupError(f"FORUM_FILE could not be imported:\n{error}") from error
        log.error("FORUM_FILE was not imported; serving the stored programme:\n%s", error)
        return None
    if report is not None:
        log.info(
            "imported %s: %d added, %d changed, %d removed",
            settings.forum_file, len(report.added), len(report.changed), len(report.removed),
        )
    return report


async def create_app(
    settings: Settings,
    *,
    session: BaseSession | None = None,
    clock: Clock = utc_now,
    budget: Budget | None = None,
) -> App:
    """Wire everything once: nothing is added to the app or the dispatcher afterwards.

    ``budget`` is Telegram's limits by default (:class:`Budget`); benchmarks of handler
    cost and the offline demo pass :meth:`Budget.unlimited`.
    """
    lock = DatabaseLock(settings.database_path)
    try:
        lock.acquire()
    except DatabaseInUse as error:
        raise StartupError(str(error)) from None
    except OSError as error:  # the folder cannot be created, a read-only or full disk
        raise StartupError(unavailable(settings.database_path, error)) from None
    try:
        db = await open_db(settings.database_path)
    except DatabaseUnavailable as error:
        lock.release()
        raise StartupError(str(error)) from None
    except BaseException:
        lock.release()
        raise
    try:
        report = await load_programme_file(settings, db, clock)
    except BaseException:
        await db.close()
        lock.release()
        raise
    bot = create_bot(settings, session)
    # Every message the bot sends, answers included, takes its turn in the one budget;
    # the metrics inside it count each request that actually goes (429s included).
    outbound = Outbound(budget)
    bot.session.middleware(outbound)
    metrics = Metrics(db, started=clock())
    bot.session.middleware(metrics.request_counter)
    sender = PacedSender(bot, outbound)
    scheduler = create_scheduler()
    programme = Programme(db)
    changes = ProgrammeChanges(programme)
    i18n = create_i18n()
    departures = Departures(
        db=db,
        programme=programme,
        sender=sender,
        i18n=i18n,
        clock=clock,
        minutes=settings.transport_reminder_minutes,
        organiser_ids=settings.admin_ids,
    )
    pins = DayPins(db=db, programme=programme, sender=sender, i18n=i18n, clock=clock)
    chat = (
        None
        if settings.announce_chat_id is None
        else AnnounceChat(
            bot=bot,
            db=db,
            sender=sender,
            programme=programme,
            i18n=i18n,
            clock=clock,
            chat_id=settings.announce_chat_id,
            language=settings.announce_language,
            organiser_ids=settings.admin_ids,
        )
    )
    notifier = Notifier(
        db=db,
        programme=programme,
        sender=sender,
        scheduler=scheduler,
        i18n=i18n,
        offsets=settings.reminder_offsets,
        clock=clock,
        departures=departures,
        pins=pins,
        chat=chat,
    )
    changes.subscribe(notifier.on_changes)  # reminders, briefings, change notices follow
    changes.subscribe(pins.on_changes)  # today's pinned briefings follow too
    broadcasts = BroadcastService(db, bot, sender, i18n, clock, chat=chat)
    services = Services(
        db=db,
        settings=settings,
        programme=programme,
        changes=changes,
        clock=clock,
        sender=sender,
        notifier=notifier,
        broadcasts=broadcasts,
        signing_notices=SigningNotices(db, sender, i18n, clock),
        departures=departures,
    )
    in_flight = UpdatesInFlight()
    dispatcher = create_dispatcher(
        i18n=i18n, in_flight=in_flight, counter=metrics.update_counter, **services.workflow_data()
    )
    app = App(
        bot=bot,
        dispatcher=dispatcher,
        scheduler=scheduler,
        services=services,
        i18n=i18n,
        in_flight=in_flight,
        metrics=metrics,
        # The chat's check before the catch-up: its warning to the organisers goes first.
        lifecycle=(
            DatabaseWatch(db), *([chat] if chat is not None else []), notifier, broadcasts
        ),
        import_report=report,
        lock=lock,
    )
    dispatcher.startup.register(app.start)
    dispatcher.shutdown.register(app.stop)
    return app
