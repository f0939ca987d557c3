"""The one outbound budget: who may send the next message, and when (a plain rule, no I/O).

Telegram lets a bot send about 30 messages a second overall, about one a second to a
private chat and 20 a minute to a group or channel. Every message the bot sends asks this
budget for a turn (see :mod:`bot.delivery.outbound`), whoever sends it:

- turns are handed out evenly, ``rate`` a second overall;
- a chat gets its next message ``per_chat_interval`` after its previous one was answered
  (so Telegram sees the gap too), and a group or channel at most ``group_limit`` in any
  ``group_window`` seconds; a chat that has to wait does not hold up the others;
- of the chats that may have a message now, the highest class goes first (answers, then
  urgent pushes, then bulk: :class:`~bot.delivery.priority.Priority`), and within a class
  the message asked for first: a higher class never waits behind a lower one, and the
  fairness between chats within a class is first come, first served;
- pushes (urgent and bulk) have at most ``max_pushes_in_flight`` requests in flight; answers
  are not held back by them;
- after a 429 nothing is handed out until Telegram's ``retry_after`` has passed.

The clock is a parameter of every call, so the rules are tested without waiting.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field

from bot.delivery.priority import Priority

ChatId = int | str
# How late (in intervals) a turn may be handed out and still keep the schedule: this
# absorbs a timer's small lateness (which would otherwise lower the rate) without a burst.
_CATCH_UP = 0.25
_CLASSES = tuple(Priority)


def is_group(chat_id: ChatId) -> bool:
    """Groups, supergroups and channels have negative ids (or an ``@username``)."""
    return isinstance(chat_id, str) or chat_id < 0


@dataclass(eq=False, slots=True)
class Ticket:
    """One message waiting for its turn."""

    chat_id: ChatId
    priority: Priority
    seq: int
    granted: bool = False
    cancelled: bool = False


@dataclass(slots=True)
class _Chat:
    queues: tuple[deque[Ticket], ...] = field(
        default_factory=lambda: tuple(deque() for _ in _CLASSES)
    )
    busy: bool = False  # a message to this chat is in flight
    ready_at: float = -math.inf  # the earliest time of its next message
    waiting: bool = False  # in the waiting heap
    recent: deque[float] = field(default_factory=deque)  # a group's last turns

    def head(self, priority: Priority) -> Ticket | None:
        queue = self.queues[priority]
        while queue and queue[0].cancelled:
            queue.popleft()
        return queue[0] if queue else None

    def idle(self) -> bool:
        return not self.busy and all(self.head(p) is None for p in _CLASSES)

    def rested(self, now: float | None, window: float) -> bool:
        """Idle, and nothing of its past matters any more: a group's turns of the last
        ``window`` seconds are its limit's memory (``now`` None: any turn counts)."""
        remembered = bool(self.recent) and (now is None or self.recent[-1] + window > now)
        return self.idle() and not remembered


