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
   `Router` answering a fixed text through the same session. A burst row feeds all 1,000
   check-ins at once (as polling does). One more row uses the tests' `RecordingSession`,
   whose Telegram-like HTML check costs time, for comparison.
2. **delivery**: a FakeBotApi (`tests/support/fake_bot_api.py`) answering every request in
   50 ms and refusing (429 with `retry_after`) any message beyond 30 in a sliding second.
   Reminder: one signing whose audience is 500 registered delegates; the notifier's own
   APScheduler job wakes at the due time and the fan-out goes through the PacedSender;
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
   rows through `db.deliveries.claim` (500 per fan-out) + `finish` (one per outcome), on
   the bot's SQLite settings (WAL, synchronous NORMAL); against the standard library's
   `sqlite3` with the same statements, once as one `executemany` transaction (the
   ceiling) and once with one commit per row (the bot's durability: a check-in already
   answered is never lost). No target: the figures show what the layer costs.

`--quick` keeps the data set (200 events, 1,000 delegates) and shrinks the counts that
only lengthen a run: broadcast 300, reminder 150, 2 starts, a burst of 1,000, 3,000 rows.
"""


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
    if len(names) < 5:
        run += "".join(f" --only {n}" for n in names)
    run += "`"
    lines = [
        "# Benchmarks",
        "",
        "Run them all with `python -m bench` (about 5 minutes on 2 cores; `--quick` about 2;",
        "`--only NAME` for one of updates, delivery, startup, memory, database). The command",
        "prints the table below and rewrites this file.",
        "",
        "## Method",
        "",
        METHOD,
        "## Last run",
        "",
        f"{run}, {machine['date']}, {elapsed:.0f} s.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items() if key != "date"),
        "",
        markdown_table(rows),
        "",
    ]
    notes = [f"- {r.bench} / {r.metric}: {r.note}" for r in rows if r.note]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    if failed:
        lines += [f"**Did not run:** {', '.join(failed)} (see the command's output).", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
