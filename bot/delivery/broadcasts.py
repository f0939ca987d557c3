"""Running broadcasts: through the one paced sender, with progress, a report and resumption.

A broadcast is stored (content, audience, one row per recipient) before its first message.
`window` workers per broadcast each take the next pending recipient, hand the copy to the
sender (bulk, the lowest class of the outbound budget) and record the outcome. A recipient
is marked 'sending' only when its request leaves, so a crash leaves at most the requests in
flight in doubt ('interrupted', never resent); an outage is waited out (429, 5xx, no
connection: tried again) until the broadcast stops. Two broadcasts at once interleave in
the same sender, within the same overall rate.
"""

from __future__ import annotations

import asyncio
import html as html_module
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery.announce_chat import AnnounceChat
from bot.delivery.priority import Priority, sending_as
from bot.delivery.sender import PacedSender, SenderClosed
from bot.views.callbacks import BroadcastCb
from bot.views.texts import bold, esc, fmt, pack_lines, utf16_len
from db import audit, delegates
from db import broadcasts as store
from db.broadcasts import Broadcast, Content, Counts, Recipient
from db.connection import Database
from schedule.clock import Clock

log = logging.getLogger(__name__)

INTERRUPTED_NOTE = "interrupted by a restart: may or may not have been delivered"
# What Telegram accepts from a bot, counted without the HTML tags (see `visible_length`).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^<>]*>")


