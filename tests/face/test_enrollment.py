"""Consent-based enrollment with the real store and check-in service: on site and from rosters."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import Frame
from drivers.face.desk import FaceDesk
from drivers.face.engine import FaceEngine
from drivers.face.enrollment import (
    EnrollmentError,
    EnrollmentState,
    OnSiteEnrollment,
    encodings_from_photos,
    enroll_from_roster,
    withdraw,
)
from drivers.face.events import EnrollmentFinished, FaceEvent, FaceMatched, FaceUnknown
from drivers.face.gallery import Gallery, unpack_template
from kiosk.core.checkin import CheckInPolicy
from kiosk.core.model import DeskMode, Direction, Method
from kiosk.services.checkin import CheckInService, Credential, Status
from sync.store import Store
from tests.support import face_tracks as ft
from tests.support.roster import DAY1, DAY2, FakeClock, at, make_project, make_roster

PROJECT = "2026-15-01-001"
CONSENT = datetime(2026, 5, 20, 0, 15, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "kiosk.sqlite3")
    s.roster.save_project(make_project())
    s.roster.save_roster(PROJECT, make_roster(4))
    return s


def checkin(store: Store, clock: FakeClock) -> CheckInService:
    project = store.roster.load_project(PROJECT)
    assert project is not None
    return CheckInService(store=store, project=project, device_id="desk-a", desk_name="A",
                          mode=DeskMode.AUTO, policy=CheckInPolicy(), clock=clock)  # fmt: skip


def template_row(store: Store, attendee: str) -> tuple[str, str] | None:
    with sqlite3.connect(store.path) as c:
        row = c.execute(
            "SELECT source, consent_at FROM face_templates WHERE project = ? AND attendee_id = ?",
            (PROJECT, attendee),
        ).fetchone()
    return None if row is None else (row[0], row[1])


def flow(store: Store, gallery: Gallery, engine: FaceEngine, attendee: str = "A2",
         **kw: object) -> OnSiteEnrollment:  # fmt: skip
    return OnSiteEnrollment(project=PROJECT, attendee_id=attendee, store=store.records, gallery=gallery,
                            engine=engine, clock=lambda: CONSENT, **kw)  # type: ignore[arg-type]  # fmt: skip


def capture(f: OnSiteEnrollment, first: int = 140, last: int = 182) -> EnrollmentState:
    for t, bgr in ft.clip_frames(first, last, step=2):
        if f.feed(bgr, t).final:
            break
    return f.state


def test_decline_changes_nothing(store: Store, engine: FaceEngine) -> None:
    clock = FakeClock(at(DAY1, 8, 10))
    svc = checkin(store, clock)
    person = make_roster(4)[1]
    out = svc.present(Credential.id_card(document=person.document, name=person.name))
    assert out.status is Status.ACCEPTED
    before = [e.event.uuid for e in store.records.events()]
    gallery = Gallery()
    f = flow(store, gallery, engine, attendee=person.id)
    f.decline()
    assert f.state is EnrollmentState.DECLINED and f.consent_at is None
    assert capture(f) is EnrollmentState.DECLINED  # frames are ignored
    assert store.records.face_templates(PROJECT) == {} and len(gallery) == 0
    assert [e.event.uuid for e in store.records.events()] == before  # the check-in stands as it was
    with pytest.raises(EnrollmentError):
        f.accept()
    # The person keeps using the card.
    clock.advance(minutes=40)
    again = svc.present(Credential.id_card(document=person.document, name=person.name))
    assert again.status is Status.ACCEPTED and again.event.direction is Direction.OUT  # type: ignore[union-attr]


def test_on_site_enrollment_then_face_check_in_on_another_day(
    store: Store, engine: FaceEngine
) -> None:
    gallery = Gallery.from_templates(PROJECT, store.records.face_templates(PROJECT))
    f = flow(store, gallery, engine)
    assert f.accept() == CONSENT
    with pytest.raises(EnrollmentError):
        f.confirm_cardholder(staff="")  # a staff member must vouch for the cardholder
    f.confirm_cardholder(staff="staff-07")
    assert f.state is EnrollmentState.CAPTURING
    assert capture(f) is EnrollmentState.STORED
    blob = store.records.face_templates(PROJECT)["A2"]
    assert unpack_template(blob).shape == (3, 128)
    source, consent = template_row(store, "A2")  # type: ignore[misc]
    assert source == "on_site" and datetime.fromisoformat(consent) == CONSENT
    record = store.records.face_template_record(PROJECT, "A2")
    assert record is not None and record["confirmed_by"] == "staff-07"  # for disputes
    assert gallery.people(project=PROJECT) == {"A2"}
    # The next day the kiosk restarts: the gallery comes from the store, the face checks in.
    events: list[FaceEvent] = []
    fresh = Gallery.from_templates(PROJECT, store.records.face_templates(PROJECT))
    desk = FaceDesk(engine=engine, gallery=fresh, on_event=events.append, policy="off",
                    project=PROJECT)  # fmt: skip
    for k, (t, bgr) in enumerate(ft.clip_frames(164, 190, step=2)):
        desk.feed(Frame(k + 1, t, bgr))
    matched = [e for e in events if isinstance(e, FaceMatched)]
    assert [m.attendee_id for m in matched] == ["A2"]
    clock = FakeClock(at(DAY2, 8, 5))
    out = checkin(store, clock).present(
        Credential.attendee("A2", method=Method.FACE, evidence=matched[0].evidence)
    )
    assert out.status is Status.ACCEPTED and out.event is not None
    assert out.event.method is Method.FACE and out.event.evidence_ref
    assert store.records.evidence(out.event.evidence_ref) == matched[0].evidence


def test_steps_out_of_order_are_refused(store: Store, engine: FaceEngine) -> None:
    f = flow(store, Gallery(), engine)
    with pytest.raises(EnrollmentError):
        f.confirm_cardholder(staff="staff-07")
    assert capture(f, 140, 150) is EnrollmentState.OFFERED  # no capture before consent
    f.accept()
    with pytest.raises(EnrollmentError):
        f.decline()
    assert capture(f, 140, 150) is EnrollmentState.ACCEPTED  # nor before staff confirmed
    f.cancel()
    assert f.state is EnrollmentState.CANCELLED and store.records.face_templates(PROJECT) == {}


def test_capture_times_out_without_a_usable_face(store: Store, engine: FaceEngine) -> None:
    f = flow(store, Gallery(), engine, capture_timeout_s=1.0)
    f.accept()
    f.confirm_cardholder(staff="staff-07")
    assert capture(f, 20, 84) is EnrollmentState.FAILED  # frames where nobody faces the camera
    assert f.reason == "timeout" and store.records.face_templates(PROJECT) == {}


def test_a_face_already_enrolled_under_another_name_is_refused(
    store: Store, engine: FaceEngine
) -> None:
    first = flow(store, Gallery(), engine, attendee="A2")
    first.accept()
    first.confirm_cardholder(staff="staff-07")
    assert capture(first) is EnrollmentState.STORED
    gallery = Gallery.from_templates(PROJECT, store.records.face_templates(PROJECT))
    second = flow(store, gallery, engine, attendee="A3")  # the same face, another card
    second.accept()
    second.confirm_cardholder(staff="staff-07")
    assert capture(second) is EnrollmentState.FAILED and second.reason == "enrolled_as_other"
    assert set(store.records.face_templates(PROJECT)) == {"A2"}


def test_withdrawal_and_retention_delete_templates(
    store: Store, engine: FaceEngine, tmp_path: Path
) -> None:
    gallery = Gallery()
    f = flow(store, gallery, engine)
    f.accept()
    f.confirm_cardholder(staff="staff-07")
    assert capture(f) is EnrollmentState.STORED
    assert withdraw(store=store.records, gallery=gallery, project=PROJECT, attendee_id="A2")
    assert store.records.face_templates(PROJECT) == {} and len(gallery) == 0
    assert not withdraw(store=store.records, gallery=gallery, project=PROJECT, attendee_id="A2")
    # Withdrawn: the face is a stranger again.
    events: list[FaceEvent] = []
    desk = FaceDesk(engine=engine, gallery=gallery, on_event=events.append, policy="off")
    for k, (t, bgr) in enumerate(ft.clip_frames(164, 176, step=2)):
        desk.feed(Frame(k + 1, t, bgr))
    assert [type(e) for e in events] == [FaceUnknown]
    # Retention: purging the project removes its templates; the gallery drops the project.
    roster = [(ft.ENROLL / "obama" / "obama.jpg").read_bytes()]
    enroll_from_roster(engine=engine, store=store.records, gallery=gallery, project=PROJECT,
                       attendee_id="A1", photos=roster, consent_at=CONSENT)  # fmt: skip
    assert set(store.records.face_templates(PROJECT)) == {"A1"}
    store.purge_project(PROJECT, now=at(DAY2, 23))
    assert store.records.face_templates(PROJECT) == {}
    assert gallery.remove_project(PROJECT) == 1 and len(gallery) == 0


def test_roster_photos_enroll_with_reasons_for_unusable_ones(
    store: Store, engine: FaceEngine
) -> None:
    gallery = Gallery()
    photos = [
        (ft.ENROLL / "obama" / "obama.jpg").read_bytes(),
        (ft.ENROLL / "obama" / "obama2.jpg").read_bytes(),
        (ft.FACES / "two_people.jpg").read_bytes(),
        (ft.FACES / "obama-240p.jpg").read_bytes(),
        b"\x89PNG\r\n\x1a\n broken",
    ]
    result = enroll_from_roster(engine=engine, store=store.records, gallery=gallery, project=PROJECT,
                                attendee_id="A1", photos=photos, consent_at=CONSENT)  # fmt: skip
    assert result.encodings.shape == (2, 128)
    assert result.problems[0] == "photo 3: several faces of similar size"
    assert result.problems[1] == "photo 4: face smaller than 80 px"
    assert result.problems[2].startswith("photo 5: not a readable image")
    assert template_row(store, "A1") == ("roster_photo", CONSENT.isoformat())
    probe = engine.photo_faces(ft_rgb("obama-480p.jpg"))[0].encoding
    assert gallery.identify(probe, threshold=0.5, margin=0.06).person == "A1"
    none = encodings_from_photos(engine, [np.full((200, 200, 3), 90, dtype=np.uint8)])
    assert not none.ok and none.problems == ("photo 1: no face",)


def ft_rgb(name: str) -> np.ndarray:
    from drivers.face.engine import load_rgb

    return load_rgb(ft.FACES / name)


def test_desk_hands_frames_to_an_enrollment_then_identifies_again(
    store: Store, engine: FaceEngine
) -> None:
    gallery = Gallery()
    events: list[FaceEvent] = []
    desk = FaceDesk(engine=engine, gallery=gallery, on_event=events.append, policy="off",
                    project=PROJECT)  # fmt: skip
    f = flow(store, gallery, engine)
    f.accept()
    f.confirm_cardholder(staff="staff-07")
    desk.begin_enrollment(f)
    frames = ft.clip_frames(140, 190, step=2)
    for k, (t, bgr) in enumerate(frames):
        desk.feed(Frame(k + 1, t, bgr))
        if f.state.final:
            stored_at = k
            break
    assert f.state is EnrollmentState.STORED  # and no identification meanwhile:
    assert events == [EnrollmentFinished("A2", "stored", "", frames[stored_at][0])]
    for k, (t, bgr) in enumerate(frames[stored_at + 1 :], start=stored_at + 2):
        desk.feed(Frame(k, t, bgr))
    assert [e.attendee_id for e in events if isinstance(e, FaceMatched)] == ["A2"]
