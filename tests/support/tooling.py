"""Checks over the whole source tree that run as subprocesses: mypy, started early and niced."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MYPY_TEST = "test_mypy_strict_on_core_sync_drivers"


class Mypy:
    """mypy over the strict packages, started now; its exit status and output on `result()`."""

    def __init__(self) -> None:
        targets = [p for p in ("kiosk", "sync", "drivers") if (ROOT / p).exists()]
        # A file, not a pipe: a long report must not stall mypy until the test reads it.
        self._out = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        # Niced: it takes the second core's idle time while the tier runs, not the tier's time.
        self._proc = subprocess.Popen(
            ["nice", "-n", "19", str(BIN / "mypy"), *targets],
            cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip

    def result(self, timeout: float) -> tuple[int, str]:
        """Wait for mypy (fails the test past `timeout`); its exit status and output."""
        try:
            code = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"mypy did not finish within {timeout} s")
        self._out.seek(0)
        return code, self._out.read()

    def stop(self) -> None:
        """Kill mypy if it still runs (the session ended before its test)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(10)
        self._out.close()


MYPY = pytest.StashKey[Mypy]()


def start_mypy_if_selected(session: pytest.Session) -> None:
    """Once collection chose the tests: mypy starts if its test is among them."""
    if any(item.name == MYPY_TEST for item in session.items):
        session.config.stash[MYPY] = Mypy()


def started_mypy(config: pytest.Config) -> Mypy:
    """The mypy run started at collection (or one started now)."""
    if MYPY not in config.stash:
        config.stash[MYPY] = Mypy()
    return config.stash[MYPY]


def stop_mypy(session: pytest.Session) -> None:
    """At the session's end: no mypy outlives pytest."""
    mypy = session.config.stash.get(MYPY, None)
    if mypy is not None:
        mypy.stop()
