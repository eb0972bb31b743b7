"""The face station with the real engine, store, service and bridge; a video file is the webcam."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import OpenCvCamera
from drivers.face.availability import load_engine
from drivers.face.engine import FaceEngine
from kiosk.config import Config
from kiosk.core.model import Direction, Method
from kiosk.diagnostics import probe_face_models
from kiosk.runtime.face import MISMATCH_ZH, UNKNOWN_ZH, FaceStation, stricter_policy
from kiosk.services.checkin import Credential, Status
from kiosk.services.screen import (
    FACE_NAME,
    DeviceReason,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
)
from tests.support.desk import DeskRig, wait_for
from tests.support.face_desk import (
    FaceSignals,
    Running,
    clip_video,
    enroll_photos,
    face_config,
    face_status,
    set_liveness,
)
from tests.support.faces import PhotoCache, still_scene, still_video

FAILED_ZH = "活体检测未通过，请联系工作人员"  # what the attendee reads on a failed challenge

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run() -> Iterator[Running]:
    r = Running()
    yield r
    r.stop()


def test_policy_is_the_stricter_of_project_and_venue() -> None:
    assert stricter_policy("off", "challenge_on_doubt") == "challenge_on_doubt"
    assert stricter_policy("always", "off") == "always"
    assert stricter_policy("off", "off") == "off"


def test_create_is_none_when_face_is_off_for_the_desk_or_the_project(rig: DeskRig) -> None:
    cam = OpenCvCamera("missing.avi")
    args = {"desk": rig.desk, "camera": cam}
    assert FaceStation.create(config=Config(), **args) is None  # [face] enabled = false
    methods = rig.project.checkin.methods - {Method.FACE}
    rig.service.project = replace(rig.project, checkin=replace(rig.project.checkin,
                                                               methods=methods))  # fmt: skip
    assert FaceStation.create(config=face_config(Path("x.avi")), **args) is None


def test_enrolled_face_checks_in_once_with_its_crop_as_evidence(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "off")
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    signals = FaceSignals(rig)
    run(rig, face_config(video, liveness="off"))
    assert wait_for(lambda: bool(face_status(rig)))
    assert face_status(rig)[0].reason == DeviceReason("face_loading")  # said before loading
    outcome = rig.outcomes.wait(1, timeout=30)
    assert outcome.status is Status.ACCEPTED and outcome.attendee is not None
    assert outcome.attendee.id == "A1" and outcome.event is not None
    assert outcome.event.method is Method.FACE
    assert face_status(rig)[-1].ok and face_status(rig)[-1].reason == DeviceReason(
        "face_ready", ("1",)
    )
    # The crop is committed with the record (sealed in the store, readable back as a JPEG).
    assert outcome.event.evidence_ref is not None
    crop = rig.store.records.evidence(outcome.event.evidence_ref)
    assert crop is not None and crop[:2] == b"\xff\xd8" and 2_000 < len(crop) < 40_000
    rig.outcomes.settle(2.0)  # the face stays in view: one track, one check-in
    assert len(rig.store.records.events()) == 1 and len(rig.outcomes.items) == 1
    assert signals.previews >= 3  # the throttled preview kept flowing meanwhile


def test_the_ready_line_is_said_without_holding_the_station_lock(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk thread, answering a card under its subscription lock, may wait for the station's
    lock while the loader says "ready" through the desk: that once hung the desk for good."""
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    started: list[FaceStation] = []
    known = threading.Event()
    free: list[bool] = []
    report = rig.desk.report_device

    def reporting(name: str, *, ok: bool, reason: DeviceReason, detail: str = "") -> None:
        if name == FACE_NAME and ok and known.wait(10):
            lock = started[0].state.lock
            other = threading.Thread(target=lambda: free.append(lock.acquire(timeout=5)))
            other.start()
            other.join()
            if free[-1]:
                lock.release()
        report(name, ok=ok, reason=reason, detail=detail)

    monkeypatch.setattr(rig.desk, "report_device", reporting)
    started.append(run(rig, face_config(video, liveness="off")))
    known.set()
    assert wait_for(lambda: bool(free), 60)
    assert free == [True]


