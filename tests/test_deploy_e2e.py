"""End to end as operators deploy it: the real ``python -m bot`` in webhook mode, the health
listener in polling mode, ``check`` and ``backup``, against the test Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp

from bot.dispatcher import create_dispatcher
from bot.i18n import create_i18n
from bot.web import SECRET_HEADER
from db.migrations import MIGRATIONS
from schedule.forum_file import SAMPLE_FORUM_PATH
from tests.support.fake_bot_api import FakeBotApi, Recorded
from tests.support.process import bot_env
from tests.test_e2e import DELEGATE, START_TIMEOUT, TOKEN, _answers, _is, _log, bot_process

SECRET = "e2e-Secret_token"
FORGER = 5151


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _used_update_types() -> set[str]:
    return set(create_dispatcher(i18n=create_i18n()).resolve_used_update_types())


def _no_names(text: str) -> None:
    for secret in ("Shernayev", "tict-Hq7mX2vL9p", "Anvar", "Dushanbe", "memorandum"):
        assert secret not in text, secret


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url) as response:
        return response.status, await response.text()


async def test_webhook_mode_end_to_end(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/tg/hook"
    webhook = {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
    async with (
        FakeBotApi() as api,
        bot_process(api, tmp_path, **webhook) as process,
        aiohttp.ClientSession() as http,
    ):
        (hook,) = await api.wait_for(_is("setWebhook"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        assert hook.params["url"] == url and hook.params["secret_token"] == SECRET
        assert set(hook.params["allowed_updates"]) == _used_update_types()
        assert hook.params.get("drop_pending_updates") in (None, False)
        assert api.calls("getMe") and api.calls("setMyCommands")
        assert not api.calls("getUpdates") and not api.calls("deleteWebhook")

        async def post(update: dict[str, Any], headers: dict[str, str]) -> int:
            async with http.post(url, data=json.dumps(update), headers=headers) as response:
                return response.status

        start = api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
        assert await post(start, {SECRET_HEADER: SECRET}) == 200
        (greeting,) = await _answers(api, DELEGATE, 1)
        assert "Welcome, Anvar Normamatovich Shernayev!" in greeting

        forged = api.push_message(FORGER, "/start tict-sultanov", first_name="Forger")
        assert await post(forged, {}) == 401
        assert await post(forged, {SECRET_HEADER: SECRET + "0"}) == 401
        assert await post(forged, {SECRET_HEADER: SECRET.lower()}) == 401
        async with http.get(url, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 405
        # Updates are handled as they arrive: once this one is answered, a forged one that
        # had got in would have been too.
        assert await post(api.push_message(DELEGATE, "/help"), {SECRET_HEADER: SECRET}) == 200
        await _answers(api, DELEGATE, 2)
        assert api.sent(chat_id=FORGER) == []

        status, text = await _get(http, f"{base}/healthz")
        assert status == 200, text
        health = json.loads(text)
        assert health["status"] == "ok" and health["database_writable"] is True
        assert health["scheduler_running"] is True
        assert isinstance(health["deliveries_pending"], int)
        assert 0 <= health["seconds_since_last_update"] < 60
        _no_names(text)
        status, metrics = await _get(http, f"{base}/metrics")
        assert status == 200
        assert 'forum_bot_updates_handled_total{type="message"} 2.0' in metrics
        assert 'forum_bot_messages_sent_total{outcome="sent",priority="answer"}' in metrics
        assert "forum_bot_reminder_lateness_seconds_bucket" in metrics
        assert "forum_bot_telegram_429_total 0.0" in metrics
        _no_names(metrics)

        # The drain: an answer still on its way to Telegram when SIGTERM comes is delivered.
        api.latency = 1.0
        assert await post(api.push_message(DELEGATE, "/my"), {SECRET_HEADER: SECRET}) == 200
        await _answers(api, DELEGATE, 3)  # the request has arrived; its answer is 1 s away
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
        assert code == 0, _log(tmp_path)
        last = api.calls("sendMessage")[-1]
        assert last.chat_id == DELEGATE and last.response and last.response["ok"]
        assert not api.calls("deleteWebhook"), "a stop keeps the webhook: Telegram queues"
    log = _log(tmp_path)
    assert "Traceback" not in log, log
    assert "refused a request without the right secret" in log
    assert SECRET not in log


async def test_polling_mode_deletes_the_webhook_and_serves_health(tmp_path: Path) -> None:
    port = _free_port()
    async with FakeBotApi() as api:
        # Left by a run in webhook mode: Telegram refuses getUpdates until it is deleted.
        api.webhook = {"url": "https://bot.example.org/hook"}
        async with (
            bot_process(api, tmp_path, HEALTH_LISTEN=f"127.0.0.1:{port}") as process,
            aiohttp.ClientSession() as http,
        ):
            await _polling_with_health(api, process, http, port)
    assert "Traceback" not in _log(tmp_path)


async def _polling_with_health(
    api: FakeBotApi, process: asyncio.subprocess.Process, http: aiohttp.ClientSession, port: int
) -> None:
    await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
    names = [r.method.lower() for r in api.requests]
    assert "deletewebhook" in names
    assert names.index("deletewebhook") < names.index("getupdates")
    (delete,) = api.calls("deleteWebhook")
    assert delete.params.get("drop_pending_updates") in (None, False)
    assert all(r.status == 200 for r in api.calls("getUpdates")), "no 409: it was deleted"
    api.push_message(DELEGATE, "/start tict-Hq7mX2vL9p", first_name="Anvar")
    await _answers(api, DELEGATE, 1)
    status, text = await _get(http, f"http://127.0.0.1:{port}/healthz")
    assert status == 200 and json.loads(text)["status"] == "ok", text
    status, metrics = await _get(http, f"http://127.0.0.1:{port}/metrics")
    assert status == 200 and "forum_bot_deliveries_pending" in metrics
    assert 'forum_bot_updates_handled_total{type="message"} 1.0' in metrics
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=15) == 0


# ------------------------------------------------------------------- check


async def _run(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode("utf-8", errors="replace")


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


async def test_check_a_good_configuration_offline_and_online(tmp_path: Path) -> None:
    env = bot_env(
        BOT_TOKEN=TOKEN,
        DATABASE_PATH=str(tmp_path / "data" / "forum.sqlite3"),
        FORUM_FILE=str(SAMPLE_FORUM_PATH),
    )
    code, out = await _run("check", "--offline", cwd=tmp_path, env=env)
    assert code == 0, out
    assert "valid: 8 events" in out and "not asked (--offline)" in out
    assert "the start creates it" in out and "long polling" in out
    assert out.rstrip().endswith("OK: `python -m bot` can start with this configuration.")
    assert _files(tmp_path) == set(), "check writes nothing, not even the database"

    async with FakeBotApi() as api:
        code, out = await _run("check", cwd=tmp_path, env=env | {"TELEGRAM_API_URL": api.url})
        assert [r.method for r in api.requests] == ["getMe"]
    assert code == 0, out
    assert "@forum_test_bot" in out
    async with FakeBotApi(valid_token="999:another") as api:
        code, out = await _run("check", cwd=tmp_path, env=env | {"TELEGRAM_API_URL": api.url})
    assert code == 1 and "refused BOT_TOKEN" in out and "FAILED: 1 problem" in out


async def test_check_an_existing_database_writes_nothing_to_it(tmp_path: Path) -> None:
    db_path = tmp_path / "forum.sqlite3"
    env = bot_env(BOT_TOKEN=TOKEN, DATABASE_PATH=str(db_path), FORUM_FILE=str(SAMPLE_FORUM_PATH))
    code, out = await _run("import", str(SAMPLE_FORUM_PATH), cwd=tmp_path, env=env)
    assert code == 0, out
    before = _mtimes(tmp_path)
    code, out = await _run("check", "--offline", cwd=tmp_path, env=env)
    assert code == 0, out
    assert f"schema {len(MIGRATIONS)}," in out and "the one imported last" in out
    assert _mtimes(tmp_path) == before, "no -wal, no -shm"

    other = tmp_path / "other"
    other.mkdir()
    changed = other / "forum.toml"
    changed.write_text(SAMPLE_FORUM_PATH.read_text(encoding="utf-8").replace("14:30", "14:45"))
    code, out = await _run("check", "--offline", cwd=other, env=env | {"FORUM_FILE": str(changed)})
    assert code == 0 and "differs from the last import" in out, out


async def test_check_lists_every_problem_of_config_and_forum_file(tmp_path: Path) -> None:
    broken = tmp_path / "forum.toml"
    text = SAMPLE_FORUM_PATH.read_text(encoding="utf-8")
    text = text.replace('kind = "signing"', 'kind = "party"', 1)
    text = text.replace("ends = 2023-09-14T15:00:00", "ends = 2023-09-14T14:00:00", 1)
    broken.write_text(text, encoding="utf-8")
    env = bot_env(
        ADMIN_IDS="abc",
        LOG_LEVEL="loud",
        WEBHOOK_URL="http://bot.example.org/hook",
        FORUM_FILE=str(broken),
        DATABASE_PATH=str(tmp_path / "forum.sqlite3"),
    )
    code, out = await _run("check", "--offline", cwd=tmp_path, env=env)
    assert code == 1, out
    for variable in ("ADMIN_IDS", "LOG_LEVEL", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        assert f"  {variable}: " in out, out
    assert "BOT_TOKEN: not set" in out
    assert "'party'" in out and "ends before starts" in out
    assert "FAILED: 7 problems" in out
    assert "Traceback" not in out
    assert _files(tmp_path) == {"forum.toml"}


# ------------------------------------------------------------------- backup


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "events": conn.execute("SELECT COUNT(*) FROM event").fetchone()[0],
            "delegates": conn.execute("SELECT COUNT(*) FROM delegate").fetchone()[0],
            "registered": conn.execute(
                "SELECT COUNT(*) FROM delegate WHERE telegram_id IS NOT NULL"
            ).fetchone()[0],
        }


async def test_backup_while_updates_are_handled(tmp_path: Path) -> None:
    people = range(20000, 20060)
    copy = tmp_path / "backups" / "forum-copy.sqlite3"
    async with FakeBotApi() as api, bot_process(api, tmp_path, DELEGATION_CODE="join2023") as bot:
        await api.wait_for(_is("getUpdates"), timeout=START_TIMEOUT)  # type: ignore[arg-type]
        env = bot_env(DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
        for user_id in people:
            api.push_message(user_id, "/start join2023", first_name=f"P{user_id}")

        def welcomed(r: Recorded) -> bool:
            return r.method == "sendMessage" and r.chat_id in people

        await api.wait_for(welcomed, count=5, timeout=START_TIMEOUT)
        code, out = await _run("backup", str(copy), cwd=tmp_path, env=env)
        assert code == 0, out
        assert "Backed up" in out and "event" in out
        during = _counts(copy)
        assert during["events"] == 8
        assert 6 + 5 <= during["delegates"] <= 6 + len(people)
        assert during["registered"] == during["delegates"] - 6

        await api.wait_for(welcomed, count=len(people), timeout=START_TIMEOUT)
        code, out = await _run("backup", str(copy), cwd=tmp_path, env=env)
        assert code == 1 and "--force" in out, out
        assert _counts(copy) == during, "a refused backup leaves the old copy alone"
        code, out = await _run("backup", str(copy), "--force", cwd=tmp_path, env=env)
        assert code == 0, out
        after = _counts(copy)
        assert after["registered"] == len(people)
        assert _files(copy.parent) == {copy.name}, "the copy is one file, no -wal beside it"
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), timeout=15) == 0
    assert "Traceback" not in _log(tmp_path)


async def test_backup_of_no_database_makes_nothing(tmp_path: Path) -> None:
    env = bot_env(DATABASE_PATH=str(tmp_path / "missing.sqlite3"))
    code, out = await _run("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path, env=env)
    assert code == 1 and "no database to back up" in out
    assert _files(tmp_path) == set()


async def test_check_says_a_forum_file_must_be_set(tmp_path: Path) -> None:
    env = bot_env(BOT_TOKEN=TOKEN, DATABASE_PATH=str(tmp_path / "forum.sqlite3"))
    code, out = await _run("check", "--offline", cwd=tmp_path, env=env)
    assert code == 1 and "FORUM_FILE: not set" in out, out
