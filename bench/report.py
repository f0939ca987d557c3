"""BENCHMARKS.md: the method, the machine, the date and the table of one run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.common import Row, Sizes, markdown_table

METHOD = """\
Every benchmark runs the project's real code and, **in the same run**, a baseline; the
ratio column (value ÷ baseline) is the figure to compare between machines, since absolute
times on shared machines are noisy. Everything binds to 127.0.0.1 and every process and
server a benchmark starts is stopped in a `finally`.

1. **updates**: `/schedule`, `/next` and `/checkin` from 1,000 registered delegates
   (a generated forum of 200 events over four days, eight sub-delegations; the clock set to
   day 2, 09:45 forum time, when exactly one event is open for check-in), pushed one after
   the other through the real `Dispatcher.feed_update` (middlewares, filters, database,
   i18n, rendering). The Bot API session (`bench/sessions.py`) serialises every request as
   aiogram's HTTP session would and answers without a network. Baseline: a bare aiogram
   `Router` answering a fixed text through the same session, alternated with the bot for
   5 rounds (3 with `--quick`), the median rate of each. A burst row feeds all 1,000
   check-ins at once (as polling does). One more row uses the tests' `RecordingSession`,
   whose Telegram-like HTML check costs time, for comparison.
2. **delivery**: a FakeBotApi (`tests/support/fake_bot_api.py`) answering every request in
   50 ms and refusing (429 with `retry_after`) any message beyond 30 in a sliding second.
   Reminder: one signing whose audience is 500 registered delegates; the notifier's own
   APScheduler job wakes at the due time (the day's morning briefings are recorded as sent
   already, so only the reminder goes) and the fan-out goes through the PacedSender;
   lateness = the request reaching the server − the due time. Broadcast: the
   BroadcastService to 1,000 registered delegates; sustained rate = messages ÷ the span
   between the first and last accepted request. Baseline: the physical limit, 30/s.
3. **start-up**: `python -m bot` as a subprocess (the same forum, 1,000 delegates already
   imported and registered), from the spawn to the first `getUpdates` the server records;
   against `bench/bare_bot.py` (Bot + Dispatcher + `start_polling`), alternated, median of
   5 starts each (2 with `--quick`). Also the import of that forum file: `python -m bot
   import FILE` wall time (interpreter included) and `import_forum_text` in process.
4. **memory**: peak RSS (`VmHWM` from `/proc/PID/status`) of `python -m bot` after a burst
   of 2,000 updates (`/schedule` and `/next` alternately from the 1,000 delegates, pushed
   into the FakeBotApi's `getUpdates`, every one answered), against the bare bot after the
   same burst.
5. **database**: 10,000 check-ins through `db.attendance.check_in` and 10,000 reminder log
   rows through `db.deliveries.record` (500 per fan-out), `take` (one commit before each
   request) and `finish` (one per outcome), on
   the bot's SQLite settings (WAL, synchronous NORMAL); against the standard library's
   `sqlite3` with the same statements, once as one `executemany` transaction (the
   ceiling) and once with one commit per row (the bot's durability: a check-in already
   answered is never lost). No target: the figures show what the layer costs.

6. **contention**: the FakeBotApi at 50 ms, refusing beyond 30 messages a second overall
   and one a second per chat; the bot polls it in process. A broadcast to 1,000 registered
   delegates is confirmed 5 s before a signing's reminder falls due for 100 of them; from
   2.5 s before that due time to 2.5 s after it, 50 delegates across the delegation send
   /next, one every 0.1 s. Latency of an answer: the update pushed → the answer reaching
   the server. The broadcast's rate: every message the server accepted between the
   broadcast's first and last (the budget's use), and the broadcast's own beside it.
   Baseline: the same run with answers bypassing the budget (straight to the Bot API, as
   before issue 10), so the difference shows.

`--quick` keeps the data set (200 events, 1,000 delegates) and shrinks the counts that
only lengthen a run: broadcast 300, reminder 150, 2 starts, a burst of 1,000, 3,000 rows.
"""

FINDINGS = """\
Fixed (each commit message carries its before/after figures):

- **Issue 10, one outbound budget**: every message the bot sends, answers included, takes
  its turn in `bot/delivery/budget.py` (an aiogram request middleware on the session),
  answers before urgent pushes before bulk. In the contention run with answers bypassing
  the budget, answers met 429 and were lost (the handler saw `TelegramRetryAfter`); with
  the budget all 50 are answered and nothing meets 429 (table below).
