"""The benchmarks import and the database one produces figures (no speed is asserted)."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

from bench.__main__ import BENCHMARKS
from bench.common import Sizes, markdown_table, percentile, text_table
from bench.forum import first_day, forum_toml
from schedule.forum_file import parse_forum


@pytest.mark.parametrize("module", sorted(BENCHMARKS.values()))
def test_every_benchmark_module_imports(module: str) -> None:
    assert callable(importlib.import_module(module).run)


def test_generated_forum_is_valid() -> None:
    forum = parse_forum(forum_toml(events=200, delegates=1000, start=first_day()), "bench")
    assert len(forum.events) == 200
    assert len(forum.delegates) == 1000


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0


async def test_database_benchmark_produces_figures() -> None:
    database = importlib.import_module("bench.database")
    rows = await database.run(replace(Sizes.for_run(quick=True), db_rows=40))
    assert len(rows) == 4
    for row in rows:
        assert row.value > 0 and row.baseline is not None and row.baseline > 0
    table = text_table(rows)
    assert "40 check-ins" in table and "rows/s" in markdown_table(rows)


def test_a_partial_run_keeps_the_other_benchmarks_rows(tmp_path: object) -> None:
    from pathlib import Path

    from bench.common import Row
    from bench.report import write_report

    path = Path(str(tmp_path)) / "BENCHMARKS.md"
    machine = {"date": "2026-01-01 00:00 UTC", "cpu": "x"}
    sizes = Sizes.for_run(quick=False)
    first = [Row("updates", "/next updates/s", 900.0, "/s"), Row("delivery", "late by", 0.1, "s")]
    write_report(path, first, machine, sizes, ["updates", "delivery"], 1.0, [])
    again = [Row("updates", "/next updates/s", 1200.0, "/s")]
    write_report(path, again, {**machine, "date": "2026-01-02 00:00 UTC"}, sizes, ["updates"],
                 1.0, [])  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert "1,200 /s" in text and "900 /s" not in text  # the run's own figure replaces
    assert "| delivery | late by | 0.10 s |" in text  # the other benchmark's is kept
    assert "from earlier runs: `python -m bench --only updates --only delivery`" in text
