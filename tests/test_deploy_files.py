"""The service files name commands and paths that exist here; the image's health check
works with the standard library alone (the image itself cannot be built on these machines)."""

from __future__ import annotations

import asyncio
import configparser
import json
import re
import shlex
import socket
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath

import pytest

from bot.app import HANDLERS_GRACE, App, create_app
from bot.settings import DEFAULT_DATABASE_PATH, Listen, load_settings
from bot.web import SHUTDOWN_TIMEOUT, HealthServer
from tests.conftest import FakeClock
from tests.support.recording import RecordingSession

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "forum-bot.service"
DOCKERFILE = ROOT / "Dockerfile"
HEALTHCHECK = ROOT / "deploy" / "healthcheck.py"
SENDER_CLOSE = 10.0  # PacedSender.close's default timeout for requests in flight


def _unit() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    return parser["Service"]


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, rest = line.strip().partition(" ")
            found.append((instruction.upper(), rest.strip()))
    return found


def _instructions(name: str) -> list[str]:
    return [rest for instruction, rest in _dockerfile() if instruction == name]


def _docker_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in _instructions("ENV"):
        for pair in shlex.split(rest):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_the_unit_runs_this_project_and_gives_the_drain_time() -> None:
    service = _unit()
    workdir = PurePosixPath(service["WorkingDirectory"])
    assert workdir.is_absolute()
    command = shlex.split(service["ExecStart"])
    assert command[1:] == ["-m", "bot"], "python -m bot, the README's command"
    assert PurePosixPath(command[0]) == workdir / ".venv" / "bin" / "python"
    assert (ROOT / "bot" / "__main__.py").is_file()
    assert PurePosixPath(service["EnvironmentFile"]) == workdir / ".env"
    assert (ROOT / ".env.example").is_file(), "the .env it reads is made from .env.example"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2", "a configuration error (exit 2) waits"
    assert service["KillSignal"] == "SIGTERM"
    drain = HANDLERS_GRACE + SENDER_CLOSE + SHUTDOWN_TIMEOUT
    assert float(service["TimeoutStopSec"]) >= 2 * drain
    database_folder = PurePosixPath(DEFAULT_DATABASE_PATH).parent
    assert workdir / database_folder in [PurePosixPath(p) for p in
                                         service["ReadWritePaths"].split()]  # fmt: skip


def test_the_dockerfile_copies_what_exists_and_runs_python_m_bot() -> None:
    (base,) = _instructions("FROM")
    assert base.startswith("python:") and base.endswith("-slim")
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11" and base.split(":")[1].startswith("3.1")
    copied = []
    for rest in _instructions("COPY"):
        *sources, _ = rest.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            copied.append(source)
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    for package in packages["packages"]["find"]["include"]:
        assert package.rstrip("*") in copied, f"{package} is installed from the image"
    assert "deploy/healthcheck.py" in copied
    assert json.loads(_instructions("CMD")[0]) == ["python", "-m", "bot"]
    (user,) = _instructions("USER")
    assert user not in ("root", "0")
    assert any("useradd" in run and user in run for run in _instructions("RUN"))
    env = _docker_env()
    (volume,) = _instructions("VOLUME")
    assert str(PurePosixPath(env["DATABASE_PATH"]).parent) in json.loads(volume)
    settings = load_settings(env)  # the image's defaults are valid settings
    assert settings.health_listen is not None
    exposed = {int(p) for p in _instructions("EXPOSE")[0].split()}
    assert {settings.health_listen.port, settings.webhook_listen.port} <= exposed
    (check,) = _instructions("HEALTHCHECK")
    assert json.loads(check.split("CMD", 1)[1]) == ["python", "deploy/healthcheck.py"]
    assert _instructions("STOPSIGNAL") == ["SIGTERM"]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored, "no secrets or virtualenvs in the image"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _healthcheck(env: dict[str, str]) -> int:
    # -S: no site-packages, -I: isolated; what passes here needs the standard library only.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-S", str(HEALTHCHECK), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), timeout=30)


@pytest.fixture
async def running(env: dict[str, str], clock: FakeClock) -> AsyncIterator[tuple[App, int]]:
    app = await create_app(load_settings(env), session=RecordingSession(), clock=clock)
    port = _free_port()
    await app.start()
    health = HealthServer(app, Listen("127.0.0.1", port))
    await health.start()
    try:
        yield app, port
    finally:
        await health.stop()
        await app.stop()
        await app.close()


async def test_the_image_health_check_asks_healthz(running: tuple[App, int]) -> None:
    app, port = running
    assert await _healthcheck({"HEALTH_LISTEN": f"0.0.0.0:{port}"}) == 0
    assert await _healthcheck({"WEBHOOK_LISTEN": f"127.0.0.1:{port}"}) == 0
    app.scheduler.shutdown(wait=False)
    assert await _healthcheck({"HEALTH_LISTEN": f"127.0.0.1:{port}"}) == 1, "503 fails it"
    assert await _healthcheck({"HEALTH_LISTEN": f"127.0.0.1:{_free_port()}"}) == 1


def test_every_variable_is_in_the_readme_table_and_env_example() -> None:
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'get\("([A-Z_]+)"\)', source))
    assert {"WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "HEALTH_LISTEN"} <= variables
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in variables:
        assert f"| `{name}` |" in readme, name
        assert re.search(rf"^#? ?{name}=", example, re.M), name
    assert ".backup" not in readme, "backups are made with python -m bot backup"
