"""The outbound budget's rules on an explicit clock: nobody waits for real time here."""

from __future__ import annotations

import heapq
import itertools
import math

from bot.delivery.budget import Budget, Ticket
from bot.delivery.priority import Priority

ANSWER, URGENT, BULK = Priority.ANSWER, Priority.URGENT, Priority.BULK
GROUP = -1001234567890


class Simulation:
    """Drives a budget as the real pump does: every grant becomes a request answered
    ``latency`` seconds later; the clock jumps to the next thing that happens."""

    def __init__(self, budget: Budget, latency: float = 0.05) -> None:
        self.budget = budget
        self.latency = latency
        self.now = 0.0
        self.sent: list[tuple[float, Ticket]] = []
        self._answers: list[tuple[float, int, Ticket]] = []
        self._order = itertools.count()

    def ask(self, chat_id: int, priority: Priority) -> Ticket:
        return self.budget.ask(chat_id, priority, self.now)

    def run(self, until: float) -> None:
        while self.now <= until:
            while self._answers and self._answers[0][0] <= self.now:
                _, _, ticket = heapq.heappop(self._answers)
                self.budget.done(ticket, self.now)
            ticket, wake = self.budget.grant(self.now)
            if ticket is not None:
                self.sent.append((self.now, ticket))
                heapq.heappush(self._answers, (self.now + self.latency, next(self._order), ticket))
                continue
            moments = [m for m in (wake, self._answers[0][0] if self._answers else None) if m]
            if not moments:
                return
            self.now = max(self.now, min(moments))

    def chats(self) -> list[int | str]:
        return [t.chat_id for _, t in self.sent]


def test_an_answer_queued_behind_500_bulk_messages_goes_next() -> None:
    sim = Simulation(Budget(rate=28))
    for chat in range(1, 501):
        sim.ask(chat, BULK)
    sim.run(until=2.0)  # a broadcast under way: ~57 of the 500 gone
    before = len(sim.sent)
    assert 50 <= before <= 60
    sim.ask(9999, ANSWER)
    sim.run(until=sim.now + 0.5)
    assert sim.sent[before][1].chat_id == 9999
    # ... and it waited one slot at most.
    assert sim.sent[before][0] - sim.sent[before - 1][0] <= 1 / 28 + 1e-9


def test_urgent_goes_before_bulk_and_answers_before_both() -> None:
    sim = Simulation(Budget(rate=10))
    for chat in range(1, 6):
        sim.ask(chat, BULK)
    for chat in range(11, 14):
        sim.ask(chat, URGENT)
    sim.ask(21, ANSWER)
    sim.run(until=10)
    assert sim.chats() == [21, 11, 12, 13, 1, 2, 3, 4, 5]


def test_within_a_class_first_come_first_served_between_chats() -> None:
    sim = Simulation(Budget(rate=10))
    for chat in (5, 3, 9, 1):
        sim.ask(chat, URGENT)
    sim.run(until=10)
    assert sim.chats() == [5, 3, 9, 1]


def test_a_chat_waiting_for_its_spacing_does_not_hold_up_the_others() -> None:
    sim = Simulation(Budget(rate=10))
    sim.ask(1, BULK)
    sim.ask(1, BULK)
    sim.ask(2, BULK)
    sim.ask(3, BULK)
    sim.run(until=10)
    assert sim.chats() == [1, 2, 3, 1]
    times = [t for t, ticket in sim.sent if ticket.chat_id == 1]
    assert times[1] - times[0] >= 1.0 + sim.latency - 1e-9


def test_per_chat_spacing_holds_across_classes() -> None:
    """A reminder to a delegate, then their own /next: the answer waits for the gap."""
    sim = Simulation(Budget(rate=28), latency=0.05)
    sim.ask(7, URGENT)
    sim.run(until=0.01)
    sim.now = 0.2
    sim.ask(7, ANSWER)
    sim.ask(8, BULK)  # another chat is not held up meanwhile
    sim.run(until=5)
    (t_reminder, reminder), (t_other, other), (t_answer, answer) = sim.sent
    assert (reminder.priority, other.chat_id, answer.priority) == (URGENT, 8, ANSWER)
    assert t_other == 0.2
    # Spacing counts from the reminder's answer (0.05), so Telegram sees a full second.
    assert t_answer >= t_reminder + sim.latency + 1.0 - 1e-9


