"""Every desk outcome through the real service and a real SQLite store."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk.core.checkin import CheckInPolicy, ExpiredDocumentPolicy
from kiosk.core.model import CheckInSettings, DeskMode, Direction, Flag, Method
from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store import Store
from tests.support.roster import DAY1, DAY2, FakeClock, at, make_project, make_roster, resident


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    project = make_project()
    s.roster.save_project(project)
    s.roster.save_roster(project.number, make_roster())
    return s


def service(
    store: Store, clock: FakeClock, *, mode: DeskMode = DeskMode.AUTO, **policy: object
) -> CheckInService:
    project = store.roster.load_project("2026-15-01-001")
    assert project is not None
    return CheckInService(
        store=store,
        project=project,
        device_id="dev-a",
        desk_name="A",
        mode=mode,
        policy=CheckInPolicy(**policy),
        clock=clock,
        denied_key=b"k" * 32,  # type: ignore[arg-type]
    )


def card(i: int = 0, *, valid_to: date | None = None) -> Credential:
    a = make_roster()[i]
    return Credential.id_card(document=a.document, name=a.name, valid_to=valid_to)


def test_accepted_check_in_is_committed_with_sequence_and_message(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 12))
    out = service(store, clock).present(card())
    assert out.status is Status.ACCEPTED
    assert out.event is not None and out.event.seq == 1 and out.event.direction is Direction.IN
    assert out.message_zh == "张伟 签到成功"
    # Committed before present() returned: a second connection sees it.
    again = Store.open(store.path)
    assert [e.event.uuid for e in again.records.events()] == [out.event.uuid]


def test_same_person_again_within_window_is_already_checked_in(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 12))
    svc = service(store, clock, mode=DeskMode.IN)
    svc.present(card())
    clock.advance(minutes=3)
    out = svc.present(card())
    assert out.status is Status.ALREADY
    assert out.message_en == "张伟 already checked in, 08:12"
    assert out.message_zh == "张伟 已于 08:12 签到"
    assert len(store.records.events()) == 1
    # Outside the window the desk in IN mode records again (the credits engine merges).
    clock.advance(minutes=20)
    assert svc.present(card()).status is Status.ACCEPTED
    assert [e.event.seq for e in store.records.events()] == [1, 2]


def test_auto_mode_in_then_out_after_min_interval(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 0))
    svc = service(store, clock, mode=DeskMode.AUTO)
    assert svc.present(card()).event.direction is Direction.IN  # type: ignore[union-attr]
    clock.advance(minutes=5)
    assert svc.present(card()).status is Status.ALREADY  # too soon to be a check-out
    clock.advance(hours=9)
    out = svc.present(card())
    assert out.status is Status.ACCEPTED and out.event is not None
    assert out.event.direction is Direction.OUT
    clock.advance(hours=1)
    # After an out, the next tap is an in again (e.g. back from a break).
    assert svc.present(card()).event.direction is Direction.IN  # type: ignore[union-attr]


def test_auto_mode_starts_fresh_each_day(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 0))
    svc = service(store, clock)
    svc.present(card())  # in on day 1, never out
    clock.now = at(DAY2, 8, 5).astimezone(clock.now.tzinfo)
    out = svc.present(card())
    assert out.event is not None and out.event.direction is Direction.IN


def test_out_mode_and_check_out_without_check_in_is_flagged(store: Store) -> None:
    clock = FakeClock(at(DAY1, 17, 5))
    out = service(store, clock, mode=DeskMode.OUT).present(card(1))
    assert out.status is Status.ACCEPTED and out.event is not None
    assert out.event.direction is Direction.OUT
    assert Flag.OUT_WITHOUT_IN in out.event.flags
    assert "flagged" in out.message_en


def test_outside_project_days_is_refused_and_audited(store: Store) -> None:
    clock = FakeClock(at(date(2026, 5, 22), 9))
    out = service(store, clock).present(card())
    assert out.status is Status.REFUSED and out.reason == "outside_project_days"
    assert store.records.events() == []
    denied = store.records.denied()
    assert [d["reason"] for d in denied] == ["outside_project_days"]
    # The audit row holds a keyed HMAC, never the raw ID number.
    assert make_roster()[0].document.number not in str(denied[0])
    assert len(str(denied[0]["credential_hmac"])) == 64


def test_walk_in_with_valid_card_becomes_provisional_attendee(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 30))
    walk_in = resident("15020319881109032")
    out = service(store, clock).present(Credential.id_card(document=walk_in, name="孙丽"))
    assert out.status is Status.ACCEPTED and out.event is not None
    assert Flag.PROVISIONAL_ATTENDEE in out.event.flags
    found = store.roster.find_by_document("2026-15-01-001", walk_in.number)
    assert found is not None and found.provisional and found.name == "孙丽"
    assert found.id == out.event.attendee_id
    # The second tap finds the provisional entry instead of creating another one.
    clock.advance(minutes=1)
    assert (
        service(store, clock).present(Credential.id_card(document=walk_in, name="孙丽")).status
        is Status.ALREADY
    )
    assert store.roster.roster_size("2026-15-01-001") == 4


def test_expired_document_admitted_and_flagged_by_default(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 30))
    out = service(store, clock).present(card(valid_to=DAY1 - timedelta(days=1)))
    assert out.status is Status.ACCEPTED and out.event is not None
    assert Flag.EXPIRED_DOCUMENT in out.event.flags


def test_expired_document_refused_when_policy_says_so(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 30))
    svc = service(store, clock, expired_document=ExpiredDocumentPolicy.REFUSE)
    out = svc.present(card(valid_to=DAY1 - timedelta(days=1)))
    assert out.status is Status.REFUSED and out.reason == "expired_refused"
    # Valid until today is not expired.
    assert svc.present(card(valid_to=DAY1)).status is Status.ACCEPTED


def test_unknown_card_uid_is_refused_with_desk_message(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 30))
    svc = service(store, clock)
    out = svc.present(Credential.card_uid("9999999999"))
    assert out.status is Status.REFUSED
    assert out.message_en == "Card not registered — please see staff"
    known = svc.present(Credential.card_uid("0713233758"))
    assert known.status is Status.ACCEPTED and known.attendee is not None
    assert known.attendee.id == "A1"


def test_qr_and_face_credentials_and_evidence(store: Store) -> None:
    clock = FakeClock(at(DAY1, 8, 30))
    svc = service(store, clock)
    out = svc.present(Credential.attendee("A2", method=Method.FACE, evidence=b"\xff\xd8jpeg"))
    assert out.event is not None and out.event.method is Method.FACE
    assert out.event.evidence_ref is not None
    assert store.records.evidence(out.event.evidence_ref) == b"\xff\xd8jpeg"
    assert svc.present(Credential.attendee("nobody", method=Method.QR)).reason == "unknown_attendee"


def test_method_not_allowed_by_project(store: Store, tmp_path: Path) -> None:
    from dataclasses import replace

    project = replace(make_project(), checkin=CheckInSettings(methods=frozenset({Method.QR})))
    clock = FakeClock(at(DAY1, 8, 30))
    svc = CheckInService(store=store, project=project, device_id="d", desk_name="A", clock=clock)
    assert svc.present(card()).reason == "method_not_allowed"


def test_other_desk_record_pulled_in_is_reported_with_its_desk(store: Store) -> None:
    with store.db.write("test") as c:  # what the sync pull writes for desk B's record
        c.execute(
            "INSERT INTO remote_events (uuid, project, attendee_id, direction, device_id, desk_name,"
            " scanned_at) VALUES ('u-b', '2026-15-01-001', 'A1', 'in', 'dev-b', 'B', ?)",
            (at(DAY1, 8, 12).isoformat(),),
        )
    clock = FakeClock(at(DAY1, 8, 15))
    out = service(store, clock).present(card())
    assert out.status is Status.ALREADY
    assert out.message_en == "张伟 already checked in at desk B, 08:12"
