"""The organiser's view of a broadcast: its progress message, kept current while it runs,
and the report at the end (who got it, who blocked the bot, who has not confirmed)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.views.callbacks import BroadcastCb
from bot.views.texts import bold, esc, fmt, pack_lines
from db import broadcasts as store
from db import delegates
from db.broadcasts import Broadcast, Counts
from db.connection import Database

log = logging.getLogger(__name__)


class BroadcastReports:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        i18n: I18n,
        *,
        progress_every: float,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self._db = db
        self._bot = bot
        self._i18n = i18n
        self._progress_every = progress_every
        self._sleep = sleep

    async def tick(self, broadcast: Broadcast, message_id: int | None, lang: str) -> None:
        """Keep the progress message current while the broadcast runs (cancelled at its end)."""
        shown: Counts | None = None
        while True:
            await self._sleep(self._progress_every)
            counts = await store.counts(self._db, broadcast.id)
            if counts != shown:
                shown = counts
                text = self.progress_text(broadcast, counts, lang)
                await self.edit(broadcast, message_id, text)

    async def post_progress(self, broadcast: Broadcast, lang: str) -> int | None:
        """Post the progress message to the organiser's chat; its id, or None (no chat, or
        Telegram refused it: the broadcast goes on without)."""
        if broadcast.chat_id is None:
            return None
        counts = await store.counts(self._db, broadcast.id)
        try:
            message = await self._bot.send_message(
                broadcast.chat_id, self.progress_text(broadcast, counts, lang)
            )
        except TelegramAPIError as error:
            log.warning("broadcast %s: no progress message: %s", broadcast.id, error)
            return None
        await store.set_progress_message(
            self._db, broadcast.id, broadcast.chat_id, message.message_id
        )
        return message.message_id

    async def edit(self, broadcast: Broadcast, message_id: int | None, text: str) -> None:
        """Show ``text`` in the progress message, if there is one."""
        if broadcast.chat_id is None or message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                text=text, chat_id=broadcast.chat_id, message_id=message_id
            )
        except TelegramAPIError as error:  # "message is not modified" among others
            log.debug("broadcast %s: progress not edited: %s", broadcast.id, error)

    def progress_text(self, broadcast: Broadcast, counts: Counts, lang: str) -> str:
        with self._locale(lang):
            head = fmt(_("📣 Broadcast #{id}"), id=broadcast.id)
            line = fmt(
                _("Sent {sent}, blocked {blocked}, failed {failed} of {total}"),
                sent=counts.sent,
                blocked=counts.blocked,
                failed=counts.failed,
                total=counts.total,
            )
            state = esc(_("Finished.")) if counts.done == counts.total else esc(_("Sending…"))
        return f"{bold(head)}\n{line}\n{state}"

    def paused_text(self, broadcast: Broadcast, counts: Counts, lang: str) -> str:
        with self._locale(lang):
            note = fmt(
                _("Paused by a restart: {left} still to send when the bot is back."),
                left=counts.pending + counts.sending,
            )
        return self.progress_text(broadcast, counts, lang).rsplit("\n", 1)[0] + "\n" + note

    async def report(
        self, broadcast_id: int, lang: str
    ) -> tuple[list[str], InlineKeyboardMarkup | None]:
        """The report's messages (each under Telegram's limit) and its buttons."""
        broadcast = await store.get(self._db, broadcast_id)
        if broadcast is None:
            return [], None
        counts = await store.counts(self._db, broadcast_id)
        everyone = await store.recipients(self._db, broadcast_id)
        unconfirmed = await store.unconfirmed(self._db, broadcast.confirms)
        with self._locale(lang):
            lines = [bold(fmt(_("📣 Broadcast #{id}: report"), id=broadcast.id))]
            lines.append(
                fmt(_("Delivered: {sent} of {total}"), sent=counts.sent, total=counts.total)
            )
            if counts.pending or counts.sending:
                lines.append(fmt(_("Still to send: {n}"), n=counts.pending + counts.sending))
            for status, title in (
                ("blocked", _("Blocked the bot ({n}):")),
                ("failed", _("Failed ({n}):")),
                ("interrupted", _("Interrupted by a restart, may not have received it ({n}):")),
            ):
                group = [r for r in everyone if r.status == status]
                if group:
                    lines.append("")
                    lines.append(bold(fmt(title, n=len(group))))
                    for r in group:
                        reason = f" — {esc(r.error)}" if status == "failed" and r.error else ""
                        lines.append("• " + esc(r.name) + reason)
            markup = None
            if broadcast.confirm:
                original = await store.counts(self._db, broadcast.confirms)
                lines.append("")
                lines.append(
                    fmt(_("Confirmed: {n} of {sent}"), n=original.confirmed, sent=original.sent)
                )
                if unconfirmed:
                    lines.append(bold(fmt(_("Not confirmed yet ({n}):"), n=len(unconfirmed))))
                    lines.extend("• " + esc(r.name) for r in unconfirmed)
                builder = InlineKeyboardBuilder()
                builder.button(
                    text="🔄 " + _("Refresh"),
                    callback_data=BroadcastCb(id=broadcast.confirms, action="st"),
                )
                if unconfirmed:
                    builder.button(
                        text="🔔 " + _("Remind those who have not confirmed"),
                        callback_data=BroadcastCb(id=broadcast.confirms, action="rm"),
                    )
                builder.adjust(1)
                markup = builder.as_markup()
        return pack_lines(lines), markup

    async def send_report(self, broadcast_id: int, chat_id: int, lang: str) -> None:
        pieces, markup = await self.report(broadcast_id, lang)
        for number, piece in enumerate(pieces, start=1):
            try:
                await self._bot.send_message(
                    chat_id, piece, reply_markup=markup if number == len(pieces) else None
                )
            except TelegramAPIError as error:
                log.warning("broadcast %s: report not sent: %s", broadcast_id, error)

    async def organiser_language(self, organiser_id: int) -> str:
        """The language the organiser reads the progress and the report in."""
        delegate = await delegates.by_telegram_id(self._db, organiser_id)
        if delegate is not None and delegate.language:
            return delegate.language
        return await delegates.user_language(self._db, organiser_id) or "en"

    @contextmanager
    def _locale(self, lang: str) -> Iterator[None]:
        with self._i18n.context(), self._i18n.use_locale(lang):
            yield
