"""Person–ID check at the desk: a SAM-simulator card tap waits for the holder's face (1:1).

The runtime is built from a config (SAM simulator on a pty, a video file as the webcam, the real
engine, store, desk service and bridge). `[face] threshold` is set far below any real distance so
that 1:N never checks the face in by itself: only the card tap's 1:1 (`verify_threshold`) can.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from drivers.face.engine import load_rgb
from drivers.sim.idcard_samples import resident_card
from drivers.sim.sam_reader import SamSimulator, start_sam_simulator
from kiosk.core.model import Method
from kiosk.runtime.face import MISMATCH_ZH
from kiosk.runtime.face.cardcheck import UNVERIFIED_EN, UNVERIFIED_ZH, VERIFY_ZH
from kiosk.services.checkin import Outcome, Status
from kiosk.services.screen import FACE_NAME, EnrollmentOffer, FacePrompt
from tests.support import face_tracks as ft
from tests.support.desk import DENIED_KEY, DeskRig, wait_for
from tests.support.env import need
from tests.support.face_desk import FaceSignals, enroll_photos, set_liveness
from tests.support.faces import PhotoCache, still_scene, still_video

FAILED_ZH = "活体检测未通过，请联系工作人员"  # what the attendee reads on a failed challenge

pytestmark = pytest.mark.timeout(120)

# make_roster()[0]: A1 张伟, born 1960-01-01, sequence 000.
A1_CARD = dict(name="张伟", birth="19600101", seq="000")


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SamSimulator]:
    """A SAM reader simulator behind a stable link (no card yet)."""
    _, sim = start_sam_simulator(tmp_path / "ttySAM")
    yield sim
    sim.stop()


def verify_cards(rig: DeskRig, value: str = "enrolled") -> None:
    """The organizer's `[checkin] face_verify_cards`, liveness off, as a platform update sets it."""
    set_liveness(rig, "off")
    checkin = replace(rig.project.checkin, liveness="off", face_verify_cards=value)
    rig.project = replace(rig.project, checkin=checkin)
    rig.store.roster.save_project(rig.project)
    rig.service.project = rig.project


def start_desk(
    rig: DeskRig, sam: SamSimulator, video: Path, *, wlt: Path | None = None, **face: Any
) -> None:
    """`cme-kiosk run`'s wiring with the SAM reader and face on; returns once face is ready."""
    decoder = {"wlt_decoder": str(wlt)} if wlt else {}
    rig.runtime({
        "sam": {"enabled": True, "port": sam.port, **decoder},
        "face": {"enabled": True, "liveness": "off", "threshold": 0.05,
                 "card_verify_timeout_s": 1.5, **face},
        "camera": {"enabled": True, "source": str(video), "fps": 15},
    })  # fmt: skip
    assert wait_for(lambda: any(d.name == FACE_NAME and d.ok for d in rig.devices), 40)


def scene_video(tmp_path: Path, photos: PhotoCache, name: str) -> Path:
    return still_video(tmp_path / "scene.avi", still_scene(photos, name))


def card_hmac(rig: DeskRig) -> str:
    """The HMAC the platform expects for A1's card (what a denied record keeps, never the number)."""
    person = rig.store.roster.get_attendee(rig.project.number, "A1")
    assert person is not None
    text = f"{person.document.type.value}:{person.document.number}"
    return hmac.new(DENIED_KEY, text.encode(), hashlib.sha256).hexdigest()


def verify_prompts(signals: FaceSignals) -> list[FacePrompt]:
    return [p for p in signals.of(FacePrompt) if p.kind == "verify"]


