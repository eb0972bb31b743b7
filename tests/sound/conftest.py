"""Sound test fixtures: a private PulseAudio server with a null sink that tests record."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pulse import PrivatePulse, need_audio_stack


def _server() -> Iterator[PrivatePulse]:
    need_audio_stack()
    with tempfile.TemporaryDirectory(prefix="cme-pulse-") as tmp:
        server = PrivatePulse(Path(tmp))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def _shared_pulse() -> Iterator[PrivatePulse]:
    yield from _server()


@pytest.fixture
def pulse(_shared_pulse: PrivatePulse, monkeypatch: pytest.MonkeyPatch) -> PrivatePulse:
    """The module's sound server (started again if a test killed it); this test's aplay and
    ALSA reach it as the "pulse" device."""
    if not _shared_pulse.running:
        _shared_pulse.start()
    _client_env(_shared_pulse, monkeypatch)
    return _shared_pulse


def _client_env(server: PrivatePulse, monkeypatch: pytest.MonkeyPatch) -> None:
    # The full ALSA configuration (tests/conftest.py set the null one), where "pulse" exists.
    monkeypatch.delenv("ALSA_CONFIG_PATH", raising=False)
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
