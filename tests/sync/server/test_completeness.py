"""Completeness by sequence numbers: contiguous received, device-reported latest, missing N."""

from __future__ import annotations

import pytest

from sync import signing
from tests.support.desks import WireDesk, enroll
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, at

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


def test_gaps_are_counted_from_sequence_numbers_not_clocks(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    recs = [desk.record(f"A{1 + i % 5}", at=at(DAY1, 8, i)) for i in range(6)]
    desk.upload(recs[0], recs[1], recs[3], recs[4])  # 3 and 6 still on the kiosk
    report = desk.client.device_status(6).desk
    assert (report.highest_contiguous, report.latest_seq, report.missing) == (2, 6, 2)
    assert not report.complete and report.blocking
    status = srv.admin.status(NUMBER)
    assert not status.complete and status.desks[0].missing == 2
    desk.upload(recs[2], recs[5])
    report = desk.client.device_status(6).desk
    assert (report.highest_contiguous, report.missing, report.complete) == (6, 0, True)
    assert srv.admin.status(NUMBER).complete


def test_a_refused_but_genuine_record_is_not_missing(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    ok = desk.record("A1", at=at(DAY1, 8))
    outside = desk.record("A1", at=at(DAY1, 8).replace(day=25))
    forged = desk.record("A1", at=at(DAY1, 9)).model_copy(update={"attendee_id": "A2"})
    desk.upload(ok, outside, forged)
    report = desk.client.device_status(3).desk
    # seq 2 was refused for its day, but it is the desk's: it will not come again.
    # seq 3 failed its signature: it proves nothing, so it is still missing.
    assert (report.highest_contiguous, report.missing) == (2, 1)


def test_a_lost_desk_blocks_until_an_admin_retires_it(srv: LiveServer) -> None:
    a = enroll(srv, NUMBER, "A")
    lost = enroll(srv, NUMBER, "B")
    organizer = enroll(srv, NUMBER, "office", role="organizer")
    a.upload(a.record("A1", at=at(DAY1, 8)))
    a.client.device_status(1)
    lost.upload(lost.record("A2", at=at(DAY1, 8)))
    lost.client.device_status(4)  # it recorded 4, delivered 1, then disappeared
    status = srv.admin.status(NUMBER)
    by_name = {d.desk_name: d for d in status.desks}
    assert by_name["A"].complete and not by_name["B"].complete and by_name["B"].missing == 3
    assert not by_name["office"].blocking  # an organizer tool is not a desk
    assert not status.complete
    srv.admin.retire(lost.device_id, reason="desk B stolen at lunch; police report 17")
    status = srv.admin.status(NUMBER)
    assert status.complete
    b = next(d for d in status.desks if d.desk_name == "B")
    assert b.state == "retired" and b.missing == 3 and not b.blocking
    assert b.end_reason == "desk B stolen at lunch; police report 17"
    assert organizer.client.project_status(NUMBER).complete


def test_a_desk_that_never_reported_blocks(srv: LiveServer) -> None:
    silent = enroll(srv, NUMBER, "C")
    status = srv.admin.status(NUMBER)
    assert not status.complete and not status.desks[0].reported
    silent.client.device_status(0)
    assert srv.admin.status(NUMBER).complete


def test_a_reused_kiosk_can_start_its_sequence_later(srv: LiveServer) -> None:
    code, _ = srv.admin.enroll_code(NUMBER)
    client = srv.client()
    key = signing.new_private_key()
    got = client.enroll(code, public_key=signing.public_b64(key), desk_name="D", seq_start=41)
    desk = WireDesk(client, key, got)
    desk.seq = 40
    desk.upload(desk.record("A1", at=at(DAY1, 8)))
    report = desk.client.device_status(41).desk
    assert (report.highest_contiguous, report.missing, report.complete) == (41, 0, True)
