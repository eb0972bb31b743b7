"""Completeness by sequence numbers: contiguous received, device-reported latest, missing N."""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import pytest

from sync import chain, signing
from sync import protocol as p
from sync.client import PermanentError
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


def _raw_upload(srv: LiveServer, desk: WireDesk, *records: Any, report: str | None) -> Any:
    """POST /events as bytes on the wire (with REPORT_HEADER `report` when given)."""
    headers = {"Authorization": f"Bearer {desk.client.token}", p.VERSION_HEADER: "1",
               "Content-Type": "application/json"}  # fmt: skip
    if report is not None:
        headers[p.REPORT_HEADER] = report
    body = p.EventBatch(records=list(records)).model_dump_json()
    with httpx.Client(verify=ssl.create_default_context(cafile=str(srv.tls.ca_pem))) as http:
        return http.post(f"{srv.url}{p.API_PREFIX}/events", content=body, headers=headers)


def test_an_upload_carries_the_status_report_and_answers_the_completeness(
    srv: LiveServer,
) -> None:
    desk = enroll(srv, NUMBER)
    recs = [desk.record(f"A{1 + i}", at=at(DAY1, 8, i)) for i in range(3)]
    head = chain.sign_head(desk.key, 3, recs[2].hash)
    wire_head = p.ChainHead(seq=head.seq, hash=head.hash, signature=head.signature)
    # Records 1 and 3 with a report of 3: the same completeness as a status report after them.
    answers = desk.client.upload([recs[0], recs[2]],
                                 report=p.DeviceReport(latest_seq=3, head=wire_head))  # fmt: skip
    assert [a.status for a in answers] == ["accepted", "accepted"]
    assert desk.client.report_taken and desk.client.last_desk is not None
    got = desk.client.last_desk
    assert (got.latest_seq, got.missing, got.head_seq, got.complete) == (3, 1, 3, False)
    assert srv.admin.status(NUMBER).desks[0].missing == 1
    desk.client.upload([recs[1]], report=p.DeviceReport(latest_seq=3, head=wire_head))
    assert desk.client.last_desk.complete and srv.admin.status(NUMBER).complete
    # Without the header the answer has no `desk` at all: an older kiosk never sees the field.
    plain_answer = _raw_upload(srv, desk, recs[1], report=None)
    assert plain_answer.status_code == 200 and "desk" not in plain_answer.json()
    assert plain_answer.json()["answers"][0]["status"] == "duplicate"


def test_a_carried_report_with_a_bad_head_costs_the_records_nothing(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    rec = desk.record("A1", at=at(DAY1, 8))
    forged = chain.sign_head(signing.new_private_key(), 1, rec.hash)
    bad = p.DeviceReport(latest_seq=1, head=p.ChainHead(seq=1, hash=rec.hash,
                                                        signature=forged.signature))  # fmt: skip
    answers = desk.client.upload([rec], report=bad)
    assert [a.status for a in answers] == ["accepted"] and not desk.client.report_taken
    assert srv.admin.status(NUMBER).desks[0].head_seq is None  # the forged head was not kept
    with pytest.raises(PermanentError) as refused:
        desk.client.device_status(1, forged)  # the desk's own report: refused as always
    assert refused.value.status == 422


@pytest.mark.parametrize(
    "header",
    ['{"latest_seq": "1"}', '{"latest_seq": 1, "extra": 2}', "not json",
     '{"latest_seq": 1, "head": null, "pad": "' + "x" * 600 + '"}'],
)  # fmt: skip
def test_a_malformed_carried_report_is_refused_422_and_stores_nothing(
    srv: LiveServer, header: str
) -> None:
    desk = enroll(srv, NUMBER)
    rec = desk.record("A1", at=at(DAY1, 8))
    answer = _raw_upload(srv, desk, rec, report=header)
    assert answer.status_code == 422 and answer.json()["error"] == "invalid_report"
    assert srv.admin.stored_events(NUMBER) == []


def test_a_retired_desks_upload_carries_no_report(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    first = desk.record("A1", at=at(DAY1, 8))
    desk.upload(first)
    srv.admin.retire(desk.device_id, reason="desk dropped, screen broken")
    second = desk.record("A2", at=at(DAY1, 8, 5))
    head = chain.sign_head(desk.key, 2, second.hash)
    report = p.DeviceReport(latest_seq=2, head=p.ChainHead(seq=2, hash=second.hash,
                                                           signature=head.signature))  # fmt: skip
    answers = desk.client.upload([second], report=report)
    assert [(a.status, a.reason) for a in answers] == [("rejected", "retired_device")]
    assert not desk.client.report_taken
    assert srv.admin.status(NUMBER).desks[0].head_seq is None
