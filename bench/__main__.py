"""``python -m bench [--quick] [--only NAME ...] [--output FILE]``: run, print, write."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
import time
import traceback
from pathlib import Path

from bench.common import Row, Sizes, machine, text_table
from bench.report import write_report

# Name → module with ``async def run(sizes) -> list[Row]``; run in this order.
BENCHMARKS = {
    "updates": "bench.updates",
    "delivery": "bench.delivery",
    "startup": "bench.startup",
    "memory": "bench.memory",
    "database": "bench.database",
    "contention": "bench.contention",
}
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts, about 2 minutes")
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )  # fmt: skip
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT,
        help="where to write the report (default: BENCHMARKS.md at the repository root)",
    )  # fmt: skip
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    sizes = Sizes.for_run(args.quick)
    names = args.only or list(BENCHMARKS)
    rows: list[Row] = []
    failed: list[str] = []
    began = time.perf_counter()
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(BENCHMARKS[name])
            rows += asyncio.run(module.run(sizes))
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"  {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - began
    print(text_table(rows))
    for row in rows:
        if row.note:
            print(f"  note: {row.bench} / {row.metric}: {row.note}")
    if failed:
        print(f"\nFAILED to run: {', '.join(failed)}")
    if not args.no_write:
        write_report(args.output, rows, machine(), sizes, names, elapsed, failed)
        print(f"\nwritten to {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
