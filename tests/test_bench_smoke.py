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
