"""Codes through the runtime: the serial scanner simulator on a pty, and the keyboard wedge."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.codes import make_rotating_code
from kiosk.core.model import Method
from kiosk.runtime.scanners import SERIAL_NAME
from kiosk.services.checkin import Status
from tests.support.charsets import NAME_CARD
from tests.support.desk import DENIED_KEY, DeskRig, wait_for
from tests.support.qr import PlatformKeys
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[SimSerialScanner]:
    """A serial scanner simulator behind a stable link."""
    with SimSerialScanner(tmp_path / "ttyACM-scanner") as sim:
        yield sim


def start_serial(rig: DeskRig, sim: SimSerialScanner) -> None:
    """Run the desk with the serial scanner and wait until it has the port open."""
    rig.runtime({"scanner": {"serial_port": str(sim.path), "reconnect_s": 0.05}})
    # Opening the port flushes its input: scans before that are lost, as with a real scanner.
    assert wait_for(lambda: any(d.name == SERIAL_NAME and d.ok for d in rig.devices))


def test_signed_ticket_is_checked_in(rig: DeskRig, scanner: SimSerialScanner) -> None:
    start_serial(rig, scanner)
    scanner.scan(rig.ticket("A2"))
    out = rig.outcomes.wait()
    assert out.status is Status.ACCEPTED and out.attendee is not None
    assert out.attendee.id == "A2"
    assert out.event is not None and out.event.method is Method.QR
    assert [e.event.uuid for e in rig.store.records.events()] == [out.event.uuid]
    assert rig.store.records.denied() == []


def test_forged_ticket_is_refused_with_a_denied_record(
    rig: DeskRig, scanner: SimSerialScanner
) -> None:
    start_serial(rig, scanner)
    forged = PlatformKeys("forger").ticket(
        rig.project.number, "A2", start=at(DAY1, 0), key_id=rig.keys.key_id
    )
    scanner.scan(forged)
    out = rig.outcomes.wait()
    assert out.status is Status.REFUSED and out.reason == "bad_signature"
    assert (out.message_zh, out.message_en) == (
        "签到码签名无效",
        "Invalid code: signature check failed",
    )
    assert rig.store.records.events() == []
    [row] = rig.store.records.denied()
    assert (row["method"], row["reason"]) == ("qr", "bad_signature")
    expected = hmac.new(DENIED_KEY, forged.encode(), hashlib.sha256).hexdigest()
    assert row["credential_hmac"] == expected


def test_replayed_rotating_code_is_refused(rig: DeskRig, scanner: SimSerialScanner) -> None:
    start_serial(rig, scanner)
    code = make_rotating_code(
        project=rig.project.number, attendee_id="A1", secret=rig.keys.secret("A1"), at=rig.clock()
    )
    scanner.scan(code)
    first = rig.outcomes.wait()
    assert first.status is Status.ACCEPTED
    rig.clock.advance(seconds=20)  # the screenshot forwarded to a colleague, same slot
    scanner.scan(code)
    second = rig.outcomes.wait(2)
    assert second.status is Status.REFUSED and second.reason == "replay"
    assert second.message_en == "This code was already used, wait for the next one"
    assert len(rig.store.records.events()) == 1
    assert [r["reason"] for r in rig.store.records.denied()] == ["replay"]


def test_garbage_and_chinese_lines_are_refused_not_crashing(
    rig: DeskRig, scanner: SimSerialScanner
) -> None:
    start_serial(rig, scanner)
    scanner.send(b"\xff\xfe\x00binary\r")
    scanner.scan("'; DROP TABLE events; --")
    scanner.scan("张伟 内蒙古自治区人民医院")
    reasons = [rig.outcomes.wait(n).reason for n in (1, 2, 3)]
    assert reasons == ["binary", "unknown_prefix", "unknown_prefix"]
    assert [r["reason"] for r in rig.store.records.denied()] == reasons
    # The desk still works after all that.
    scanner.scan(rig.ticket("A3"))
    assert rig.outcomes.wait(4).status is Status.ACCEPTED


def test_a_gbk_badge_and_its_utf8_twin_are_one_credential(
    rig: DeskRig, scanner: SimSerialScanner
) -> None:
    start_serial(rig, scanner)  # [scanner] charset = "auto"
    scanner.scan(NAME_CARD.encode("gbk"))  # printed by a hospital system, no ECI
    scanner.scan(NAME_CARD.encode("utf-8"))  # the same card from a scanner set to send UTF-8
    reasons = [rig.outcomes.wait(n).reason for n in (1, 2)]
    assert reasons == ["unknown_prefix", "unknown_prefix"]  # text of no format, not bytes
    digest = hmac.new(DENIED_KEY, NAME_CARD.encode(), hashlib.sha256).hexdigest()
    assert [r["credential_hmac"] for r in rig.store.records.denied()] == [digest, digest]
    assert all("张" not in str(r["detail"]) for r in rig.store.records.denied())
