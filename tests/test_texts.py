"""Splitting long texts for Telegram's 4096-character limit."""

from __future__ import annotations

from bot.views.texts import pack_lines, split_message


def test_short_text_is_one_piece() -> None:
    assert split_message("a\n\nb") == ["a\n\nb"]


def test_cut_at_blank_lines_first() -> None:
    blocks = ["x" * 30, "y" * 30, "z" * 30]
    assert split_message("\n\n".join(blocks), limit=70) == ["x" * 30 + "\n\n" + "y" * 30, "z" * 30]


def test_a_block_longer_than_a_message_is_cut_at_line_breaks() -> None:
    lines = [f"<b>{n}</b> " + "w" * 20 for n in range(10)]
    pieces = split_message("\n".join(lines), limit=100)
    assert len(pieces) > 1
    assert all(len(p) <= 100 for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)  # nothing lost, no line cut


def test_pack_lines_keeps_lines_whole_and_drops_empty_pieces() -> None:
    lines = ["a" * 40, "b" * 40, "", "c" * 40]
    assert pack_lines(lines, limit=90) == ["a" * 40 + "\n" + "b" * 40, "c" * 40]
    assert pack_lines([]) == []
