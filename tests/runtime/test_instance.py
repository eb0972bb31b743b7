"""One desk per data directory, and crash reports in the log folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kiosk.runtime.instance import AlreadyRunning, CrashReports, DeskLock

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_desk_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    lock = DeskLock(tmp_path)
    lock.acquire()
    other = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from kiosk.runtime.instance import AlreadyRunning, DeskLock
            try:
                DeskLock(Path({str(tmp_path)!r})).acquire()
            except AlreadyRunning as exc:
                print("refused:", exc)
        """)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert f"refused: another desk (pid {os.getpid()}) is running" in other.stdout
    assert stat.S_IMODE((tmp_path / "desk.lock").stat().st_mode) == 0o600
    lock.release()
    again = DeskLock(tmp_path)
    again.acquire()  # free once released
    with pytest.raises(AlreadyRunning):
        DeskLock(tmp_path).acquire()  # a second holder in this process too (flock per open)
    again.release()


def test_an_uncaught_exception_on_a_thread_leaves_a_scrubbed_report(tmp_path: Path) -> None:
    reports = CrashReports(tmp_path)
    reports.install()
    try:

        def boom() -> None:
            raise ValueError("reader failed on card 150102196001010007 of 张伟")

        worker = threading.Thread(target=boom, name="sam-reader")
        worker.start()
        worker.join()
        text = reports.path.read_text(encoding="utf-8")
    finally:
        reports.close()
    assert "uncaught exception in thread sam-reader" in text and "ValueError" in text
    assert "150102196001010007" not in text
    assert stat.S_IMODE(reports.path.stat().st_mode) == 0o600


def test_a_clean_exit_leaves_no_report(tmp_path: Path) -> None:
    reports = CrashReports(tmp_path)
    reports.install()
    reports.close()
    assert not reports.path.exists()


def test_a_fatal_signal_in_native_code_leaves_a_report(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from kiosk.runtime.instance import CrashReports
        CrashReports(Path({str(tmp_path)!r})).install()
        os.kill(os.getpid(), signal.SIGSEGV)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode != 0
    [report] = list(tmp_path.glob("crash-*.txt"))
    assert "Fatal Python error" in report.read_text()