- **Updates after the layout change** (cProfile of 1,000 `/schedule`, `/next`, `/checkin`):
  a day's text and a button per event (a pydantic model each) were ~40% of a `/schedule`,
  the card's buttons a third of a `/next`, the delegate's row (a trip to aiosqlite's thread)
  part of every update, Babel's `format_date` a tenth of a `/next`, and a check-in four
  trips to the database's thread. Now: a day rendered once per programme version, day,
  agenda and language, a card's buttons once per state (`bot/views/programme_messages.py`,
  `RenderCache`); day labels formatted once; a check-in one statement with `RETURNING`.
  Same machine, quick runs: `/schedule` 641 → ~1,100-1,500 updates/s, `/next` 739 →
  ~1,000-1,340, `/checkin` 608 → ~850-940.
- **A trip to aiosqlite's thread per statement, ~0.3 ms of the loop's time** (issue 10's
  second profile, timing each part of an update with the CPU clock): the statement itself
  costs SQLite microseconds, the trip there and back most of a plain answer, and every
  update made one (the sender's delegate row; the row cache only helped someone asking
  twice with no write between, so never in a check-in burst), `/next` two, `/checkin` two.
  `db.connection.Database.read_one`/`write_one` run statements of one row by its key on
  a plain `sqlite3` connection on the loop's thread that never waits (busy timeout zero,
  WAL readers do not wait for writers, a statement that cannot run at once goes through the
  thread) and never checkpoints. `/schedule` 0.96 → 0.74 ms, `/next` 0.96 → 0.77,
  `/checkin` 1.29 → 1.00 (wall, same run). Then: the routers in the order of use (each one
  an update passes costs ~40 µs; `/checkin` passed six: 0.92 → 0.65 ms by itself), the
  bot's session serialising plain JSON in one walk (`bot/session.py`: `/schedule` 0.69 →
  0.62 ms of CPU), Babel's durations remembered, metric children looked up once, filters
  that name what they read, Command filters that refuse another command at a glance
  (`handlers.filters.Cmd`: aiogram raised and caught an exception for each), `/checkin`
  on its router rather than a sub-router, two update middlewares folded into the layers
  next to them. Quick runs: 0.21-0.35× → 0.48-0.55× for `/schedule` and `/next`,
  0.22× → 0.45-0.47× for `/checkin`.
- **The last 10% to 0.5× the bare router** (issue 10's third profile): cProfile's cost
  per call hid where the time went, so each part of an update was timed with
  `perf_counter` marks at every middleware, router, handler and session layer, the median
  of 1,000 `/checkin`s (0.67 ms), and each fix measured in alternating runs of five:
  - **the width of an update's data**: aiogram copies it at each router, filter and
    handler an update passes, and it had 27 keys against the bare router's 12 (fifteen
    keys more cost the bare router itself 8%). Six services few handlers use, and
    `i18n`, now reach only the handlers that name them (`bot.dispatcher.provide`, an inner
    middleware of their routers): `/checkin` 0.51 → 0.54×;
  - **prometheus_client's locked `inc()`** on every update and message: plain counts read
    at each scrape (`bot.metrics._HotCounts`): 0.50-0.52 → 0.53-0.54×;
  - **the budget's queue for an answer nobody waits before**: a ticket, a future, two heaps
    and a hand-out, 23 µs; `Budget.take_now` grants the same turn at once (11 µs);
  - **routers that take only commands** passed a /checkin through their filters and each
    handler's (47 µs for the programme's): a gate built from their own `Cmd` filters
    refuses it first (27 µs), and `Cmd` answers a plain command's match itself (7 µs);
  - two update middlewares and the i18n layer on every observer folded into
    `ViewerMiddleware` and `UpdatesInFlight`.
  What is left is spread thin: the check-in's durable commit (~44 µs in place), the
  sender's row (~35 µs), aiogram's own visit of each router (~20 µs), rendering (~20 µs).
  The rows below are the median of alternating rounds (one pass varied ±0.03×).