def test_unknown_face_is_a_prompt_and_no_record(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    video = still_video(tmp_path / "rose.avi", still_scene(photos, "enroll/rose_leslie/img2.jpg"))
    signals = FaceSignals(rig, ack=False)
    run(rig, face_config(video))
    assert wait_for(lambda: bool(signals.of(FacePrompt)), 30)
    prompt = signals.of(FacePrompt)[0]
    assert prompt.kind == "unknown" and prompt.zh == UNKNOWN_ZH
    first = signals.previews
    rig.outcomes.settle(1.5)
    assert (
        rig.outcomes.items == []
        and rig.store.records.events() == []
        and rig.store.records.denied() == []
    )
    # Unpainted previews hold the next one back, but only for a second: it never stops for good.
    assert 1 <= signals.previews - first <= 3


def test_failed_liveness_is_a_denied_record_with_its_own_message(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    """A printed photo of an enrolled attendee held still: the organizer asks for a challenge."""
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "always")  # the venue's config says off: the project's stricter policy wins
    video = still_video(tmp_path / "photo.avi", still_scene(photos, "obama-720p.jpg"))
    signals = FaceSignals(rig)
    station = run(rig, face_config(video, liveness="off", liveness_timeout_s=1.5))
    assert station.state.policy == "always"
    outcome = rig.outcomes.wait(1, timeout=30)
    prompts = [p for p in signals.of(FacePrompt) if p.kind == "liveness"]
    assert len(prompts) == 1 and prompts[0].deadline is not None
    assert prompts[0].zh in ("请眨眨眼", "请向左转头", "请向右转头")
    assert outcome.status is Status.REFUSED and outcome.message_zh == FAILED_ZH
    assert outcome.attendee is None  # a photo's owner is not named on screen
    denied = rig.store.records.denied()
    assert [d["reason"] for d in denied] == ["liveness_timeout"] and denied[0]["method"] == "face"
    assert rig.store.records.events() == []


def test_enrollment_offer_accept_confirm_then_face_works(
    rig: DeskRig, run: Running, tmp_path: Path, engine: FaceEngine
) -> None:
    set_liveness(rig, "off")
    signals = FaceSignals(rig)
    config = face_config(clip_video(tmp_path / "clip.avi"), liveness="off")
    station = run(rig, config, quiet_s=0.2, repeat_s=0.5)  # the test's person "comes back" fast
    assert wait_for(lambda: any(d.ok for d in face_status(rig)), 30)
    person = rig.store.roster.get_attendee(rig.project.number, "A2")
    assert person is not None
    rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
    card = rig.outcomes.wait(1)
    assert card.status is Status.ACCEPTED and card.event.method is Method.ID_CARD  # type: ignore[union-attr]
    assert wait_for(lambda: bool(signals.of(EnrollmentOffer)), 5)
    offer = signals.of(EnrollmentOffer)[0]
    assert offer.outcome is card and offer.project_name == rig.project.name
    prompts = len(signals.of(FacePrompt))
    rig.outcomes.settle(1.0)
    # While the offer is open the camera is not served: no check-in, not even "not recognised".
    assert len(rig.outcomes.items) == 1 and len(signals.of(FacePrompt)) == prompts
    rig.clock.advance(minutes=40)  # the person comes back for check-out later by face
    offer.controls.accept()
    offer.controls.confirm()
    assert wait_for(lambda: bool(signals.of(EnrollmentUpdate)), 40)
    assert signals.of(EnrollmentUpdate)[0] == EnrollmentUpdate("A2", "stored", "")
    assert set(rig.store.records.face_templates(rig.project.number)) == {"A2"}
    assert station.gallery is not None and "A2" in station.gallery.people()
    out = rig.outcomes.wait(2, timeout=30)
    assert out.status is Status.ACCEPTED and out.attendee is not None and out.attendee.id == "A2"
    assert out.event is not None and out.event.method is Method.FACE
    assert out.event.direction is Direction.OUT


def test_withdrawal_from_the_command_line_reaches_the_running_desk(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "off")
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    signals = FaceSignals(rig)
    config = face_config(video, liveness="off")
    station = run(rig, config, poll_s=0.3)
    assert rig.outcomes.wait(1, timeout=30).event.method is Method.FACE  # type: ignore[union-attr]
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "face", "withdraw", "--project", rig.project.number,
         "--attendee", "A1"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "CME_KIOSK_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "face template of attendee A1" in proc.stdout and "deleted" in proc.stdout
    assert rig.store.records.face_templates(rig.project.number) == {}
    log = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "face template withdrawn: project=2026-15-01-001 attendee=A1 held=yes" in log
    # The running desk drops the template and looks again: the same face is now a stranger.
    assert station.gallery is not None
    assert wait_for(lambda: "A1" not in station.gallery.people(), 10)  # type: ignore[union-attr]
    assert wait_for(lambda: any(p.kind == "unknown" for p in signals.of(FacePrompt)), 15)
    rig.outcomes.settle(1.0)
    assert len(rig.store.records.events()) == 1 and len(rig.outcomes.items) == 1


@pytest.mark.timeout(120)
def test_face_stack_that_quits_is_a_status_line_and_cards_still_work(
    rig: DeskRig, run: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """face_recognition_models as under setuptools >= 82 (it quits the process that loads it)."""
    pkg = tmp_path / "fake" / "face_recognition_models"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg_resources_removed_in_82 import resource_filename\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    config = face_config(tmp_path / "none.avi")
    station = run(rig, config, load=lambda: load_engine(probe=probe_face_models))
    assert wait_for(lambda: len(face_status(rig)) >= 2, 60)
    line = face_status(rig)[-1]
    assert not line.ok and line.reason == DeviceReason("face_off")
    assert line.detail.startswith("face check-in disabled: models do not load (exit 0)")
    assert station.desk is None
    person = rig.store.roster.get_attendee(rig.project.number, "A1")
    assert person is not None
    rig.desk.submit(Credential.id_card(document=person.document, name=person.name))
    assert rig.outcomes.wait(1).status is Status.ACCEPTED


def test_the_desk_runtime_starts_the_station_on_its_camera(
    rig: DeskRig, photos: PhotoCache, tmp_path: Path
) -> None:
    """`cme-kiosk run`'s wiring: [face] and [camera] enabled → a face check-in."""
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "off")
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    rig.runtime({"face": {"enabled": True, "liveness": "off"},
                 "camera": {"enabled": True, "source": str(video), "fps": 15}})  # fmt: skip
    outcome = rig.outcomes.wait(1, timeout=30)
    assert outcome.status is Status.ACCEPTED and outcome.event is not None
    assert outcome.event.method is Method.FACE and outcome.event.evidence_ref is not None
    assert face_status(rig)[-1].ok


def test_one_to_one_after_a_card_tap_refuses_another_face_then_admits_the_right_one(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    """FaceDesk.expect (person-ID check): a face that is not the attendee is a denied record."""
    enroll_photos(rig, photos, "A1", "obama")
    enroll_photos(rig, photos, "A2", "biden")
    set_liveness(rig, "off")
    import cv2

    video = tmp_path / "biden.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 480))
    empty, face = np.full((480, 640, 3), 100, dtype=np.uint8), still_scene(photos, "biden.jpg")
    for frame in [empty] * 15 + [face] * 15:  # an empty second first: time to tap the card
        writer.write(frame)
    writer.release()
    station = run(rig, face_config(video, liveness="off"))
    assert wait_for(lambda: station.desk is not None, 30)
    assert station.desk is not None
    station.desk.expect("A1")  # the card said A1; biden stands at the camera
    refused = rig.outcomes.wait(1, timeout=30)
    assert refused.status is Status.REFUSED and refused.message_zh == MISMATCH_ZH
    assert [d["reason"] for d in rig.store.records.denied()] == ["face_mismatch"]
    station.desk.expect("A2")
    admitted = rig.outcomes.wait(2, timeout=30)
    assert admitted.status is Status.ACCEPTED and admitted.attendee is not None
    assert admitted.attendee.id == "A2" and admitted.event is not None
    assert admitted.event.method is Method.FACE and admitted.event.evidence_ref is not None


def test_an_offer_nobody_answers_expires_and_the_camera_resumes(
    rig: DeskRig, run: Running, tmp_path: Path, engine: FaceEngine
) -> None:
    signals = FaceSignals(rig)
    config = face_config(clip_video(tmp_path / "clip.avi", 140, 160))
    run(rig, config, offer_timeout_s=1.0, quiet_s=0.2)  # e.g. no screen connected
    assert wait_for(lambda: any(d.ok for d in face_status(rig)), 30)
    card_person = rig.store.roster.get_attendee(rig.project.number, "A3")
    assert card_person is not None
    rig.desk.submit(Credential.id_card(document=card_person.document, name=card_person.name))
    assert wait_for(lambda: bool(signals.of(EnrollmentOffer)), 10)
    assert wait_for(lambda: bool(signals.of(EnrollmentUpdate)), 10)
    assert signals.of(EnrollmentUpdate)[0] == EnrollmentUpdate("A3", "cancelled")
    before = len(signals.of(FacePrompt))
    assert wait_for(lambda: len(signals.of(FacePrompt)) > before, 10)  # served again
    assert rig.store.records.face_templates(rig.project.number) == {}


def test_retention_purge_empties_the_running_gallery(
    rig: DeskRig, photos: PhotoCache, run: Running, tmp_path: Path
) -> None:
    from kiosk.config import PrivacySection
    from kiosk.services.retention import RetentionLoop

    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "off")
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    station = run(rig, face_config(video, liveness="off"), repeat_s=0.0)
    assert rig.outcomes.wait(1, timeout=30).status is Status.ACCEPTED
    loop = RetentionLoop(rig.store, PrivacySection(), on_purged=station.project_purged,
                         clock=lambda: datetime(2027, 1, 1, tzinfo=UTC))  # fmt: skip
    assert loop.step() == [rig.project.number]
    assert station.gallery is not None and len(station.gallery) == 0
    assert wait_for(lambda: face_status(rig)[-1].reason == DeviceReason("face_purged"), 5)
    assert rig.store.records.face_templates(rig.project.number) == {}
    rig.outcomes.settle(1.5)  # the face is still there: nothing more is presented
    assert len(rig.outcomes.items) == 1


def test_withdraw_of_an_unknown_project_is_one_line_and_a_failure(
    rig: DeskRig, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "face", "withdraw", "--project", "2026-99-99-999",
         "--attendee", "A1"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "CME_KIOSK_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"cme-kiosk: no project 2026-99-99-999 in {tmp_path / 'kiosk.sqlite3'}"
    ]
