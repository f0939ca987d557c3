"""Running ``python -m bot`` as a separate process, with an explicit environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Only what a process needs to start; nothing of the developer's bot configuration leaks in.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


def bot_env(**values: str) -> dict[str, str]:
    """A clean environment for ``python -m bot`` with the project of this checkout importable."""
    env = {k: v for k, v in os.environ.items() if k in _KEEP}
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


def run_bot(
    *args: str, cwd: Path, env: dict[str, str], stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