class Budget:
    """Hands out turns; see the module's docstring. Not thread-safe; one event loop."""

    def __init__(
        self,
        *,
        rate: float = 28.0,
        per_chat_interval: float = 1.0,
        group_limit: int = 20,
        group_window: float = 60.0,
        max_pushes_in_flight: int = 16,
    ) -> None:
        self.interval = 0.0 if math.isinf(rate) else 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.group_limit = group_limit
        self.group_window = group_window
        self.max_pushes_in_flight = max_pushes_in_flight
        self._seq = itertools.count()
        self._chats: dict[ChatId, _Chat] = {}
        # Per class: (seq of a chat's first ticket of that class, chat) for chats that may
        # send now; entries go stale and are checked when they come to the top.
        self._ready: tuple[list[tuple[int, ChatId]], ...] = tuple([] for _ in _CLASSES)
        self._waiting: list[tuple[float, int, ChatId]] = []  # (ready_at, tiebreak, chat)
        self._in_flight = [0 for _ in _CLASSES]
        self._next_slot = -math.inf
        self.paused_until = -math.inf

    @classmethod
    def unlimited(cls) -> Budget:
        """No limits at all (benchmarks of handler cost, the offline demo)."""
        return cls(
            rate=math.inf,
            per_chat_interval=0.0,
            group_limit=10**9,
            max_pushes_in_flight=10**9,
        )

    # ------------------------------------------------------------ asking and answering

    def ask(
        self, chat_id: ChatId, priority: Priority, now: float, seq: int | None = None
    ) -> Ticket:
        """Queue a message for ``chat_id``. A retried message passes its old ``seq`` and so
        keeps its place (it was asked for first)."""
        ticket = Ticket(chat_id, priority, next(self._seq) if seq is None else seq)
        chat = self._chats.setdefault(chat_id, _Chat())
        queue = chat.queues[priority]
        if queue and queue[-1].seq > ticket.seq:
            # A retry goes before the tickets asked for after it.
            position = next(i for i, t in enumerate(queue) if t.seq > ticket.seq)
            queue.insert(position, ticket)
        else:
            queue.append(ticket)
        self._list(chat_id, chat, now, only=priority)
        return ticket

    def take_now(self, chat_id: ChatId, priority: Priority, now: float) -> Ticket | None:
        """A turn granted at once, when no other message waits for one (the caller knows:
        see :meth:`bot.delivery.outbound.Outbound.ask`) and this one may go now; else None,
        and nothing changed. The same turn :meth:`ask` then :meth:`grant` would give, without
        queueing it: most answers meet an idle budget."""
        if self.paused_until > now:
            return None
        self._wake_waiting(now)  # forgets idle chats, as grant() does
        chat = self._chats.get(chat_id)
        if chat is not None and (chat.busy or chat.ready_at > now):
            return None
        if priority != Priority.ANSWER and self._pushes_capped():
            return None
        if self._slot_at(now) > now:
            return None
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
        ticket = Ticket(chat_id, priority, next(self._seq))
        self._start(ticket, chat, now)
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        """The sender gave up waiting (or shut down) before its turn."""
        if not ticket.granted:
            ticket.cancelled = True
            chat = self._chats.get(ticket.chat_id)
            if chat is not None and not chat.waiting and chat.rested(None, self.group_window):
                del self._chats[ticket.chat_id]

    def done(self, ticket: Ticket, now: float, *, delay: float = 0.0) -> None:
        """The granted request has its answer (or failed): the chat's spacing counts from
        now (or ``delay`` later, when the chat must wait longer)."""
        if not ticket.granted:
            return
        ticket.granted = False  # done once
        self._in_flight[ticket.priority] -= 1
        chat = self._chats[ticket.chat_id]
        chat.busy = False
        chat.ready_at = max(chat.ready_at, now + max(self.per_chat_interval, delay))
        if is_group(ticket.chat_id) and len(chat.recent) >= self.group_limit:
            chat.ready_at = max(chat.ready_at, chat.recent[0] + self.group_window)
        if chat.ready_at <= now and chat.rested(now, self.group_window):
            del self._chats[ticket.chat_id]
            return
        self._list(ticket.chat_id, chat, now)

    def pause(self, until: float) -> None:
        """Telegram said "retry after": nothing is handed out before ``until``."""
        self.paused_until = max(self.paused_until, until)

    # ------------------------------------------------------------ handing out turns

    def grant(self, now: float) -> tuple[Ticket | None, float | None]:
        """The ticket whose turn it is now, if any, and otherwise when to ask again (None:
        when something changes)."""
        if self.paused_until > now:
            return None, self.paused_until
        self._wake_waiting(now)
        wake: float | None = self._waiting[0][0] if self._waiting else None
        pushes_capped = self._pushes_capped()
        for priority in _CLASSES:
            if priority != Priority.ANSWER and pushes_capped:
                break  # pushes wait for a request to end; answers went first already
            ticket = self._first_ready(priority, now)
            if ticket is None:
                continue
            slot = self._slot_at(now)
            if slot > now:
                return None, slot if wake is None else min(wake, slot)
            self._hand_out(ticket, now)
            return ticket, now
        return None, wake

    def queued(self) -> int:
        """Tickets waiting for a turn."""
        return sum(
            1 for chat in self._chats.values() for q in chat.queues for t in q if not t.cancelled
        )

    def _pushes_capped(self) -> bool:
        pushes = self._in_flight[Priority.URGENT] + self._in_flight[Priority.BULK]
        return pushes >= self.max_pushes_in_flight

    def _slot_at(self, now: float) -> float:
        """When the next turn may go, overall (``rate``)."""
        if self._next_slot < now - self.interval * _CATCH_UP:
            self._next_slot = now  # idle, or far behind: a fresh schedule
        return self._next_slot

    def _first_ready(self, priority: Priority, now: float) -> Ticket | None:
        heap = self._ready[priority]
        while heap:
            seq, chat_id = heap[0]
            chat = self._chats.get(chat_id)
            head = chat.head(priority) if chat is not None else None
            if chat is None or head is None or chat.busy:
                heapq.heappop(heap)  # stale: granted or cancelled; listed again at done()
                continue
            if head.seq != seq:  # its first ticket was cancelled, or a retry went before it
                heapq.heapreplace(heap, (head.seq, chat_id))
                continue
            if chat.ready_at > now:
                heapq.heappop(heap)
                self._list(chat_id, chat, now)  # back to the waiting heap
                continue
            return head
        return None

    def _hand_out(self, ticket: Ticket, now: float) -> None:
        """A queued ticket, first of its chat and class and first ready, gets its turn."""
        chat = self._chats[ticket.chat_id]
        chat.queues[ticket.priority].popleft()
        heapq.heappop(self._ready[ticket.priority])
        self._start(ticket, chat, now)

    def _start(self, ticket: Ticket, chat: _Chat, now: float) -> None:
        """The turn is ``ticket``'s: it takes the overall slot, its chat is busy until
        :meth:`done`, and a group counts it against its limit."""
        self._next_slot += self.interval
        chat.busy = True
        ticket.granted = True
        self._in_flight[ticket.priority] += 1
        if is_group(ticket.chat_id):
            chat.recent.append(now)
            while len(chat.recent) > self.group_limit:
                chat.recent.popleft()

    def _list(
        self, chat_id: ChatId, chat: _Chat, now: float, only: Priority | None = None
    ) -> None:
        """Put the chat where it belongs: ready (one entry per class it has tickets of, or
        for ``only``), waiting for its spacing, or nowhere while a message to it is in
        flight."""
        if chat.busy:
            return
        if chat.ready_at > now:
            if not chat.waiting:
                chat.waiting = True
                heapq.heappush(self._waiting, (chat.ready_at, next(self._seq), chat_id))
            return
        for priority in _CLASSES if only is None else (only,):
            head = chat.head(priority)
            if head is not None:
                heapq.heappush(self._ready[priority], (head.seq, chat_id))

    def _wake_waiting(self, now: float) -> None:
        while self._waiting and self._waiting[0][0] <= now:
            ready_at, _, chat_id = heapq.heappop(self._waiting)
            chat = self._chats.get(chat_id)
            if chat is None:
                continue
            chat.waiting = False
            if chat.ready_at > ready_at:  # its spacing grew meanwhile
                self._list(chat_id, chat, now)
            elif chat.rested(now, self.group_window):
                del self._chats[chat_id]  # a group still within its window stays (few)
            else:
                self._list(chat_id, chat, now)
