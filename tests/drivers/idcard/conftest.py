"""Fixtures for ID-card tests: a SAM simulator on a pty with a reader on it, a private pcscd."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from drivers.idcard.events import ReaderStatus
from drivers.idcard.sam import SamReader
from drivers.sim.sam_reader import start_sam_simulator
from tests.support.idcard import FAST, Events, SamRig
from tests.support.pcscd import (  # noqa: F401 - pcscd fixtures used by tests
    claim_client_socket,
    pcscd,
    pcscd_session,
    release_client_socket,
)

# Before any test can touch pyscard: libpcsclite fixes its socket path at its first connection.
claim_client_socket()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the private socket's directory."""
    release_client_socket()


@pytest.fixture
def today() -> date:
    """The reader's injected calendar day."""
    return date(2026, 5, 20)


@pytest.fixture
def sam(tmp_path: Path, today: date) -> Iterator[SamRig]:
    """A running simulator (no card) and a started reader that has reached READY."""
    port, sim = start_sam_simulator(tmp_path / "ttySAM")
    reader = SamReader(port, name="SAM", timing=FAST, today=lambda: today)
    events = Events()
    reader.add_listener(events)
    reader.start()
    events.wait_status(ReaderStatus.READY)
    yield SamRig(sim, reader, events)
    reader.stop()
    sim.stop()
