"""The delegation's group or channel (``ANNOUNCE_CHAT_ID``): the bot only posts there.

Change notices (of events and of departures) are posted once per change, in
``ANNOUNCE_LANGUAGE``, and a broadcast when its organiser chose "also post to the
delegation chat"; each post is a row of
``db.announcements``, so a restart neither loses nor repeats one. Members who type
commands in that chat still get nothing (the programme stays out of groups:
``bot.middlewares.ViewerMiddleware``).

At start the bot checks that it may post there (``getChat``, its own ``getChatMember``;
in a channel, the right to post) and, if not, says so in the log and to the organisers,
once, and serves everyone else as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import AiogramError, TelegramAPIError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import ChatMemberAdministrator, ChatMemberRestricted
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.delivery.priority import Priority
from bot.delivery.sender import UNCERTAIN, PacedSender, SenderClosed, SendOutcome
from bot.views import logistics as logistics_views
from bot.views import notices
from bot.views.texts import fmt
from db import announcements, delegates
from db.announcements import PostStatus
from db.connection import Database
from schedule.clock import Clock
from schedule.departures import departure_notice_facts, is_departure_key
from schedule.model import Forum
from schedule.reminders import notice_facts, notice_retry_until
from schedule.services.programme import NoForumError, Programme

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatCheck:
    """Whether the bot may post in the chat; if not, why (a key of :func:`reason_text`)."""

    may_post: bool
    reason: str | None = None
    detail: str = ""


def reason_text(reason: str | None) -> str:
    if reason == "no_chat":
        return _("the chat was not found, or the bot is not in it.")
    if reason == "channel_rights":
        return _("the bot is not an administrator of this channel allowed to post in it.")
    return _("the bot may not send messages in this group.")


def may_post(chat_type: str, member: object) -> ChatCheck:
    """The rule: in a channel only an administrator with the right to post (or its
    creator); in a group anyone who is in it and not restricted from sending."""
    status = getattr(member, "status", None)
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        return ChatCheck(False, "no_chat", f"the bot's status there is {status}")
    if chat_type == ChatType.CHANNEL:
        if status == ChatMemberStatus.CREATOR:
            return ChatCheck(True)
        if isinstance(member, ChatMemberAdministrator) and member.can_post_messages:
            return ChatCheck(True)
        return ChatCheck(False, "channel_rights", "not an administrator with can_post_messages")
    if isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
        return ChatCheck(False, "group_rights", "restricted: can_send_messages is false")
    return ChatCheck(True)


class AnnounceChat:
    def __init__(
        self,
        *,
        bot: Bot,
        db: Database,
        sender: PacedSender,
        programme: Programme,
        i18n: I18n,
        clock: Clock,
        chat_id: int | str,
        language: str,
        organiser_ids: Collection[int],
    ) -> None:
        self.bot = bot
        self.db = db
        self.sender = sender
        self.programme = programme
        self.i18n = i18n
        self.clock = clock
        self.chat_id = chat_id
        self.language = language
        self.organiser_ids = tuple(sorted(organiser_ids))
        self.last_check: ChatCheck | None = None
        self._posting = asyncio.Lock()

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        for key in await announcements.interrupt_stale(self.db):
            log.warning("post %s in the delegation chat was interrupted by a stop", key)
        await self.check()

    async def stop(self) -> None:
        return None

    async def check(self) -> ChatCheck:
        """May the bot post there? If not: the log and the organisers are told (once, at
        start), and the bot serves anyway."""
        try:
            chat = await self.bot.get_chat(self.chat_id)
            member = await self.bot.get_chat_member(self.chat_id, self.bot.id)
        except (TelegramAPIError, AiogramError) as error:
            result = ChatCheck(False, "no_chat", str(getattr(error, "message", error)))
        else:
            result = may_post(chat.type, member)
        self.last_check = result
        if result.may_post:
            log.info("posting change notices in the delegation chat %s", self.chat_id)
        else:
            log.error(
                "ANNOUNCE_CHAT_ID=%s: the bot cannot post there (%s); serving anyway, change "
                "notices go to the delegates only until it can",
                self.chat_id, result.detail,
            )  # fmt: skip
            await self._tell_organisers(result)
        return result

    async def _tell_organisers(self, result: ChatCheck) -> None:
        for organiser in self.organiser_ids:
            lang = await delegates.user_language(self.db, organiser) or "en"
            with self.i18n.context(), self.i18n.use_locale(lang):
                text = fmt(
                    _(
                        "⚠️ The bot cannot post in the delegation chat ({chat}): {reason} It "
                        "serves the delegates as usual; change notices are posted there once "
                        "it can."
                    ),
                    chat=str(self.chat_id),
                    reason=reason_text(result.reason),
                )
            try:
                outcome = await self.sender.send(
                    organiser, SendMessage(chat_id=organiser, text=text), priority=Priority.URGENT
                )
            except SenderClosed:
                return
            if outcome.status != "sent":
                log.warning("could not tell organiser %s: %s", organiser, outcome.error)

    # ------------------------------------------------------------ posting

    async def post_pending_notices(self) -> int:
        """Post every change notice queued for the chat (oldest first); returns how many
        were posted."""
        async with self._posting:  # two runs at once would only take turns per row anyway
            posts = [
                p for p in await announcements.pending(self.db)
                if not announcements.is_broadcast_key(p.key)
            ]  # fmt: skip
            if not posts:
                return 0
            try:
                forum = await self.programme.forum()
            except NoForumError:
                return 0
            posted = 0
            for post in posts:
                notice = self._notice(post.key, forum)
                if isinstance(notice, str):
                    await announcements.finish(
                        self.db, post.key, "failed", self.clock(), error=notice
                    )
                    continue
                text, until = notice
                outcome = await self._post(
                    post.key,
                    SendMessage(chat_id=self.chat_id, text=text),
                    Priority.URGENT,
                    keep_trying=lambda until=until: self.clock() < until,
                )
                posted += outcome is not None and outcome.status == "sent"
            return posted

    def _notice(self, key: str, forum: Forum) -> tuple[str, datetime] | str:
        """A change notice's text in the chat's language and until when it is worth posting
        (an event's end, a departure's time), or why it cannot be posted."""
        if is_departure_key(key):
            facts = departure_notice_facts(key)
            transport = forum.transport(facts.transport_id)
            if transport is None:
                return "the transport is gone"
            with self.i18n.context(), self.i18n.use_locale(self.language):
                return logistics_views.notice_text(facts, transport, forum), transport.departs
        event_facts = notice_facts(key)
        event = next((e for e in forum.events if e.id == event_facts.event_id), None)
        if event is None:
            return "the event is gone"
        with self.i18n.context(), self.i18n.use_locale(self.language):
            return notices.notice_text(event_facts, event, forum), notice_retry_until(event)

    async def post_broadcast(self, broadcast_id: int, method: TelegramMethod[Any]) -> None:
        """A broadcast's copy in the chat (``method``), if its organiser asked for one
        (bulk, like the broadcast)."""
        key = announcements.broadcast_key(broadcast_id)
        post = await announcements.get(self.db, key)
        if post is None or post.status != "pending":
            return
        await self._post(key, method, Priority.BULK, keep_trying=None)

    async def _post(
        self,
        key: str,
        method: TelegramMethod[Any],
        priority: Priority,
        keep_trying: Callable[[], bool] | None,
    ) -> SendOutcome | None:
        try:
            outcome = await self.sender.send(
                self.chat_id,
                method,
                priority=priority,
                keep_trying=keep_trying or (lambda: True),
                leaving=partial(announcements.take, self.db, key),
                not_sent=partial(announcements.release, self.db, key),
            )
        except SenderClosed:
            return None  # pending: posted at the next start
        if outcome.status == "not taken":
            return outcome
        status: PostStatus = "failed"
        error = outcome.error
        if outcome.status == "sent":
            status = "sent"
        elif outcome.status == "uncertain":
            status, error = "interrupted", outcome.error or UNCERTAIN
        if status != "sent":
            log.warning("post %s in the delegation chat: %s", key, error)
        await announcements.finish(
            self.db, key, status, self.clock(), message_id=outcome.message_id, error=error
        )
        return outcome