def test_enrolled_cardholder_at_the_camera_checks_in_by_card_with_the_face_crop(
    rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    verify_cards(rig)
    signals = FaceSignals(rig)
    start_desk(rig, sam, scene_video(tmp_path, photos, "obama-720p.jpg"), card_verify_timeout_s=8)
    rig.outcomes.settle(0.5)
    assert rig.outcomes.items == []  # the face alone is not enough here (threshold 0.05)
    sam.place(resident_card(**A1_CARD))
    out = rig.outcomes.wait(1, timeout=15)
    assert [(p.zh, p.deadline is not None) for p in verify_prompts(signals)] == [(VERIFY_ZH, True)]
    assert out.status is Status.ACCEPTED and out.attendee is not None and out.attendee.id == "A1"
    assert out.event is not None and out.event.method is Method.ID_CARD
    assert out.event.evidence_ref is not None
    crop = rig.store.records.evidence(out.event.evidence_ref)
    assert crop is not None and crop[:2] == b"\xff\xd8"
    rig.outcomes.settle(1.0)  # one tap, one record; no consent offer (A1 has a template)
    assert len(rig.store.records.events()) == 1 and rig.store.records.denied() == []
    assert signals.of(EnrollmentOffer) == []


def test_someone_else_at_the_camera_is_refused_with_the_card_kept_as_an_hmac(
    rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path
) -> None:
    """A colleague's card: the face at the camera is not the cardholder's."""
    enroll_photos(rig, photos, "A1", "obama")
    enroll_photos(rig, photos, "A2", "biden")  # an attendee in their own right, not the card's
    verify_cards(rig)
    start_desk(rig, sam, scene_video(tmp_path, photos, "biden.jpg"), card_verify_timeout_s=8)
    sam.place(resident_card(**A1_CARD))
    out = rig.outcomes.wait(1, timeout=15)
    assert out.status is Status.REFUSED and out.reason == "face_mismatch"
    assert out.message_zh == MISMATCH_ZH and out.attendee is None
    [row] = rig.store.records.denied()
    assert (row["method"], row["reason"]) == ("id_card", "face_mismatch")
    assert row["credential_hmac"] == card_hmac(rig) and "19600101" not in str(row["detail"])
    rig.outcomes.settle(1.0)
    assert rig.store.records.events() == [] and len(rig.outcomes.items) == 1


def test_nobody_at_the_camera_is_refused_after_the_time_limit(
    rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path, zh: None
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    verify_cards(rig)
    window = rig.window()
    empty = still_video(tmp_path / "empty.avi", np.full((480, 640, 3), 100, dtype=np.uint8))
    start_desk(rig, sam, empty)
    sam.place(resident_card(**A1_CARD))
    # The screen asks for the face meanwhile: big, with the seconds left.
    assert wait_for(lambda: window.card.name_label.text() == VERIFY_ZH, 5)
    tapped = time.monotonic()
    assert "秒" in window.card.line_label.text()
    out = rig.outcomes.wait(1, timeout=10)
    assert time.monotonic() - tapped > 1.0  # held for the 1.5 s limit, not answered at once
    assert out.status is Status.REFUSED and out.reason == "face_verify_timeout"
    assert (out.message_zh, out.message_en) == (UNVERIFIED_ZH, UNVERIFIED_EN)
    assert [d["reason"] for d in rig.store.records.denied()] == ["face_verify_timeout"]
    assert rig.store.records.events() == []
    assert wait_for(lambda: window.card.line_label.text() == UNVERIFIED_ZH, 5)
    window.close()


def test_a_failed_challenge_refuses_the_card_once_even_past_the_face_time_limit(
    rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path
) -> None:
    """A photo of the cardholder: it matches, is challenged past the 1.5 s limit, and fails."""
    enroll_photos(rig, photos, "A1", "obama")
    verify_cards(rig)
    set_liveness(rig, "always")
    signals = FaceSignals(rig)
    start_desk(rig, sam, scene_video(tmp_path, photos, "obama-720p.jpg"), liveness_timeout_s=1.5)
    sam.place(resident_card(**A1_CARD))
    out = rig.outcomes.wait(1, timeout=15)
    assert [p.kind for p in signals.of(FacePrompt) if p.kind != "unknown"] == [
        "verify",
        "liveness",
    ]
    assert out.status is Status.REFUSED and out.reason == "liveness_timeout"
    assert out.message_zh == FAILED_ZH and out.attendee is None
    rig.outcomes.settle(2.0)
    [row] = rig.store.records.denied()
    assert (row["method"], row["reason"]) == ("id_card", "liveness_timeout")
    assert row["credential_hmac"] == card_hmac(rig) and rig.store.records.events() == []


@pytest.mark.parametrize("case", ["setting_off", "no_template"])
def test_the_card_checks_in_at_once_without_the_setting_or_a_template(
    case: str, rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1" if case == "setting_off" else "A2", "obama")
    verify_cards(rig, "off" if case == "setting_off" else "enrolled")
    signals = FaceSignals(rig)
    start_desk(rig, sam, scene_video(tmp_path, photos, "biden.jpg"))
    tapped = time.monotonic()
    sam.place(resident_card(**A1_CARD))
    out = rig.outcomes.wait(1, timeout=10)
    assert time.monotonic() - tapped < 1.4  # not held for the face (limit 1.5 s)
    assert out.status is Status.ACCEPTED and out.event is not None
    assert out.event.method is Method.ID_CARD and out.event.evidence_ref is None
    assert verify_prompts(signals) == [] and rig.store.records.denied() == []
    if case == "no_template":  # offered enrollment, as after any card check-in
        assert wait_for(lambda: bool(signals.of(EnrollmentOffer)), 5)


VENDOR_C = r"""
#include <string.h>
static const unsigned char PHOTO[%d] = {%s};
int unpack(char *src, char *dst, int save) {
    if (save != 0) return -2;
    memcpy(dst, PHOTO, sizeof PHOTO);
    return 1;
}
"""


def vendor_library(tmp_path: Path, photo: Path) -> Path:
    """A stand-in vendor WLT library whose 'card photo' is a 102×126 BMP of `photo`."""
    import cv2

    cc = shutil.which("cc") or shutil.which("gcc")
    need(cc is not None, "no C compiler to build the stand-in WLT library (apt install gcc)")
    assert cc is not None
    rgb = load_rgb(photo)
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    card = cv2.resize(rgb[top : top + side, left : left + side, ::-1], (102, 126))
    ok, bmp = cv2.imencode(".bmp", card)
    assert ok and len(bmp) == 38862  # the vendor's 102×126 24-bit bitmap
    src = tmp_path / "wlt.c"
    src.write_text(VENDOR_C % (len(bmp), ",".join(str(b) for b in bmp.tobytes())))
    lib = tmp_path / "libwlt.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib), str(src)], check=True, timeout=60)
    return lib


@pytest.mark.parametrize(("at_camera", "status"), [("obama-720p.jpg", Status.ACCEPTED),
                                                  ("biden.jpg", Status.REFUSED)])  # fmt: skip
def test_with_a_wlt_decoder_the_card_photo_is_the_reference(
    at_camera: str, status: Status, rig: DeskRig, sam: SamSimulator, photos: PhotoCache,
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Nobody is enrolled: the card's own photo (through [sam] wlt_decoder) is compared."""
    lib = vendor_library(tmp_path, ft.FACES / "obama.jpg")
    verify_cards(rig)
    video = scene_video(tmp_path, photos, at_camera)
    start_desk(rig, sam, video, card_verify_timeout_s=8, wlt=lib)
    caplog.set_level(logging.INFO)
    sam.place(resident_card(**A1_CARD))
    out: Outcome = rig.outcomes.wait(1, timeout=15)
    assert out.status is status and rig.store.records.face_templates(rig.project.number) == {}
    assert "card of attendee A1 waits for a face (card_photo)" in caplog.text
    if status is Status.ACCEPTED:
        assert out.event is not None and out.event.method is Method.ID_CARD
        assert out.event.evidence_ref is not None
        assert "confirmed by face: project=2026-15-01-001 attendee=A1 reference=card_photo" in (
            caplog.text
        )
    else:
        assert out.reason == "face_mismatch" and rig.store.records.events() == []
        assert "card_photo" in str(rig.store.records.denied()[0]["detail"])


def test_a_held_tap_replaced_by_another_card_is_kept_as_a_denied_record(
    rig: DeskRig, sam: SamSimulator, photos: PhotoCache, tmp_path: Path
) -> None:
    enroll_photos(rig, photos, "A1", "obama")
    enroll_photos(rig, photos, "A2", "biden")
    verify_cards(rig)
    empty = still_video(tmp_path / "empty.avi", np.full((480, 640, 3), 100, dtype=np.uint8))
    start_desk(rig, sam, empty, card_verify_timeout_s=3)
    sam.place(resident_card(**A1_CARD))
    assert wait_for(lambda: sam.reads_served >= 1, 5)
    sam.remove()
    time.sleep(0.8)  # the reader sees the card gone; the next one is a new tap
    a2 = rig.store.roster.get_attendee(rig.project.number, "A2")
    assert a2 is not None
    n = a2.document.number
    sam.place(resident_card(name=a2.name, region=n[:6], birth=n[6:14], seq=n[14:17]))
    out = rig.outcomes.wait(1, timeout=10)
    # Only the second card's answer reaches the screen; the first tap is on record, not lost.
    assert out.status is Status.REFUSED and out.reason == "face_verify_timeout"
    reasons = [d["reason"] for d in rig.store.records.denied()]
    assert reasons == ["face_verify_interrupted", "face_verify_timeout"]
    assert rig.store.records.denied()[0]["credential_hmac"] == card_hmac(
        rig
    )  # A1's card, as an HMAC
    assert rig.store.records.events() == []
