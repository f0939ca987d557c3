"""Running the real bot (``python -m bot``) and the bare baseline as subprocesses against a
FakeBotApi on 127.0.0.1, and stopping them whatever happens."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.fake_bot_api import FakeBotApi

REPO = Path(__file__).resolve().parent.parent
BARE_BOT = Path(__file__).resolve().parent / "bare_bot.py"
STOP_TIMEOUT = 15.0
_tokens = itertools.count(100001)


@dataclass
class Running:
    process: asyncio.subprocess.Process
    token: str
    spawned_at: float  # time.monotonic(), the clock FakeBotApi records requests with
    first_poll_at: float

    @property
    def start_seconds(self) -> float:
        return self.first_poll_at - self.spawned_at


def bot_command(kind: str) -> list[str]:
    if kind == "bot":
        return [sys.executable, "-m", "bot"]
    if kind == "bare":
        return [sys.executable, str(BARE_BOT)]
    raise ValueError(kind)


def environment(api: FakeBotApi, token: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP",)}
    env.update(
        {
            "BOT_TOKEN": token,
            "TELEGRAM_API_URL": api.url,
            "LOG_LEVEL": "WARNING",
            # The repository, importable from the temporary working directory.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def running(
    kind: str, api: FakeBotApi, cwd: Path, extra_env: dict[str, str], timeout: float = 60.0
) -> AsyncIterator[Running]:
    """Spawn the bot, wait for its first getUpdates, yield, then stop it (SIGINT, then kill)."""
    token = f"{next(_tokens)}:BENCH-{kind}"
    log_path = cwd / f"{kind}-{token.split(':')[0]}.log"
    # A file, not a pipe: a chatty process never blocks on a full pipe.
    with open(log_path, "wb") as log:  # noqa: ASYNC230 - before the measured span
        spawned_at = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *bot_command(kind),
            cwd=cwd,  # a temporary folder: no .env of the developer is read
            env=environment(api, token, extra_env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        waiter = asyncio.ensure_future(
            api.wait_for(
                lambda r: r.token == token and r.method.lower() == "getupdates", timeout=timeout
            )
        )
        exited = asyncio.ensure_future(process.wait())
        done, _ = await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            output = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"{kind} exited before polling:\n{output}")
        exited.cancel()
        first = min(r.time for r in waiter.result())
        yield Running(process, token, spawned_at, first)
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size, in MiB."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found")
