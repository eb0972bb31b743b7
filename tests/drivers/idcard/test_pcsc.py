"""pyscard against a private pcscd with vpcd and our virtual card: hot-plug and recovery."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard import pcsc_availability
from drivers.idcard.events import CardError, CardRemoved, CardUid, ReaderStatus
from drivers.idcard.pcsc import PcscReader, PcscTiming
from drivers.sim.vpcd_card import TYPE_B_ATR
from tests.support.idcard import Events
from tests.support.pcscd import READER, SOCKET_ENV, PrivatePcscd

pytestmark = [pytest.mark.needs_pcscd, pytest.mark.timeout(90)]

FAST = PcscTiming(wait_ms=200, relist_s=1.0, retry_s=0.1, max_retry_s=0.5, settle_s=2.0)
ROOT = Path(__file__).resolve().parents[3]
UID = bytes.fromhex("2A83155E")


class Rig:
    """A started PcscReader on the private pcscd and its events."""

    def __init__(self, daemon: PrivatePcscd, reader: PcscReader, events: Events) -> None:
        self.daemon = daemon
        self.reader = reader
        self.events = events


def start_reader(**kwargs: object) -> tuple[PcscReader, Events]:
    reader = PcscReader(timing=FAST, **kwargs)  # type: ignore[arg-type]
    events = Events()
    reader.add_listener(events)
    reader.start()
    return reader, events


@pytest.fixture
def rig(pcscd: PrivatePcscd) -> Iterator[Rig]:
    reader, events = start_reader(reader_filter="Virtual PCD 00 00", uid_format="dec")
    events.wait_status(ReaderStatus.READY, timeout=10)
    yield Rig(pcscd, reader, events)
    reader.stop()


def test_pyscard_honours_the_private_socket(pcscd: PrivatePcscd) -> None:
    assert os.environ[SOCKET_ENV] == str(pcscd.socket_path)
    ok, detail = pcsc_availability()
    assert ok and READER in detail
    # The same client code pointed elsewhere finds no service: the variable really steers it.
    probe = "from drivers.idcard import pcsc_availability as p; ok, d = p(); print(ok, d)"
    other = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, SOCKET_ENV: str(pcscd.workdir / "nothing-here.comm")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert other.stdout.startswith("False pcscd not reachable"), other.stdout + other.stderr


def test_card_insertion_and_removal(rig: Rig) -> None:
    card = rig.daemon.insert_card(UID)
    read = rig.events.wait(CardUid, timeout=10)
    assert (read.reader, read.uid, read.raw) == (READER, "0713233758", UID)
    assert read.atr.startswith(b"\x3b")
    rig.daemon.remove_card(card)
    removed = rig.events.wait(CardRemoved, timeout=10)
    assert removed.reader == READER
    rig.daemon.insert_card(bytes.fromhex("026F6C3A"))
    again = rig.events.wait(CardUid, count=2, timeout=10)
    assert again.uid == f"{0x026F6C3A:010d}"


def test_a_card_left_in_place_is_one_event(rig: Rig) -> None:
    rig.daemon.insert_card(UID)
    rig.events.wait(CardUid, timeout=10)
    rig.events.settle(1.5)
    assert len(rig.events.of(CardUid)) == 1


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("hex_reversed", "3A6C6F02"), ("6h8d", "07302202"), ("wiegand26", "111,27706")],
)
def test_configured_uid_format(pcscd: PrivatePcscd, fmt: str, expected: str) -> None:
    reader, events = start_reader(reader_filter="00 00", uid_format=fmt)
    try:
        events.wait_status(ReaderStatus.READY, timeout=10)
        pcscd.insert_card(bytes.fromhex("026F6C3A"))
        assert events.wait(CardUid, timeout=10).uid == expected
    finally:
        reader.stop()


def test_chinese_id_card_on_a_plain_reader_is_unusable(rig: Rig) -> None:
    rig.daemon.insert_card(bytes(4), atr=TYPE_B_ATR)
    err = rig.events.wait(CardError, timeout=10)
    assert err.code == "id_card_on_uid_reader"
    rig.events.settle(0.5)
    assert rig.events.of(CardUid) == []


def test_unknown_format_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="unknown UID format"):
        PcscReader(uid_format="base64")


def test_no_matching_reader_is_absent(pcscd: PrivatePcscd) -> None:
    reader, events = start_reader(reader_filter="ACS ACR122U")
    try:
        absent = events.wait_status(ReaderStatus.ABSENT, timeout=10)
        assert "no PC/SC reader" in absent.detail
        pcscd.insert_card(UID)
        events.settle(1.0)
        assert events.of(CardUid) == []
    finally:
        reader.stop()


def test_pcscd_restart_is_survived_without_repeating_the_card(rig: Rig) -> None:
    card = rig.daemon.insert_card(UID)
    rig.events.wait(CardUid, timeout=10)
    before = rig.reader.contexts_created
    rig.daemon.restart()
    rig.events.wait_status(ReaderStatus.RECONNECTING, timeout=10)
    rig.events.wait_status(ReaderStatus.READY, count=2, timeout=15)
    assert rig.reader.contexts_created > before  # the context was re-created, not reused
    rig.events.settle(FAST.settle_s + 0.5)
    assert len(rig.events.of(CardUid)) == 1  # the card that stayed is not a second tap
    assert rig.events.of(CardRemoved) == []
    rig.daemon.remove_card(card)
    rig.events.wait(CardRemoved, timeout=10)
    rig.daemon.insert_card(bytes.fromhex("026F6C3A"))
    rig.events.wait(CardUid, count=2, timeout=10)


def test_service_killed_then_back_recovers(rig: Rig) -> None:
    rig.daemon.kill()  # SIGKILL: no cleanup, clients see SCARD_E_NO_SERVICE
    gone = rig.events.wait_status(ReaderStatus.RECONNECTING, timeout=10)
    assert "PC/SC service unavailable" in gone.detail
    rig.events.settle(1.0)  # several failed attempts while it is down
    assert rig.reader.state.status is ReaderStatus.RECONNECTING
    rig.daemon.start()
    rig.events.wait_status(ReaderStatus.READY, count=2, timeout=15)
    rig.daemon.insert_card(UID)
    assert rig.events.wait(CardUid, timeout=10).uid == "0713233758"


def test_reader_unplugged_with_a_card_on_it(rig: Rig) -> None:
    card = rig.daemon.insert_card(UID)
    rig.events.wait(CardUid, timeout=10)
    # The reader (pcscd with vpcd) goes away and the card with it; then the reader returns empty.
    rig.daemon.stop()
    rig.daemon.remove_card(card)
    rig.events.wait_status(ReaderStatus.RECONNECTING, timeout=10)
    rig.daemon.start()
    rig.events.wait_status(ReaderStatus.READY, count=2, timeout=15)
    rig.events.wait(CardRemoved, timeout=FAST.settle_s + 5)
    assert len(rig.events.of(CardUid)) == 1


def test_started_while_the_service_is_down(pcscd: PrivatePcscd) -> None:
    pcscd.stop()
    ok, detail = pcsc_availability()
    assert not ok and "not reachable" in detail
    reader, events = start_reader(reader_filter="00 00")
    try:
        events.wait_status(ReaderStatus.ABSENT, timeout=10)
        pcscd.start()
        events.wait_status(ReaderStatus.READY, timeout=15)
        pcscd.insert_card(UID)
        assert events.wait(CardUid, timeout=10).uid == "2A83155E"
    finally:
        reader.stop()
    assert reader.state.status is ReaderStatus.STOPPED
