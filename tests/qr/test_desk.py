"""Codes at the desk through the real check-in service and store: admitted, or refused and kept."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from drivers.qr.decode import FrameDecoder
from drivers.qr.detection import QrScanned
from drivers.qr.worker import QrFrameWorker
from drivers.scanner.base import ScanEvent
from drivers.scanner.serial_reader import SerialScanner
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.charset import Payload
from kiosk.core.codes import (
    MemoryReplayGuard,
    Reason,
    VerdictKind,
    VerifyContext,
    handle_scan,
    make_rotating_code,
)
from kiosk.core.codes.verdict import Verdict
from kiosk.core.errors import StorageUnavailable
from kiosk.core.model import DeskMode, Direction, Method
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from sync.store import Store
from tests.support.qr import PlatformKeys, bgr, camera_frame
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

DENIED_KEY = b"d" * 32


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(DAY1, 8, 20))


@pytest.fixture
def keys() -> PlatformKeys:
    return PlatformKeys()


class Desk:
    """A desk's service over a real store, and its verification context."""

    def __init__(self, tmp: Path, keys: PlatformKeys, clock: FakeClock) -> None:
        self.project = make_project()
        self.store = Store.open(tmp / "kiosk.sqlite3")
        self.store.roster.save_project(self.project)
        roster = make_roster(3)
        self.store.roster.save_roster(self.project.number, roster)
        self.service = CheckInService(
            store=self.store,
            project=self.project,
            device_id="desk-a",
            desk_name="A",
            mode=DeskMode.AUTO,
            clock=clock,
            denied_key=DENIED_KEY,
        )
        self.context: VerifyContext = keys.context(
            self.project, clock=clock, roster={a.id for a in roster}, guard=MemoryReplayGuard()
        )

    def admit(self, verdict: Verdict) -> Outcome:
        assert verdict.attendee_id is not None
        return self.service.present(Credential.attendee(verdict.attendee_id, method=Method.QR))

    def scan(self, payload: str | bytes | Payload):  # type: ignore[no-untyped-def]
        return handle_scan(payload, context=self.context, admit=self.admit, deny=self.service)


@pytest.fixture
def desk(tmp_path: Path, keys: PlatformKeys, clock: FakeClock) -> Iterator[Desk]:
    d = Desk(tmp_path, keys, clock)
    yield d
    d.store.close()


def test_valid_ticket_is_checked_in_and_committed(desk: Desk, keys: PlatformKeys) -> None:
    result = desk.scan(keys.ticket(desk.project.number, "A2", start=at(DAY1, 0)))
    assert result.verdict.accepted
    outcome = result.outcome
    assert outcome is not None and outcome.status is Status.ACCEPTED
    assert outcome.event is not None and outcome.event.method is Method.QR
    assert outcome.event.direction is Direction.IN and outcome.event.attendee_id == "A2"
    assert [e.event.uuid for e in Store.open(desk.store.path).records.events()] == [
        outcome.event.uuid
    ]
    assert desk.store.records.denied() == []


def test_forged_ticket_is_refused_logged_and_kept_as_an_hmac(
    desk: Desk, keys: PlatformKeys, caplog: pytest.LogCaptureFixture
) -> None:
    forger = PlatformKeys("forger")
    payload = forger.ticket(desk.project.number, "A2", start=at(DAY1, 0), key_id=keys.key_id)
    with caplog.at_level(logging.INFO):
        result = desk.scan(payload)
    assert result.outcome is None
    assert (result.verdict.reason, result.verdict.message_zh) == (
        Reason.BAD_SIGNATURE,
        "签到码签名无效",
    )
    assert desk.store.records.events() == []
    [row] = desk.store.records.denied()
    assert (row["reason"], row["method"]) == ("bad_signature", "qr")
    assert (
        row["credential_hmac"] == hmac.new(DENIED_KEY, payload.encode(), hashlib.sha256).hexdigest()
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "bad_signature" in logged and payload[10:] not in logged


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("'; DROP TABLE events; --", "unknown_prefix"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("CME-NUM1:A1", "roster_codes_disabled"),
        ("X" * 4000, "oversized"),
    ],
)
def test_every_rejection_leaves_a_denied_record(
    desk: Desk, payload: str | bytes, reason: str
) -> None:
    result = desk.scan(payload)
    assert result.verdict.kind is VerdictKind.REJECTED and result.outcome is None
    assert [r["reason"] for r in desk.store.records.denied()] == [reason]
    assert desk.store.records.events() == []
    # The store is intact after an injection attempt.
    assert desk.store.roster.roster_size(desk.project.number) == 3


