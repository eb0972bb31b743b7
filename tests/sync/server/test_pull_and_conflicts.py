"""Incremental, resumable pulls; two kiosks on one project; offline conflicts kept and flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.checkin import OutcomeKind
from kiosk.services.checkin import Credential, Status
from sync.protocol import ChangesPage
from sync.server.roster import RosterRow, import_roster
from tests.support.desks import enroll
from tests.support.kiosks import make_kiosk
from tests.support.live_server import LiveServer
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

pytestmark = pytest.mark.timeout(90)
NUMBER = "2026-15-01-001"


class Interrupted(Exception):
    pass


def test_pull_is_incremental_and_resumes_where_it_stopped(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    stored_cursor = "0"
    seen: list[str] = []

    def apply(page: ChangesPage) -> None:
        nonlocal stored_cursor
        seen.extend(a.id for a in page.attendees)
        stored_cursor = page.cursor
        if len(seen) == 2:
            raise Interrupted  # the network went away after the first page was stored

    with pytest.raises(Interrupted):
        desk.client.pull(NUMBER, cursor=stored_cursor, on_page=apply, limit=2)
    final = desk.client.pull(NUMBER, cursor=stored_cursor, on_page=apply, limit=2)
    assert seen == ["A1", "A2", "A3", "A4", "A5"]
    assert desk.client.changes(NUMBER, cursor=final) == ChangesPage(
        project=NUMBER, cursor=final, more=False, attendees=[], events=[]
    )
    # A corrected roster line comes again, and only it.
    person = make_roster(5)[3]
    row = RosterRow(line=2, id_type=person.document.type.value, id_number=person.document.number,
                    name=person.name, unit="新单位")  # fmt: skip
    import_roster(srv.admin.platform, NUMBER, [row], actor="test")
    page = desk.client.changes(NUMBER, cursor=final)
    assert [(a.id, a.unit) for a in page.attendees] == [("A4", "新单位")]
    assert page.attendees[0].secret == srv.admin.attendee_qr_secret(NUMBER, "A4")
    assert srv.admin.attendee_ref(NUMBER, person.document.number) == "A4"


def test_project_bundle_is_cached_by_etag(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER)
    bundle, etag = desk.client.project(NUMBER)
    assert bundle is not None and bundle.to_project() == make_project()
    assert len(bundle.hmac_key) == 32 and len(bundle.ticket_keys) == 1
    assert desk.client.project(NUMBER, etag=etag) == (None, etag)
    new_kid = srv.admin.rotate_ticket_key(NUMBER)
    again, etag2 = desk.client.project(NUMBER, etag=etag)
    assert again is not None and etag2 != etag
    assert [k.key_id for k in again.ticket_keys][-1] == new_kid and len(again.ticket_keys) == 2
    kid, private = srv.admin.ticket_signing_key(NUMBER)
    assert kid == new_kid and len(private) == 32


def test_two_kiosks_merge_and_desk_b_knows_what_desk_a_recorded(
    srv: LiveServer, tmp_path: Path
) -> None:
    project = make_project()
    clock = FakeClock(at(DAY1, 8, 12))
    a = make_kiosk(tmp_path, srv, project, "A", clock=clock)
    b = make_kiosk(tmp_path, srv, project, "B", clock=clock)
    people = make_roster(5)
    assert (
        a.service.present(Credential.id_card(document=people[0].document)).status is Status.ACCEPTED
    )
    a.sync()
    b.pull()
    clock.advance(minutes=3)
    out = b.service.present(Credential.id_card(document=people[0].document))
    assert out.status is Status.ALREADY
    assert out.decision is not None and out.decision.kind is OutcomeKind.ALREADY_RECORDED
    assert "desk A" in out.message_en and "08:12" in out.message_en
    assert (
        b.service.present(Credential.id_card(document=people[1].document)).status is Status.ACCEPTED
    )
    b.sync()
    a.pull()
    status = srv.admin.status(NUMBER)
    assert status.events == 2 and status.conflicts == 0 and status.complete
    # A desk does not receive its own records back; an organizer receives every desk's.
    org = enroll(srv, NUMBER, "office", role="organizer")
    merged = org.client.changes(NUMBER).events
    assert sorted(e.desk_name for e in merged) == ["A", "B"]


def test_offline_desks_both_admit_and_both_records_are_kept_as_a_conflict(
    srv: LiveServer, tmp_path: Path
) -> None:
    project = make_project()
    clock = FakeClock(at(DAY1, 8, 10))
    a = make_kiosk(tmp_path, srv, project, "A", clock=clock)
    b = make_kiosk(tmp_path, srv, project, "B", clock=clock)
    person = make_roster(5)[1]
    # The venue network is down: neither desk knows about the other's check-in.
    assert a.service.present(Credential.id_card(document=person.document)).status is Status.ACCEPTED
    clock.advance(minutes=2)
    assert b.service.present(Credential.id_card(document=person.document)).status is Status.ACCEPTED
    a.sync()
    b.sync()
    stored = srv.admin.stored_events(NUMBER)
    assert len(stored) == 2 and all(e["conflict"] for e in stored)
    assert srv.admin.status(NUMBER).conflicts == 2
    # The earlier record was flagged after desk A had uploaded it: desk B's pull brings the flag.
    org = enroll(srv, NUMBER, "office", role="organizer")
    assert [e.conflict for e in org.client.changes(NUMBER).events] == [True, True]
    b.pull()
    a_record = [e for e in b.client.changes(NUMBER).events if e.desk_name == "A"]
    assert a_record and a_record[0].conflict


def test_conflict_means_consecutive_same_direction_records_from_two_desks(srv: LiveServer) -> None:
    a = enroll(srv, NUMBER, "A")
    b = enroll(srv, NUMBER, "B")
    a.upload(a.record("A1", at=at(DAY1, 8)), a.record("A2", at=at(DAY1, 8)))
    b.upload(b.record("A1", at=at(DAY1, 12), direction="out"))
    a.upload(a.record("A1", at=at(DAY1, 14)))
    # A2 has an "out" at desk B and a second "in" at desk A after lunch: a conflict pair.
    b.upload(b.record("A2", at=at(DAY1, 14, 5)))
    by_person = {(e["attendee_id"], e["device_id"], e["direction"]): e["conflict"]
                 for e in srv.admin.stored_events(NUMBER)}  # fmt: skip
    assert not any(v for (person, _, _), v in by_person.items() if person == "A1")
    assert by_person[("A2", a.device_id, "in")] and by_person[("A2", b.device_id, "in")]
