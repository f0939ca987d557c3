"""The HTTP side: the webhook Telegram calls, ``/healthz`` and ``/metrics``.

The webhook is aiogram's aiohttp integration (:class:`SimpleRequestHandler`,
:func:`setup_application`), made stricter: the secret is compared as bytes in constant
time before anything of the request is read, a wrong or missing one is answered 401 and
nothing is handled, bodies over 1 MiB are refused, a body that is not an update is a 400
(not a traceback), and once the stop has begun updates are refused with 503 so that
Telegram delivers them again to the next start instead of to a bot closing under them.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from apscheduler.schedulers.base import STATE_RUNNING
from pydantic import ValidationError

from bot.metrics import CONTENT_TYPE
from bot.settings import Listen
from db.health import database_problem
from db.monitoring import pending_deliveries

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few KiB; Telegram's largest are well under this
# How long the listener waits for requests still being answered once the drain is done.
SHUTDOWN_TIMEOUT = 5.0
REFUSALS_LOG_INTERVAL = 60.0


class WebhookHandler(SimpleRequestHandler):
    """One bot's webhook: checks the secret, then feeds the update in the background."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, **data: Any) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret")  # the settings require one
        super().__init__(dispatcher, bot, handle_in_background=True, secret_token=secret, **data)
        self._secret = secret.encode("ascii")
        self.accepting = True
        self.refused = 0  # requests answered 401
        self._refusals_logged_at = float("-inf")

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # As bytes: compare_digest raises TypeError on a str that is not ASCII, and a
        # forged header may be anything (aiohttp decodes it with surrogateescape).
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return secrets.compare_digest(given, self._secret)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            self._count_refusal()
            return web.Response(status=401, text="Unauthorized")
        if not self.accepting:
            return web.Response(status=503, text="Stopping")  # Telegram retries later
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="Payload Too Large")
        body = await request.read()  # aiohttp refuses (413) a longer chunked body itself
        try:
            update = Update.model_validate_json(body, context={"bot": self.bot})
        except ValidationError:
            log.warning("webhook: a request with the secret was not an update")
            return web.Response(status=400, text="Bad Request")
        if not self.accepting:  # the stop began while the body was read
            return web.Response(status=503, text="Stopping")
        task = asyncio.create_task(self._feed(update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({})

    def _count_refusal(self) -> None:
        # A wrong secret is a misconfiguration (or a scan): said once a minute, not per request.
        self.refused += 1
        now = time.monotonic()
        if now - self._refusals_logged_at >= REFUSALS_LOG_INTERVAL:
            self._refusals_logged_at = now
            log.warning(
                "webhook: refused a request without the right secret token (%d so far); "
                "if this goes on, WEBHOOK_SECRET differs from the one Telegram was given",
                self.refused,
            )

    async def _feed(self, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(self.bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=self.bot, result=result)
        except Exception:  # the dispatcher's error handler answered already, if it could
            log.exception("update %s failed", update.update_id)

    async def idle(self) -> None:
        """Wait until the updates taken so far are handled (for tests)."""
        while self._background_feed_update_tasks:
            await asyncio.gather(*self._background_feed_update_tasks, return_exceptions=True)

    async def close(self) -> None:
        """At the stop, before the drain: take no more updates. The bot's session is
        closed by the app after the drain, not here (aiogram's handler closes it)."""
        self.accepting = False
        await asyncio.sleep(0)  # let updates just taken reach the in-flight middleware


async def health(app: App) -> tuple[int, dict[str, Any]]:
    """The status and the body of ``/healthz``: 503 when the database or scheduler is not
    fine. Figures only; the problem itself goes to the log (it names paths)."""
    problem = await database_problem(app.db)
    if problem is not None:
        log.warning("health check: %s", problem)
    scheduler_running = app.scheduler.state == STATE_RUNNING
    try:
        pending: int | None = await pending_deliveries(app.db)
    except Exception:
        pending = None
    since = app.metrics.seconds_since_last_update()
    fine = problem is None and scheduler_running
    body = {
        "status": "ok" if fine else "failing",
        "database_writable": problem is None,
        "scheduler_running": scheduler_running,
        "deliveries_pending": pending,
        "seconds_since_last_update": None if since is None else round(since, 1),
    }
    return (200 if fine else 503), body


def add_service_routes(web_app: web.Application, app: App) -> None:
    """``GET /healthz`` and ``GET /metrics``."""

    async def healthz(request: web.Request) -> web.Response:
        status, body = await health(app)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    async def metrics(request: web.Request) -> web.Response:
        text = await app.metrics.render()
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE})

    web_app.router.add_get("/healthz", healthz, allow_head=False)
    web_app.router.add_get("/metrics", metrics, allow_head=False)


WEBHOOK = web.AppKey("webhook", WebhookHandler)


def webhook_application(app: App) -> web.Application:
    """The webhook, /healthz and /metrics; its startup starts the app, its shutdown drains
    it (the same hooks as polling's)."""
    settings = app.settings
    assert settings.webhook_secret is not None
    web_app = web.Application(client_max_size=MAX_BODY)
    handler = WebhookHandler(app.dispatcher, app.bot, settings.webhook_secret)
    # First on shutdown: no more updates; then the dispatcher's shutdown (App.stop).
    handler.register(web_app, path=settings.webhook_path)
    web_app[WEBHOOK] = handler
    setup_application(web_app, app.dispatcher, bot=app.bot)
    add_service_routes(web_app, app)
    return web_app


class HealthServer:
    """``/healthz`` and ``/metrics`` on a listener of their own (HEALTH_LISTEN)."""

    def __init__(self, app: App, listen: Listen) -> None:
        self.listen = listen
        web_app = web.Application(client_max_size=4096)
        add_service_routes(web_app, app)
        self._runner = web.AppRunner(
            web_app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen.host, self.listen.port).start()
        log.info("health check and metrics on http://%s/healthz", self.listen)

    async def stop(self) -> None:
        await self._runner.cleanup()