def test_rotating_code_once_then_replay(desk: Desk, keys: PlatformKeys, clock: FakeClock) -> None:
    code = make_rotating_code(
        project=desk.project.number, attendee_id="A1", secret=keys.secret("A1"), at=clock()
    )
    first = desk.scan(code)
    assert first.outcome is not None and first.outcome.status is Status.ACCEPTED
    clock.advance(seconds=20)
    second = desk.scan(code)  # the screenshot forwarded to a colleague
    assert second.verdict.reason is Reason.REPLAY and second.outcome is None
    assert [r["reason"] for r in desk.store.records.denied()] == ["replay"]
    assert len(desk.store.records.events()) == 1


def test_full_storage_while_recording_a_refusal_still_answers(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    class FullDisk:
        def deny(self, **kwargs: object) -> None:
            raise StorageUnavailable("disk full")

    result = handle_scan("HELLO:WORLD", context=desk.context, admit=desk.admit, deny=FullDisk())
    assert result.verdict.reason is Reason.UNKNOWN_PREFIX
    assert any("refused code not recorded" in r.getMessage() for r in caplog.records)


def test_camera_frame_to_committed_check_in(desk: Desk, keys: PlatformKeys) -> None:
    outcomes: list[Outcome | None] = []

    def on_scan(event: QrScanned) -> None:
        outcomes.append(desk.scan(event.detection.payload).outcome)

    worker = QrFrameWorker(FrameDecoder.open("zxing"), on_scan=on_scan)
    frame = bgr(camera_frame([keys.ticket(desk.project.number, "A3", start=at(DAY1, 0))]))
    worker.start()
    try:
        for i in range(10):  # the ticket held in view for 10 frames
            worker.submit(frame, at=i / 15)
            assert worker.wait_idle()
    finally:
        worker.stop()
    assert len(outcomes) == 1 and outcomes[0] is not None
    assert outcomes[0].status is Status.ACCEPTED and outcomes[0].attendee is not None
    assert outcomes[0].attendee.id == "A3"


@pytest.mark.timeout(30)
def test_serial_scanner_to_committed_check_in(
    desk: Desk, keys: PlatformKeys, tmp_path: Path
) -> None:
    results = []

    def on_scan(event: ScanEvent) -> None:
        results.append(desk.scan(event.raw))

    sim = SimSerialScanner(tmp_path / "ttyscan")
    reader = SerialScanner(str(tmp_path / "ttyscan"), on_scan=on_scan, reconnect_s=0.05)
    reader.start()
    try:
        deadline = time.monotonic() + 5
        while not reader.status.ok and time.monotonic() < deadline:
            time.sleep(0.01)
        sim.scan(keys.ticket(desk.project.number, "A1", start=at(DAY1, 0)))
        sim.scan("garbage from a product barcode 6901234567892")
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        reader.stop()
        sim.close()
    assert [r.verdict.reason for r in results] == [Reason.OK, Reason.UNKNOWN_PREFIX]
    assert len(desk.store.records.events()) == 1 and len(desk.store.records.denied()) == 1


def test_verdict_timestamps_follow_the_injected_clock(desk: Desk, keys: PlatformKeys) -> None:
    # The desk's clock is pinned to the project's first day, whatever today is.
    assert isinstance(desk.context.clock(), datetime)
    result = desk.scan(keys.ticket(desk.project.number, "A1", start=at(DAY1, 0)))
    assert result.outcome is not None and result.outcome.event is not None
    assert result.outcome.event.scanned_at == at(DAY1, 8, 20)
