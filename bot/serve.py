"""``python -m bot``: serve updates by long polling, or by webhook when WEBHOOK_URL is set.

Both modes start and stop the same app through the dispatcher's startup and shutdown
hooks (:meth:`App.start`, :meth:`App.stop`): reminders, broadcasts, the change notices at
start and the drain at SIGTERM do not depend on where updates come from.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram.exceptions import AiogramError, TelegramAPIError
from aiohttp import web

from bot.app import App, StartupError, create_app
from bot.settings import Settings
from bot.web import SHUTDOWN_TIMEOUT, HealthServer, webhook_application

log = logging.getLogger("bot")
# Updates handled at once; one getUpdates answer holds at most 100.
POLLING_CONCURRENCY = 100


async def serve(settings: Settings) -> int:
    """Run until SIGTERM or SIGINT; 0 after a clean stop, 1 when the start failed."""
    try:
        app = await create_app(settings)
    except StartupError as error:
        log.error("%s", error)
        return 1
    try:
        if settings.webhook_url is None:
            return await _poll(app)
        return await _serve_webhook(app)
    finally:
        await app.close()


async def _poll(app: App) -> int:
    health = HealthServer(app, app.settings.health_listen) if app.settings.health_listen else None
    try:
        if health is not None:
            await health.start()
        await app.dispatcher.start_polling(
            app.bot,
            handle_signals=True,
            close_bot_session=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            # aiogram keeps polling while handlers run: in a burst (a whole delegation
            # pressing a button) thousands would be in flight at once, each holding its
            # update and rendering; RSS rose 75 MiB for 1,000 updates (BENCHMARKS.md).
            tasks_concurrency_limit=POLLING_CONCURRENCY,
        )
    except StartupError as error:
        log.error("%s", error)
        await app.stop()  # the start may have got as far as the scheduler and the sender
        return 1
    except OSError as error:
        log.error("HEALTH_LISTEN: cannot listen on %s: %s", app.settings.health_listen, error)
        return 1
    finally:
        if health is not None:
            await health.stop()
    return 0


async def _serve_webhook(app: App) -> int:
    settings = app.settings
    web_app = webhook_application(app)
    runner = web.AppRunner(
        web_app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
    )
    health = None
    if settings.health_listen is not None and settings.health_listen != settings.webhook_listen:
        health = HealthServer(app, settings.health_listen)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _on_signal, sig, stopping)
    try:
        await runner.setup()  # the startup hooks: App.start, as polling's start does
        try:
            await web.TCPSite(
                runner, settings.webhook_listen.host, settings.webhook_listen.port
            ).start()
        except OSError as error:
            raise StartupError(
                f"WEBHOOK_LISTEN: cannot listen on {settings.webhook_listen}: {error}"
            ) from error
        if health is not None:
            try:
                await health.start()
            except OSError as error:
                raise StartupError(
                    f"HEALTH_LISTEN: cannot listen on {settings.health_listen}: {error}"
                ) from error
        # Only now that the listener is up: Telegram starts calling as soon as it is set.
        await register_webhook(app)
        log.info(
            "serving the webhook on %s%s for %s",
            settings.webhook_listen, settings.webhook_path, _public(settings.webhook_url),
        )  # fmt: skip
        await stopping.wait()
    except StartupError as error:
        log.error("%s", error)
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        # Stops listening, then the shutdown hooks: no more updates, then App.stop's drain.
        await runner.cleanup()
        if health is not None:
            await health.stop()
        await app.stop()  # idempotent; needed when the start failed before serving
    return 0


def _on_signal(sig: signal.Signals, stopping: asyncio.Event) -> None:
    log.warning("Received %s signal; stopping", sig.name)
    stopping.set()


def _public(url: str | None) -> str:
    """The URL without its query (which may carry a key of the proxy)."""
    return (url or "").split("?", 1)[0]


async def register_webhook(app: App) -> None:
    """setWebhook with the secret and only the update types the routers handle."""
    settings = app.settings
    assert settings.webhook_url is not None
    try:
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
    except (TelegramAPIError, AiogramError) as error:
        raise StartupError(f"the Bot API refused setWebhook for WEBHOOK_URL: {error}") from error