def test_the_overall_rate_is_even_and_never_over_30_in_any_second() -> None:
    sim = Simulation(Budget(rate=28))
    for chat in range(1, 301):
        sim.ask(chat, BULK if chat % 3 else URGENT)
    sim.run(until=60)
    times = [t for t, _ in sim.sent]
    assert len(times) == 300
    assert all(b - a >= 1 / 28 - 1e-9 for a, b in itertools.pairwise(times))
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) <= 29  # 28 + rounding


def test_a_group_gets_at_most_20_a_minute() -> None:
    sim = Simulation(Budget(rate=28))
    for _ in range(45):
        sim.ask(GROUP, BULK)
    sim.ask(5, BULK)  # a private chat meanwhile is not held up by the group's limit
    sim.run(until=200)
    times = [t for t, ticket in sim.sent if ticket.chat_id == GROUP]
    assert len(times) == 45
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) == 20
    assert times[20] >= times[0] + 60
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert next(t for t, ticket in sim.sent if ticket.chat_id == 5) < 1


def test_a_channel_username_counts_as_a_group() -> None:
    sim = Simulation(Budget(rate=28))
    for _ in range(21):
        sim.budget.ask("@delegation", URGENT, sim.now)
    sim.run(until=120)
    times = [t for t, _ in sim.sent]
    assert times[20] - times[0] >= 60


def test_retry_after_pauses_every_class() -> None:
    budget = Budget(rate=28)
    first = budget.ask(1, BULK, 0.0)
    assert budget.grant(0.0) == (first, 0.0)
    budget.pause(until=30.0)
    budget.done(first, 0.05)
    answer = budget.ask(2, ANSWER, 1.0)
    assert budget.grant(1.0) == (None, 30.0)
    assert budget.grant(30.0) == (answer, 30.0)


def test_a_retried_message_keeps_its_place_in_its_class() -> None:
    budget = Budget(rate=28, per_chat_interval=0)
    early = budget.ask(1, BULK, 0.0)
    assert budget.grant(0.0)[0] is early
    later = [budget.ask(chat, BULK, 0.0) for chat in (2, 3)]
    budget.done(early, 0.01)  # refused: it is asked for again with its old number
    again = budget.ask(1, BULK, 0.01, seq=early.seq)
    granted = []
    now = 0.01
    while len(granted) < 3:
        ticket, wake = budget.grant(now)
        if ticket is None:
            assert wake is not None
            now = wake
            continue
        granted.append(ticket)
        budget.done(ticket, now)
    assert granted == [again, *later]


def test_pushes_in_flight_are_capped_but_answers_are_not_held_by_the_cap() -> None:
    budget = Budget(rate=math.inf, max_pushes_in_flight=2)
    pushes = [budget.ask(chat, BULK, 0.0) for chat in range(1, 5)]
    answer = budget.ask(99, ANSWER, 0.0)
    assert budget.grant(0.0)[0] is answer
    assert budget.grant(0.0)[0] is pushes[0]
    assert budget.grant(0.0)[0] is pushes[1]
    assert budget.grant(0.0) == (None, None)  # two pushes in flight
    late_answer = budget.ask(98, ANSWER, 0.0)
    assert budget.grant(0.0)[0] is late_answer
    budget.done(pushes[0], 0.1)
    assert budget.grant(0.1)[0] is pushes[2]


def test_a_cancelled_ticket_is_skipped_and_forgotten() -> None:
    budget = Budget(rate=math.inf)
    gone = budget.ask(1, BULK, 0.0)
    kept = budget.ask(2, BULK, 0.0)
    budget.cancel(gone)
    assert budget.grant(0.0)[0] is kept
    assert budget.grant(0.0) == (None, None)
    assert budget.queued() == 0