class BroadcastService:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        sender: PacedSender,
        i18n: I18n,
        clock: Clock,
        *,
        window: int = 8,
        progress_every: float = 3.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        chat: AnnounceChat | None = None,
    ) -> None:
        self._db = db
        self.chat = chat  # the delegation's group or channel, if configured
        self._remind_lock = asyncio.Lock()
        self._bot = bot
        self._sender = sender
        self._i18n = i18n
        self._clock = clock
        self._window = window
        self._progress_every = progress_every
        self._sleep = sleep
        self._tasks: set[asyncio.Task[Counts]] = set()
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def create(
        self,
        *,
        organiser_id: int,
        content: Content,
        audience: str | None,
        confirm: bool,
        chat_id: int | None = None,
        delegate_ids: Sequence[int] | None = None,
        post_in_chat: bool = False,
    ) -> int:
        """Store a broadcast to the audience's registered delegates (or to `delegate_ids`),
        and, if asked and configured, its post in the delegation's chat."""
        if delegate_ids is None:
            delegate_ids = [d.id for d in await self.audience(audience)]
        return await store.create(
            self._db,
            organiser_id=organiser_id,
            content=content,
            audience=audience,
            confirm=confirm,
            delegate_ids=delegate_ids,
            now=self._clock(),
            chat_id=chat_id,
            post_in_chat=post_in_chat and self.chat is not None,
        )

    async def open(
        self,
        *,
        organiser_id: int,
        content: Content,
        audience: str | None,
        confirm: bool,
        post_in_chat: bool = False,
    ) -> tuple[int, int]:
        """An organiser's confirmed preview, stored and logged; :meth:`launch` sends it.
        Returns (broadcast id, number of recipients)."""
        broadcast_id = await self.create(
            organiser_id=organiser_id,
            content=content,
            audience=audience,
            confirm=confirm,
            chat_id=organiser_id,
            post_in_chat=post_in_chat,
        )
        total = (await store.counts(self._db, broadcast_id)).total
        detail = f"#{broadcast_id} to {audience or 'everyone'}: {total} recipients"
        await audit.log_action(self._db, organiser_id, "broadcast", detail, self._clock())
        return broadcast_id, total

    async def audience(self, group: str | None) -> list[Any]:
        """The registered delegates a broadcast to `group` (None: everyone) reaches."""
        return await delegates.list_delegates(self._db, registered_only=True, group=group)

    def launch(self, broadcast_id: int) -> asyncio.Task[Counts]:
        """Run the broadcast in the background (the handler answers at once)."""
        # Bulk, whoever launches it: the task would otherwise inherit the handler's class.
        with sending_as(Priority.BULK):
            task = asyncio.create_task(self.run(broadcast_id), name=f"broadcast-{broadcast_id}")
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[Counts]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("broadcast task failed", exc_info=task.exception())

    async def join(self) -> None:
        """Wait for every running broadcast (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def start(self) -> None:
        """At the app's start: carry on with the broadcasts a stop interrupted."""
        await self.resume()

    async def resume(self) -> None:
        """At start: settle rows a crash left in doubt, then resume unfinished broadcasts."""
        for broadcast_id, delegate_id in await store.interrupt_stale(self._db, INTERRUPTED_NOTE):
            log.warning(
                "broadcast %s: delegate %s was being sent when the bot stopped; not resent",
                broadcast_id,
                delegate_id,
            )
        for broadcast in await store.unfinished(self._db):
            log.info("resuming broadcast %s", broadcast.id)
            self.launch(broadcast.id)

    async def stop(self) -> None:
        """At shutdown: drain the sender (in-flight finish, the rest stay pending), then wait."""
        self._stopping = True
        await self._sender.close()
        await self.join()

    # ------------------------------------------------------------------ running

    async def run(self, broadcast_id: int) -> Counts:
        """Send to every pending recipient; report at the end. Returns the final counts."""
        with sending_as(Priority.BULK):
            return await self._run(broadcast_id)

    async def _run(self, broadcast_id: int) -> Counts:
        broadcast = await store.get(self._db, broadcast_id)
        if broadcast is None or broadcast.status != "sending":
            return await store.counts(self._db, broadcast_id)
        lang = await self._organiser_language(broadcast.organiser_id)
        progress = await self._post_progress(broadcast, lang)
        ticker = asyncio.create_task(self._tick(broadcast, progress, lang))
        cursor = _Cursor(self._db, broadcast.id)
        work = [self._work(broadcast, cursor) for _ in range(self._window)]
        if self.chat is not None:
            # No "Received" button there: a group cannot confirm.
            copy = content_method(broadcast.content, self.chat.chat_id)  # type: ignore[arg-type]
            work.append(self.chat.post_broadcast(broadcast.id, copy))
        try:
            await asyncio.gather(*work)
        finally:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        counts = await store.counts(self._db, broadcast_id)
        if counts.pending or counts.sending:
            # Stopped by a shutdown: the rest goes at the next start.
            await self._edit(broadcast, progress, self._paused_text(broadcast, counts, lang))
            return counts
        await store.finish(self._db, broadcast_id, self._clock())
        await self._edit(broadcast, progress, self._progress_text(broadcast, counts, lang))
        if broadcast.chat_id is not None:
            await self.send_report(broadcast_id, broadcast.chat_id, lang)
        return counts

    async def _work(self, broadcast: Broadcast, cursor: _Cursor) -> None:
        while not self._stopping:
            recipient = await cursor.next()
            if recipient is None:
                return
            now = self._clock
            if recipient.telegram_id is None:
                await store.record(
                    self._db,
                    broadcast.id,
                    recipient.delegate_id,
                    "failed",
                    now(),
                    error="no longer registered",
                )
                continue
            delegate_id = recipient.delegate_id
            try:
                outcome = await self._sender.send(
                    recipient.telegram_id,
                    self._copy(broadcast, recipient),
                    priority=Priority.BULK,
                    # An outage is waited out until the broadcast stops (a shutdown: the
                    # recipient is then pending, for the next start).
                    keep_trying=lambda: not self._stopping,
                    leaving=partial(store.take, self._db, broadcast.id, delegate_id),
                    not_sent=partial(store.release, self._db, broadcast.id, delegate_id),
                )
            except SenderClosed:
                return  # not taken, or released before waiting: pending for the next start
            except Exception as error:  # a bug in the request; recorded, the others go on
                log.exception("broadcast %s to %s", broadcast.id, delegate_id)
                outcome_status, message_id, reason = "failed", None, repr(error)
            else:
                if outcome.status == "not taken":
                    continue  # another run of this broadcast has it
                outcome_status = "interrupted" if outcome.status == "uncertain" else outcome.status
                message_id, reason = outcome.message_id, outcome.error
            await store.record(
                self._db,
                broadcast.id,
                delegate_id,
                outcome_status,  # type: ignore[arg-type]
                now(),
                message_id=message_id,
                error=reason,
            )
            if outcome_status == "blocked":
                await delegates.mark_blocked(self._db, delegate_id, now())

    def _copy(self, broadcast: Broadcast, recipient: Recipient) -> TelegramMethod[Any]:
        """The delegate's copy, with a "Received" button in their language if asked."""
        content = broadcast.content
        assert recipient.telegram_id is not None
        with self._locale(recipient.language or "en"):
            html = content.html
            if content.reminder_of is not None:
                label = _("Reminder")
                header = f"🔔 {bold(esc(label))}\n\n"
                # A message already at Telegram's limit goes without the header rather than
                # being refused for everyone ("message is too long").
                if visible_length(header + html) <= content_limit(content):
                    html = header + html
            markup = None
            if broadcast.confirm:
                builder = InlineKeyboardBuilder()
                builder.button(
                    text="✅ " + _("Received"),
                    callback_data=BroadcastCb(id=broadcast.confirms, action="ok"),
                )
                markup = builder.as_markup()
        return content_method(content, recipient.telegram_id, html=html, markup=markup)

    # ------------------------------------------------------------------ the organiser's view

    async def _tick(self, broadcast: Broadcast, message_id: int | None, lang: str) -> None:
        shown: Counts | None = None
        while True:
            await self._sleep(self._progress_every)
            counts = await store.counts(self._db, broadcast.id)
            if counts != shown:
                shown = counts
                text = self._progress_text(broadcast, counts, lang)
                await self._edit(broadcast, message_id, text)

    async def _post_progress(self, broadcast: Broadcast, lang: str) -> int | None:
        if broadcast.chat_id is None:
            return None
        counts = await store.counts(self._db, broadcast.id)
        try:
            message = await self._bot.send_message(
                broadcast.chat_id, self._progress_text(broadcast, counts, lang)
            )
        except TelegramAPIError as error:
            log.warning("broadcast %s: no progress message: %s", broadcast.id, error)
            return None
        await store.set_progress_message(
            self._db, broadcast.id, broadcast.chat_id, message.message_id
        )
        return message.message_id

    async def _edit(self, broadcast: Broadcast, message_id: int | None, text: str) -> None:
        if broadcast.chat_id is None or message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                text=text, chat_id=broadcast.chat_id, message_id=message_id
            )
        except TelegramAPIError as error:  # "message is not modified" among others
            log.debug("broadcast %s: progress not edited: %s", broadcast.id, error)

    def _progress_text(self, broadcast: Broadcast, counts: Counts, lang: str) -> str:
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

    def _paused_text(self, broadcast: Broadcast, counts: Counts, lang: str) -> str:
        with self._locale(lang):
            note = fmt(
                _("Paused by a restart: {left} still to send when the bot is back."),
                left=counts.pending + counts.sending,
            )
        return self._progress_text(broadcast, counts, lang).rsplit("\n", 1)[0] + "\n" + note

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

    async def remind_unconfirmed(
        self, broadcast_id: int, *, organiser_id: int, chat_id: int | None
    ) -> int | None:
        """A reminder of the same message to those who have not confirmed; its id, or None
        when there is nobody to remind (or no such broadcast)."""
        original = await store.get(self._db, broadcast_id)
        if original is None or not original.confirm:
            return None
        # A double tap (or two organisers) must not remind the same people twice: the check
        # and the creation go together, and those a reminder is still reaching are left out.
        async with self._remind_lock:
            busy = await store.being_reminded(self._db, original.id)
            pending = [
                r for r in await store.unconfirmed(self._db, original.id)
                if r.delegate_id not in busy
            ]  # fmt: skip
            if not pending:
                return None
            content = Content(
                original.content.kind,
                original.content.html,
                original.content.file_id,
                reminder_of=original.id,
            )
            reminder_id = await self.create(
                organiser_id=organiser_id,
                content=content,
                audience=original.audience,
                confirm=True,
                chat_id=chat_id,
                delegate_ids=[r.delegate_id for r in pending],
            )
        detail = f"#{reminder_id}: reminder of #{broadcast_id}"
        await audit.log_action(self._db, organiser_id, "broadcast", detail, self._clock())
        self.launch(reminder_id)
        return reminder_id

    async def _organiser_language(self, organiser_id: int) -> str:
        delegate = await delegates.by_telegram_id(self._db, organiser_id)
        if delegate is not None and delegate.language:
            return delegate.language
        return await delegates.user_language(self._db, organiser_id) or "en"

    @contextmanager
    def _locale(self, lang: str) -> Iterator[None]:
        with self._i18n.context(), self._i18n.use_locale(lang):
            yield


