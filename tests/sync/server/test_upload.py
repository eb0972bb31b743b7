"""Per-record answers: accepted, duplicate, rejected with a reason; retire vs revoke; refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.core.model import new_uuid
from sync import signing
from sync.client import DeviceRevoked, PermanentError
from sync.server import db as t
from tests.support.desks import enroll, statuses
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, DAY2, at, make_project

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"


def count(srv: LiveServer, table: t.Table) -> int:
    with srv.admin.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_accepted_then_duplicate_and_stored_once(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    batch = [desk.record(f"A{i}", at=at(DAY1, 8, i)) for i in range(1, 6)]
    assert statuses(desk.upload(*batch)) == [("accepted", "")] * 5
    # The response was "lost": the same batch again, plus one new record.
    extra = desk.record("A1", at=at(DAY1, 12), direction="out")
    answers = desk.upload(*batch, extra)
    assert statuses(answers) == [("duplicate", "")] * 5 + [("accepted", "")]
    assert [a.uuid for a in answers] == [r.uuid for r in [*batch, extra]]
    stored = srv.admin.stored_events(NUMBER)
    assert sorted(e["uuid"] for e in stored) == sorted(r.uuid for r in [*batch, extra])
    first = stored[0]
    # Two times per record: the device's scan instant (with offsets) and the receipt time.
    assert first["scanned_at_text"] == batch[0].scanned_at and first["utc_offset_minutes"] == 480
    assert abs(first["received_at"] - srv.clock()) < timedelta(minutes=1)


def test_each_reason_is_answered_per_record_and_nothing_bad_is_stored(srv: LiveServer) -> None:
    srv.admin.create_project(make_project("2026-15-01-002"))
    a = enroll(srv, NUMBER, "A")
    b = enroll(srv, NUMBER, "B")
    good = a.record("A1", at=at(DAY1, 8))
    outside = a.record("A2", at=at(DAY2, 23, 59).replace(day=22))  # the day after the project
    unknown = a.record("A3", at=at(DAY1, 8), project="2099-NOPE")
    foreign = a.record("A3", at=at(DAY1, 9), project="2026-15-01-002")
    altered = a.record("A4", at=at(DAY1, 8)).model_copy(update={"attendee_id": "A5"})
    # Desk B re-signs one of A's records with its own key and sends it under A's token …
    base = a.record("A5", at=at(DAY1, 10))
    resigned = signing.signed_record(b.key, base.model_dump(exclude={"prev_hash", "hash", "signature"}),
                                     prev_hash=base.prev_hash)  # fmt: skip
    # … and under its own token the record names device A.
    wrong_device = b.record("A1", at=at(DAY1, 10), device_id=a.device_id)
    answers = a.upload(good, outside, unknown, foreign, altered, resigned)
    assert statuses(answers) == [
        ("accepted", ""),
        ("rejected", "outside_project_days"),
        ("rejected", "unknown_project"),
        ("rejected", "not_enrolled_for_project"),
        ("rejected", "bad_signature"),
        ("rejected", "bad_signature"),
    ]
    assert statuses(b.upload(wrong_device)) == [("rejected", "wrong_device")]
    assert [e["uuid"] for e in srv.admin.stored_events(NUMBER)] == [good.uuid]
    assert count(srv, t.rejected) == 6
    # A refused record sent again is answered the same way and not stored twice.
    assert statuses(a.upload(outside)) == [("rejected", "outside_project_days")]
    assert count(srv, t.rejected) == 6


def test_same_uuid_with_other_contents_is_a_conflict_not_an_overwrite(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    rec = desk.record("A1", at=at(DAY1, 8))
    desk.upload(rec)
    twin = desk.record("A2", at=at(DAY1, 9), uuid=rec.uuid)
    assert statuses(desk.upload(twin)) == [("rejected", "uuid_conflict")]
    assert [e["attendee_id"] for e in srv.admin.stored_events(NUMBER)] == ["A1"]


def test_server_offset_corrects_the_scan_day(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    # The kiosk clock is a day behind and knew it: the corrected instant is on day 1.
    late_clock = desk.record("A1", at=at(DAY1, 9).replace(day=19), server_offset_ms=86_400_000)
    assert statuses(desk.upload(late_clock)) == [("accepted", "")]
    stored = srv.admin.stored_events(NUMBER)[0]
    assert stored["effective_at"] > stored["scanned_at"]


def test_retire_accepts_what_the_desk_had_and_refuses_later_records(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    before = desk.record("A1", at=at(DAY1, 9))
    desk.client.device_status(1)  # the platform knows the desk holds one record
    srv.admin.retire(desk.device_id, reason="desk lost in hall 2", at=at(DAY1, 10))
    after = desk.record("A2", at=at(DAY1, 11))
    # The retired desk delivers later: what it had at retirement still counts (tests of
    # backdated records: test_device_end.py).
    assert statuses(desk.upload(before, after)) == [
        ("accepted", ""),
        ("rejected", "retired_device"),
    ]
    desks = srv.admin.devices(NUMBER)
    assert desks[0].state == "retired" and not desks[0].blocking
    audit = [e for e in srv.admin.audit_log(NUMBER) if e["action"] == "retire"]
    assert audit[0]["detail"] == "desk lost in hall 2" and audit[0]["subject"] == desk.device_id


def test_revoke_refuses_everything_after_with_the_reason(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    assert statuses(desk.upload(desk.record("A1", at=at(DAY1, 8)))) == [("accepted", "")]
    srv.admin.revoke(desk.device_id, reason="stolen from the registration desk")
    with pytest.raises(DeviceRevoked) as err:
        desk.upload(desk.record("A2", at=at(DAY1, 7)))  # even a scan from before revocation
    assert err.value.detail == "stolen from the registration desk"
    assert err.value.reason == "device_revoked"
    with pytest.raises(DeviceRevoked):
        desk.client.changes(NUMBER)
    assert len(srv.admin.stored_events(NUMBER)) == 1
    actions = [e["action"] for e in srv.admin.audit_log(NUMBER)]
    assert "revoke" in actions and actions.count("refused_revoked") == 2
    with pytest.raises(Exception, match="already revoked"):
        srv.admin.retire(desk.device_id, reason="too late")


def test_reasons_are_required_to_end_a_device(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    with pytest.raises(Exception, match="why"):
        srv.admin.retire(desk.device_id, reason="  ")


def test_denied_attempts_are_kept_once_with_their_hmac(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    key = srv.admin.denied_hmac_key(NUMBER)
    digest = signing.credential_hmac(key, "attendee:A99")
    first = desk.denied(at=at(DAY1, 8), hmac=digest)
    other = desk.denied(at=at(DAY1, 8, 5), reason="replayed_code")
    assert statuses(desk.client.upload_denied_records([first, other])) == [("accepted", "")] * 2
    assert statuses(desk.client.upload_denied_records([first])) == [("duplicate", "")]
    stored = srv.admin.stored_denied(NUMBER)
    assert len(stored) == 2
    assert {d["credential_hmac"] for d in stored} == {digest, None}
    assert "A99" not in repr(stored)


def test_a_full_batch_of_500_and_the_limit(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    batch = [desk.record(f"A{1 + i % 5}", at=at(DAY1, 8), uuid=new_uuid()) for i in range(500)]
    answers = desk.upload(*batch)
    assert len(answers) == 500 and {a.status for a in answers} == {"accepted"}
    with pytest.raises(ValueError, match="500"):
        desk.upload(*batch, desk.record("A1", at=at(DAY1, 9)))
    raw = desk.client._http.client.post(
        "/api/v1/events",
        content='{"records": [' + ",".join(r.model_dump_json() for r in [*batch, batch[0]]) + "]}",
        headers={
            "Authorization": f"Bearer {desk.client.token}",
            "Content-Type": "application/json",
        },
    )
    assert raw.status_code == 422 and raw.json()["error"] == "invalid_request"
    assert count(srv, t.events) == 500


def test_organizer_devices_cannot_record_attendance(srv: LiveServer) -> None:
    org = enroll(srv, NUMBER, "office", role="organizer")
    assert statuses(org.upload(org.record("A1", at=at(DAY1, 8)))) == [("rejected", "not_a_desk")]


def test_a_desk_cannot_read_another_project(srv: LiveServer) -> None:
    srv.admin.create_project(make_project("2026-15-01-002"))
    desk = enroll(srv, NUMBER)
    with pytest.raises(PermanentError) as err:
        desk.client.changes("2026-15-01-002")
    assert err.value.reason == "not_enrolled_for_project"
