"""Test-wide settings: Qt offscreen, a private data directory, no user config."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own data directory and no configuration file from the user's home."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CME_KIOSK_DATA_DIR", str(data))
    monkeypatch.delenv("CME_KIOSK_CONFIG", raising=False)
    yield


@pytest.fixture
def data_dir() -> Path:
    """The test's private data directory."""
    return Path(os.environ["CME_KIOSK_DATA_DIR"])
