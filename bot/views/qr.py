"""Invitation links as QR codes, to print on a card for delegates who will not type a code."""

from __future__ import annotations

import io

import segno


def qr_png(link: str, *, scale: int = 8) -> bytes:
    """The PNG of a QR code of ``link``: error correction M (a card may get creased), a
    quiet zone of four modules as the standard asks, ``scale`` pixels a module."""
    code = segno.make_qr(link, error="m")
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
