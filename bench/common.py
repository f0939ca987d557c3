"""What every benchmark shares: results, statistics, the machine's description, the table."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version


@dataclass(frozen=True, slots=True)
class Row:
    """One figure: the project's value beside its baseline and the target it must meet."""

    bench: str
    metric: str
    value: float
    unit: str = ""
    baseline: float | None = None
    target: str = "—"
    ok: bool | None = None  # None: no target
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big a run is: ``--quick`` shrinks what does not change the nature of a figure."""

    quick: bool
    delegates: int = 1000
    events: int = 200
    broadcast: int = 1000
    fanout: int = 500
    starts: int = 5
    burst: int = 2000
    db_rows: int = 10_000

    @classmethod
    def for_run(cls, quick: bool) -> Sizes:
        if quick:
            # The data set stays full size (it is what start-up and memory are about);
            # the counts that only lengthen a run shrink.
            return cls(quick=True, broadcast=300, fanout=150, starts=2, burst=1000, db_rows=3000)
        return cls(quick=False)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank, of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _fmt(number: float | None) -> str:
    if number is None:
        return "—"
    if number == 0:
        return "0"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    if abs(number) >= 10:
        return f"{number:.1f}"
    if abs(number) >= 0.1:
        return f"{number:.2f}"
    return f"{number:.3f}"


HEADER = ("benchmark", "metric", "value", "baseline", "ratio", "target", "ok?")


def table_rows(rows: Sequence[Row]) -> list[tuple[str, ...]]:
    out = []
    for row in rows:
        unit = f" {row.unit}" if row.unit else ""
        ok = "—" if row.ok is None else ("yes" if row.ok else "NO")
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        baseline = _fmt(row.baseline) + (unit if row.baseline is not None else "")
        out.append((row.bench, row.metric, _fmt(row.value) + unit, baseline, ratio, row.target, ok))
    return out


def text_table(rows: Sequence[Row]) -> str:
    body = table_rows(rows)
    widths = [max(len(r[i]) for r in [HEADER, *body]) for i in range(len(HEADER))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(rows)]
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    """The facts a reader needs to compare figures between machines."""
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "memory": _memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "aiogram": _version("aiogram"),
        "aiohttp": _version("aiohttp"),
        "aiosqlite": _version("aiosqlite"),
        "sqlite": sqlite3.sqlite_version,
    }
