"""Benchmarks: ``python -m bench`` (see BENCHMARKS.md for the method and the last figures).

Not tests: nothing here asserts a speed. Every benchmark runs the project's real code and, in
the same run, a baseline (bare aiogram, raw sqlite3, or a physical limit), and reports both.
"""
