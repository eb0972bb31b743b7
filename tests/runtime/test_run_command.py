"""`cme-kiosk run` as systemd starts it: a subprocess that comes up, checks in, and exits 0 on TERM."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.timeutil import SHANGHAI, local_day, utc_now
from sync.store import Store
from tests.support.notify import NotifyListener
from tests.support.qr import PlatformKeys
from tests.support.roster import make_project, make_roster

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[2]


class Kiosk:
    """`python -m kiosk run` in a subprocess, its output collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            self.lines.append(text.rstrip("\n"))

    def wait_line(self, fragment: str, timeout: float = 45.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in list(self.lines):
                if fragment in text:
                    return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"no line with {fragment!r}; output:\n" + "\n".join(self.lines))

    def terminate(self, timeout: float = 20.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code


@pytest.fixture
def setup(
    data_dir: Path, tmp_path: Path
) -> Iterator[tuple[dict[str, str], Path, str, SimSerialScanner]]:
    """A kiosk data directory with today's project, its keys; a config with a serial scanner."""
    today = local_day(utc_now())
    project = dataclasses.replace(make_project(), days=(today,), sessions=())
    keys = PlatformKeys()
    store = Store.open(data_dir / "kiosk.sqlite3")
    store.roster.save_project(project)
    store.roster.save_roster(project.number, make_roster(3))
    store.keys.save_project_keys(
        project.number, ticket_keys={keys.key_id: keys.public}, denied_hmac_key=b"h" * 32
    )
    store.close()
    start = datetime(today.year, today.month, today.day, tzinfo=SHANGHAI)
    ticket = keys.ticket(project.number, "A2", start=start, end=start + timedelta(days=1))
    scanner = SimSerialScanner(tmp_path / "ttyACM-scanner")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[scanner]\nserial_port = "{scanner.path}"\nreconnect_s = 0.1\n', encoding="utf-8"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CME_KIOSK_DATA_DIR=str(data_dir))
    env["CME_KIOSK_CONFIG"] = str(config)
    yield env, data_dir, ticket, scanner
    scanner.close()


def test_run_comes_up_checks_in_and_stops_on_sigterm(
    setup: tuple[dict[str, str], Path, str, SimSerialScanner],
) -> None:
    env, data_dir, ticket, scanner = setup
    kiosk = Kiosk(["run"], env)
    ready = kiosk.wait_line("cme-kiosk: desk ready")
    assert "project 2026-15-01-001, desk A" in ready
    # Logged whenever it connects, before or after READY.
    kiosk.wait_line("device 扫码枪 serial: ok")
    scanner.scan(ticket)
    kiosk.wait_line("recorded in seq=1 qr")
    began = time.monotonic()
    assert kiosk.terminate() == 0, "\n".join(kiosk.lines)
    assert time.monotonic() - began < 10
    assert any("received SIGTERM" in text for text in kiosk.lines)
    store = Store.open(data_dir / "kiosk.sqlite3")
    [stored] = store.records.events()
    assert stored.event.attendee_id == "A2"
    store.close()
    assert not any("Traceback" in text for text in kiosk.lines), "\n".join(kiosk.lines)


def test_run_without_a_project_says_so(data_dir: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CME_KIOSK_DATA_DIR=str(data_dir))
    env.pop("CME_KIOSK_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "run"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no project on this kiosk yet" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("store_bytes", "code", "trigger"),
    [
        (None, 2, False),  # no project yet: a restart cannot help, so systemd is not asked to
        (b"not a database " * 8, 1, True),  # a crash: cage would hide it, the watchdog will not
    ],
)
def test_kiosk_mode_reports_a_failed_run_to_systemd(
    data_dir: Path, store_bytes: bytes | None, code: int, trigger: bool
) -> None:
    if store_bytes is not None:
        (data_dir / "kiosk.sqlite3").write_bytes(store_bytes)
    listener = NotifyListener(f"@cme-kiosk-run-test-{os.getpid()}-{code}")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CME_KIOSK_DATA_DIR=str(data_dir))
    env["NOTIFY_SOCKET"] = listener.address
    env.pop("CME_KIOSK_CONFIG", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", "run", "--kiosk"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == code, done.stderr
        if trigger:
            listener.wait_for("WATCHDOG=trigger", timeout=5)
        else:
            time.sleep(0.2)  # a datagram sent before exit has arrived by now
            assert listener.lines() == []
    finally:
        listener.close()
