"""The composition root: one place that builds the database, bot, scheduler and dispatcher.

``python -m bot``, the offline demo, the end-to-end test and the benchmarks all build the
same application here; only the Bot API session and the clock differ.
"""

from __future__ import annotations

from datetime import UTC

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
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
from bot.lifecycle import HANDLERS_GRACE, App, Service, Services
from bot.metrics import Metrics
from bot.middlewares import UpdatesInFlight
from bot.session import ForumSession
from bot.settings import Settings
from bot.startup import StartupError, check_bot_api, load_programme_file, open_database
from db.connection import Database
from db.health import DatabaseWatch
from db.lock import DatabaseLock
from schedule.clock import Clock, utc_now
from schedule.model import ImportReport
from schedule.services.changes import ProgrammeChanges
from schedule.services.programme import Programme

# Imported from here by the entry points, the demo, the benchmarks and the tests.
__all__ = [
    "HANDLERS_GRACE", "App", "Service", "Services", "StartupError", "check_bot_api",
    "create_app", "create_bot", "create_scheduler",
]  # fmt: skip

DEMO_TOKEN = "123456789:DEMO-offline-token"


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
    lock, db = await open_database(settings)
    try:
        report = await load_programme_file(settings, db, clock)
    except BaseException:
        await db.close()
        lock.release()
        raise
    bot = create_bot(settings, session)
    metrics = Metrics(db, started=clock())
    sender = _budgeted_sender(bot, budget, metrics)
    scheduler = create_scheduler()
    programme = Programme(db)
    changes = ProgrammeChanges(programme)
    i18n = create_i18n()
    departures = _departures(settings, db, programme, sender, i18n, clock)
    pins = DayPins(db=db, programme=programme, sender=sender, i18n=i18n, clock=clock)
    chat = _announce_chat(settings, bot, db, programme, sender, i18n, clock)
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
    # The chat's check before the catch-up: its warning to the organisers goes first.
    lifecycle = (DatabaseWatch(db), *([chat] if chat is not None else []), notifier, broadcasts)
    return _app(bot, scheduler, services, i18n, metrics, lifecycle, report, lock)


def _budgeted_sender(bot: Bot, budget: Budget | None, metrics: Metrics) -> PacedSender:
    # Every message the bot sends, answers included, takes its turn in the one budget;
    # the metrics inside it count each request that actually goes (429s included).
    outbound = Outbound(budget)
    bot.session.middleware(outbound)
    bot.session.middleware(metrics.request_counter)
    return PacedSender(bot, outbound)


def _departures(
    settings: Settings,
    db: Database,
    programme: Programme,
    sender: PacedSender,
    i18n: I18n,
    clock: Clock,
) -> Departures:
    return Departures(
        db=db,
        programme=programme,
        sender=sender,
        i18n=i18n,
        clock=clock,
        minutes=settings.transport_reminder_minutes,
        organiser_ids=settings.admin_ids,
    )


def _announce_chat(
    settings: Settings,
    bot: Bot,
    db: Database,
    programme: Programme,
    sender: PacedSender,
    i18n: I18n,
    clock: Clock,
) -> AnnounceChat | None:
    """The delegation's group or channel, if ANNOUNCE_CHAT_ID names one."""
    if settings.announce_chat_id is None:
        return None
    return AnnounceChat(
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


def _app(
    bot: Bot,
    scheduler: AsyncIOScheduler,
    services: Services,
    i18n: I18n,
    metrics: Metrics,
    lifecycle: tuple[Service, ...],
    report: ImportReport | None,
    lock: DatabaseLock,
) -> App:
    """The dispatcher, handed the frozen services, and the app whose hooks it runs."""
    in_flight = UpdatesInFlight(seen=metrics.update_seen)
    dispatcher = create_dispatcher(
        i18n=i18n, in_flight=in_flight, provided=services.provided(), **services.workflow_data()
    )
    app = App(
        bot=bot,
        dispatcher=dispatcher,
        scheduler=scheduler,
        services=services,
        i18n=i18n,
        in_flight=in_flight,
        metrics=metrics,
        lifecycle=lifecycle,
        import_report=report,
        lock=lock,
    )
    dispatcher.startup.register(app.start)
    dispatcher.shutdown.register(app.stop)
    return app
