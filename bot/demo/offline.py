"""A Bot API session with no network, for the offline demo and the in-process benchmarks."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiogram.client.session.base import BaseSession


class OfflineSession(BaseSession):
    """A session with no network: nothing to close, nothing to download. Subclasses answer
    ``make_request`` themselves (the demo prints; the benchmarks count)."""

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover - nothing to download offline
        yield b""