class _Cursor:
    """Hands a broadcast's pending recipients to its workers one by one, in id order,
    without marking them: a recipient is marked only when its request leaves."""

    def __init__(self, db: Database, broadcast_id: int) -> None:
        self._db = db
        self._broadcast_id = broadcast_id
        self._after = 0
        self._lock = asyncio.Lock()

    async def next(self) -> Recipient | None:
        async with self._lock:
            recipient = await store.next_pending(self._db, self._broadcast_id, self._after)
            if recipient is not None:
                self._after = recipient.delegate_id
            return recipient


def content_method(
    content: Content,
    chat_id: int,
    *,
    html: str | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> TelegramMethod[Any]:
    """The Bot API call that shows `content` in `chat_id` (also the organiser's preview)."""
    html = content.html if html is None else html
    if content.kind == "photo":
        return SendPhoto(chat_id=chat_id, photo=content.file_id, caption=html, reply_markup=markup)
    if content.kind == "document":
        return SendDocument(
            chat_id=chat_id, document=content.file_id, caption=html, reply_markup=markup
        )
    return SendMessage(chat_id=chat_id, text=html, reply_markup=markup)


def visible_length(html: str) -> int:
    """How Telegram measures an HTML text against its limits: without the tags, entities
    decoded, in UTF-16 code units (an emoji outside the BMP counts two)."""
    return utf16_len(html_module.unescape(_TAG.sub("", html)))


def content_limit(content: Content) -> int:
    """Telegram's limit for this content: a message's text, or a caption."""
    return TEXT_LIMIT if content.kind == "text" else CAPTION_LIMIT


async def broadcast_and_wait(
    service: BroadcastService,
    *,
    organiser_id: int,
    content: Content,
    delegate_ids: Sequence[int] | None = None,
    audience: str | None = None,
    confirm: bool = False,
    chat_id: int | None = None,
) -> tuple[int, Counts]:
    """Store a broadcast for these delegates (default: the audience) and run it to the end
    through the sender: one call for benchmarks and tests. Returns (id, final counts)."""
    broadcast_id = await service.create(
        organiser_id=organiser_id,
        content=content,
        audience=audience,
        confirm=confirm,
        chat_id=chat_id,
        delegate_ids=delegate_ids,
    )
    return broadcast_id, await service.run(broadcast_id)