def test_unlimited_hands_out_everything_at_once() -> None:
    budget = Budget.unlimited()
    tickets = [budget.ask(1, ANSWER, 0.0) for _ in range(3)]
    for ticket in tickets:
        assert budget.grant(0.0)[0] is ticket
        budget.done(ticket, 0.0)


# --- take_now: a turn at once when nothing waits (most answers) -----------------------------


def test_take_now_grants_an_idle_chat_and_refuses_a_busy_or_spaced_one() -> None:
    budget = Budget(rate=28)
    first = budget.take_now(7, ANSWER, 0.0)
    assert first is not None and first.granted
    assert budget.take_now(7, ANSWER, 0.5) is None  # its message is in flight
    budget.done(first, 0.05)
    assert budget.take_now(7, ANSWER, 0.9) is None  # one a second to a private chat
    again = budget.take_now(7, ANSWER, 1.05)
    assert again is not None
    assert budget.queued() == 0  # a refusal queues nothing: the caller asks as usual


def test_take_now_keeps_the_overall_rate_and_the_pause() -> None:
    budget = Budget(rate=28)
    assert budget.take_now(1, ANSWER, 10.0) is not None
    assert budget.take_now(2, ANSWER, 10.0) is None  # the next slot is 1/28 s later
    assert budget.take_now(2, ANSWER, 10.0 + 1 / 28) is not None
    budget.pause(until=20.0)
    assert budget.take_now(3, ANSWER, 19.9) is None
    assert budget.take_now(3, ANSWER, 20.0) is not None


def test_take_now_keeps_a_group_to_20_a_minute() -> None:
    budget = Budget(rate=28)
    now, granted = 0.0, []
    while now < 60:
        ticket = budget.take_now(GROUP, BULK, now)
        if ticket is not None:
            granted.append(now)
            budget.done(ticket, now + 0.05)
        now += 0.5
    assert len(granted) == 20
    assert budget.take_now(GROUP, BULK, granted[0] + 60 + 1.1) is not None


def test_take_now_caps_pushes_in_flight_but_not_answers() -> None:
    budget = Budget(rate=math.inf, per_chat_interval=0.0, max_pushes_in_flight=2)
    assert budget.take_now(1, BULK, 0.0) is not None
    assert budget.take_now(2, URGENT, 0.0) is not None
    assert budget.take_now(3, BULK, 0.0) is None
    assert budget.take_now(4, ANSWER, 0.0) is not None


def test_take_now_then_ask_a_queued_message_waits_for_the_spacing() -> None:
    """A chat granted at once and then asked for through the queue: the rules are one."""
    sim = Simulation(Budget(rate=28), latency=0.05)
    now_granted = sim.budget.take_now(7, ANSWER, 0.0)
    assert now_granted is not None
    sim.budget.done(now_granted, 0.05)
    sim.ask(7, URGENT)
    sim.run(until=5)
    ((t, ticket),) = sim.sent
    assert ticket.chat_id == 7 and t >= 1.05 - 1e-9


def test_idle_chats_granted_at_once_are_forgotten() -> None:
    budget = Budget(rate=math.inf)
    for chat in range(1, 501):
        ticket = budget.take_now(chat, ANSWER, float(chat) * 0.01)
        assert ticket is not None
        budget.done(ticket, float(chat) * 0.01)
    budget.take_now(10_000, ANSWER, 100.0)
    assert len(budget._chats) <= 2  # the 500 rested chats went; memory stays bounded


def test_a_group_posted_to_now_and_then_still_gets_at_most_20_a_minute() -> None:
    """Notices one at a time, each after the last went: the group is idle in between, and
    its turns of the last minute must still count (they were forgotten with the chat)."""
    sim = Simulation(Budget(rate=28), latency=0.05)
    for n in range(30):
        sim.now = max(sim.now, n * 1.5)
        sim.ask(GROUP, URGENT)
        sim.run(until=sim.now + 1.2)
    sim.run(until=300)
    times = [t for t, ticket in sim.sent if ticket.chat_id == GROUP]
    assert len(times) == 30
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) == 20