- **aiogram's `InlineKeyboardBuilder` is quadratic**: it deep-copies the whole markup,
  pydantic buttons included, on every `button()`, `adjust()` and `as_markup()`. A day of 15
  events spent ~18 ms of a ~20 ms `/schedule` in `copy.deepcopy` (cProfile).
  `bot/keyboards.py` (`Keyboard`, same calls, same layout, tested against aiogram's) took
  `/schedule` from 118 to 355 updates/s in the same run; reminders and notices use it too.
- **Unbounded concurrency in a burst**: aiogram keeps polling while handlers run, so
  1,000 queued updates were all in flight at once; the bot's peak RSS rose 75 MiB
  (1.44× the bare bot). `tasks_concurrency_limit=100` in `bot/cli.py`: 1.09×.
- **Briefing plan per delegate × event**: `planned_briefings` converted 200 event starts to
  the forum day for each of 1,000 delegates (200,000 `astimezone` calls, 0.43 of the
  0.54 s `App.start`, and again at every reminder wake-up). Per event and per group now:
  `App.start` 0.15 s; start-up from 1.34× to ~1.0–1.2× the bare bot.
- **Each group's agenda worked out again for every delegate and update**: `/schedule`,
  `/next`, `/my`, `/calendar` and `/checkin` filtered the 200 events for the delegate's
  audience and converted their days each time (~0.25 ms). The `Programme` cache now keeps
  one `Agenda` per kind of viewer, dropped with the programme on every change.
- **Three trips to aiosqlite's thread per read** (execute, fetch, close a cursor): every
  update reads its delegate, so `Database.fetchone`/`fetchall` use `execute_fetchall`, one
  trip. With the agendas, same quick run: `/schedule` 407 -> 687 updates/s (0.13× -> 0.27×
  the bare router), `/next` 660 -> 899 (0.21× -> 0.27×).

No target, or met with little margin:

- **database**: no target. Each check-in is one `INSERT ... ON CONFLICT ... RETURNING`
  committed on its own (the per-row durability the features promise), on the loop's own
  connection when it can run at once; batching would lose that durability.
- **delivery**: targets met, with little margin on the last reminder (17.9–18.3 s against
  500/27 = 18.5 s): the PacedSender runs at 28/s (500/28 = 17.9 s), and the first message
  left 0.1–0.45 s after the due time across runs: the notifier records all 500 rows as
  pending in one transaction before the first request (so that a crash loses none), then
  takes each in its own commit just before it goes.
"""


def _previous_rows(path: Path, run: set[str]) -> tuple[list[str], str]:
    """The table rows of the last report for benchmarks not in this run, and which run
    they came from (a partial run keeps the others' figures instead of dropping them)."""
    if not path.exists():
        return [], ""
    text = path.read_text(encoding="utf-8")
    if "## Last run" not in text:
        return [], ""
    last = text.split("## Last run", 1)[1]
    origin = next((line for line in last.splitlines() if line.startswith("`python -m bench")), "")
    kept_from = origin.rstrip(".")
    if any(line.startswith("Rows of ") for line in last.splitlines()):
        kept_from += ", and the runs before it"
    kept = [
        line
        for line in last.splitlines()
        if line.startswith("| ") and not line.startswith("| benchmark")
        and not line.startswith("| machine") and line.split("|")[1].strip() not in run
        and line.count("|") == 8
    ]  # fmt: skip
    return kept, kept_from


def write_report(
    path: Path,
    rows: Sequence[Row],
    machine: dict[str, str],
    sizes: Sizes,
    names: Sequence[str],
    elapsed: float,
    failed: Sequence[str],
) -> None:
    run = "`python -m bench" + (" --quick" if sizes.quick else "")
    if len(names) < 6:
        run += "".join(f" --only {n}" for n in names)
    run += "`"
    kept, kept_from = _previous_rows(path, {r.bench for r in rows})
    lines = [
        "# Benchmarks",
        "",
        "Run them all with `python -m bench` (3 to 4 minutes on 2 cores; `--quick` about 1.5;",
        "`--only NAME` for one of updates, delivery, startup, memory, database, contention). The",
        "command prints the table below and rewrites this file; the rows of benchmarks it did",
        "not run are kept from the previous run, which the line under the table names.",
        "",
        "## Method",
        "",
        METHOD,
        "## What the profiles showed",
        "",
        FINDINGS,
        "## Last run",
        "",
        f"{run}, {machine['date']}, {elapsed:.0f} s.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items() if key != "date"),
        "",
        markdown_table(rows),
        *kept,
        "",
    ]
    if kept:
        lines += [f"Rows of benchmarks not in this run are from earlier runs: {kept_from}.", ""]
    notes = [f"- {r.bench} / {r.metric}: {r.note}" for r in rows if r.note]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    if failed:
        lines += [f"**Did not run:** {', '.join(failed)} (see the command's output).", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
