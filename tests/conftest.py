"""Test-wide settings: Qt offscreen, a private data directory, no user config."""

from __future__ import annotations

import faulthandler
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI must not depend on luck: the same examples every run. `make test-slow` explores new ones.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "explore", derandomize=False, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
_IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _IN_CI else "default"))

# Set before any test imports Qt: tests never need a display unless they start Xvfb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """With CME_CRASH_LOG set, a crash of this process dumps every thread's stack into that file."""
    # `.ci/run` prints the file last: the kept tail of CI's output then names the crashing thread
    # and line, not only make's "Segmentation fault". trylast: after pytest's own faulthandler.
    path = os.environ.get("CME_CRASH_LOG")
    if path:
        # Append: a test that runs pytest in a child process must not wipe its parent's dump.
        crash = open(path, "a")  # noqa: SIM115 - faulthandler keeps it open for the process
        crash.write(f"== pytest pid {os.getpid()}\n")
        crash.flush()
        faulthandler.enable(file=crash, all_threads=True)


def pytest_collection_finish(session: pytest.Session) -> None:
    """mypy over the tree (~15 s of a core) starts now, beside the tier, if its test is chosen."""
    from tests.support.tooling import start_mypy_if_selected

    start_mypy_if_selected(session)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.support.tooling import stop_mypy

    stop_mypy(session)


ALSA_NULL = Path(__file__).resolve().parent / "support" / "alsa" / "null.conf"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own data directory and no configuration file from the user's home."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CME_KIOSK_DATA_DIR", str(data))
    monkeypatch.delenv("CME_KIOSK_CONFIG", raising=False)
    # Desks in tests play their tones into ALSA's null device, never the developer's speakers.
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(ALSA_NULL))
    yield


@pytest.fixture
def data_dir() -> Path:
    """The test's private data directory."""
    return Path(os.environ["CME_KIOSK_DATA_DIR"])


@pytest.fixture(autouse=True)
def _qt_teardown() -> Iterator[None]:
    """After a test that used Qt: deferred deletes and the cycle collector run here, on the GUI
    thread, and any desk QObject destroyed on another thread fails the test."""
    # Everything alive before the test is frozen, so both collections scan only what was made
    # since: a full one over a heap of Qt, numpy and face models took ~0.2 s after every test
    # (4 min of the tier). Collecting before freezing frees, here on the GUI thread, what
    # module fixtures left behind, so no garbage is frozen.
    gc.collect()
    gc.freeze()
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    from kiosk.ui.lifetime import take_violations

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    found = take_violations()
    assert not found, f"Qt objects destroyed off the GUI thread: {found}"
