"""The desk window with a running face station: a video file is the webcam, the engine is real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from drivers.face.availability import load_engine
from drivers.face.engine import FaceEngine
from kiosk.core.model import Method
from kiosk.diagnostics import probe_face_models
from kiosk.runtime.face import UNKNOWN_ZH
from kiosk.services.checkin import Credential, Status
from kiosk.services.screen import FACE_NAME, DeviceReason
from kiosk.ui import theme
from kiosk.ui.consent import STAGE_COLOURS
from kiosk.ui.desk_window import DeskWindow
from tests.support.desk import DeskRig, desk_rig
from tests.support.face_desk import Running, clip_video, enroll_photos, face_config, set_liveness
from tests.support.faces import PhotoCache, still_scene, still_video

FAILED_ZH = "活体检测未通过，请联系工作人员"  # what the attendee reads on a failed challenge

pytestmark = pytest.mark.timeout(180)

IDLE_ZH = "请刷身份证、扫描二维码或看向摄像头"
COLOURS = theme.STATUS_COLOURS
STAFF_ZH = "工作人员确认：摄像头前是持卡人本人？"
CAPTURING_ZH = "请看向摄像头，保持不动"
STORED_ZH = "已开通刷脸签到"
DECLINED_ZH = "未开通。您的签到有效"


def face_ready(window: DeskWindow) -> bool:
    """The face station reported itself ready (the strip and staff mode show its line)."""
    status = window.strip.devices.get(FACE_NAME)
    return status is not None and status.ok


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


@pytest.fixture
def run() -> Iterator[Running]:
    r = Running()
    yield r
    r.stop()


@pytest.fixture
def window(rig: DeskRig) -> DeskWindow:
    win = rig.window(hold_ms=400, consent_ms=3000)
    win.show()
    return win


def card_tap(rig: DeskRig, attendee: str) -> None:
    person = rig.store.roster.get_attendee(rig.project.number, attendee)
    assert person is not None
    rig.desk.submit(Credential.id_card(document=person.document, name=person.name))


def test_enrolled_face_is_checked_in_and_shown_green(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, photos: PhotoCache, run: Running,
    tmp_path: Path,
) -> None:  # fmt: skip
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "off")
    video = still_video(tmp_path / "obama.avi", still_scene(photos, "obama-720p.jpg"))
    run(rig, face_config(video, liveness="off"))
    outcome = rig.outcomes.wait(1, timeout=30)
    assert outcome.event is not None and outcome.event.method is Method.FACE
    person = outcome.attendee
    assert person is not None and person.id == "A1"
    assert COLOURS[Status.ACCEPTED] in window.card.styleSheet()
    assert window.card.name_label.text() == person.name
    assert window.card.line_label.text() == "签到成功"
    assert person.document.masked() in window.card.who_label.text()
    assert person.document.number not in window.card.who_label.text()
    # The face column: ready, with a live (throttled) preview.
    assert window.camera_view.isVisible() and face_ready(window)
    assert window.strip.devices[FACE_NAME].reason == DeviceReason("face_ready", ("1",))
    qtbot.waitUntil(lambda: window.camera_view.frames_shown >= 2, timeout=5000)
    assert window.camera_view.has_frame
    # The face the desk serves is boxed on the preview, inside the frame.
    qtbot.waitUntil(lambda: window.camera_view.face_box is not None, timeout=5000)
    box = window.camera_view.face_box
    assert box is not None and 0.0 <= box[0] < box[2] <= 1.0 and 0.0 <= box[1] < box[3] <= 1.0
    qtbot.waitUntil(lambda: window.card.line_label.text() == IDLE_ZH, timeout=3000)


def test_unknown_face_shows_a_hint_and_records_nothing(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, photos: PhotoCache, run: Running,
    tmp_path: Path,
) -> None:  # fmt: skip
    enroll_photos(rig, photos, "A1", "obama")
    video = still_video(tmp_path / "rose.avi", still_scene(photos, "enroll/rose_leslie/img2.jpg"))
    run(rig, face_config(video))
    qtbot.waitUntil(lambda: window.camera_view.prompt == UNKNOWN_ZH, timeout=30_000)
    assert COLOURS[None] in window.card.styleSheet()  # no verdict: the card stays idle
    assert rig.store.records.events() == [] and rig.outcomes.items == []


def test_liveness_prompt_with_countdown_then_refusal(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, photos: PhotoCache, run: Running,
    tmp_path: Path,
) -> None:  # fmt: skip
    """A still photo of an enrolled attendee under the project's `always` policy."""
    enroll_photos(rig, photos, "A1", "obama")
    set_liveness(rig, "always")
    video = still_video(tmp_path / "photo.avi", still_scene(photos, "obama-720p.jpg"))
    run(rig, face_config(video, liveness_timeout_s=2.0))
    qtbot.waitUntil(lambda: theme.BLUE in window.card.styleSheet(), timeout=30_000)
    assert window.card.name_label.text() in ("请眨眨眼", "请向左转头", "请向右转头")
    assert (
        window.card.line_label.text().startswith("剩余") and "秒" in window.card.line_label.text()
    )
    assert window.camera_view.prompt == window.card.name_label.text()  # on the picture too
    outcome = rig.outcomes.wait(1, timeout=10)
    assert outcome.status is Status.REFUSED
    qtbot.waitUntil(lambda: window.card.line_label.text() == FAILED_ZH, timeout=3000)
    assert COLOURS[Status.REFUSED] in window.card.styleSheet()
    assert [d["reason"] for d in rig.store.records.denied()] == ["liveness_timeout"]


def test_consent_accept_staff_confirm_enroll_then_check_out_by_face(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, run: Running, tmp_path: Path,
    engine: FaceEngine,
) -> None:  # fmt: skip
    set_liveness(rig, "off")
    config = face_config(clip_video(tmp_path / "clip.avi"), liveness="off")
    run(rig, config, quiet_s=0.2, repeat_s=0.5)
    qtbot.waitUntil(lambda: face_ready(window), timeout=30_000)
    card_tap(rig, "A2")
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.consent, timeout=5000)
    consent = window.consent
    assert "签到成功" in consent.checked_in_label.text()  # the check-in is shown as done
    text = consent.text_label.text()
    for words in ("保存什么", "保存多久", "如何撤回", "不同意不影响本次签到"):
        assert words in text
    assert rig.project.name in text
    assert consent.accept_button.isVisible() and consent.decline_button.isVisible()
    assert consent.accept_button.minimumHeight() >= 80
    rig.clock.advance(minutes=40)  # the face check-out below happens later in the day
    qtbot.mouseClick(consent.accept_button, Qt.MouseButton.LeftButton)
    assert consent.title_label.text() == STAFF_ZH and consent.confirm_button.isVisible()
    assert STAGE_COLOURS["staff"] in consent.styleSheet()
    assert (
        rig.store.records.face_templates(rig.project.number) == {}
    )  # consent alone stores nothing
    qtbot.mouseClick(consent.confirm_button, Qt.MouseButton.LeftButton)
    assert consent.title_label.text() == CAPTURING_ZH
    qtbot.waitUntil(lambda: consent.title_label.text() == STORED_ZH, timeout=40_000)
    assert set(rig.store.records.face_templates(rig.project.number)) == {"A2"}
    # Next presentation: the face alone.
    out = rig.outcomes.wait(2, timeout=30)
    assert out.event is not None and out.event.method is Method.FACE
    assert out.attendee is not None and out.attendee.id == "A2"
    qtbot.waitUntil(lambda: window.card.line_label.text() == "签退成功", timeout=5000)
    assert window.answers.currentWidget() is window.card
    assert COLOURS[Status.ACCEPTED] in window.card.styleSheet()


def test_consent_declined_stores_nothing_and_the_check_in_stands(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, run: Running, tmp_path: Path,
    engine: FaceEngine,
) -> None:  # fmt: skip
    run(rig, face_config(clip_video(tmp_path / "clip.avi", 140, 160)))
    qtbot.waitUntil(lambda: face_ready(window), timeout=30_000)
    card_tap(rig, "A3")
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.consent, timeout=5000)
    events = [e.event.uuid for e in rig.store.records.events()]
    qtbot.mouseClick(window.consent.decline_button, Qt.MouseButton.LeftButton)
    assert window.consent.title_label.text() == DECLINED_ZH
    assert rig.store.records.face_templates(rig.project.number) == {}
    assert [e.event.uuid for e in rig.store.records.events()] == events
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.card, timeout=3000)
    assert window.card.line_label.text() == IDLE_ZH
    # Not asked again at the next tap (check-out): a "no" is a no while the desk runs.
    rig.clock.advance(minutes=40)
    card_tap(rig, "A3")
    qtbot.waitUntil(lambda: window.card.line_label.text() == "签退成功", timeout=5000)
    rig.outcomes.settle(0.5)
    assert window.answers.currentWidget() is window.card and len(rig.store.records.events()) == 2


def test_unanswered_consent_returns_to_idle_and_stores_nothing(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, run: Running, tmp_path: Path,
    engine: FaceEngine,
) -> None:  # fmt: skip
    run(rig, face_config(clip_video(tmp_path / "clip.avi", 140, 160)))
    qtbot.waitUntil(lambda: face_ready(window), timeout=30_000)
    card_tap(rig, "A3")
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.consent, timeout=5000)
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.card, timeout=6000)
    assert window.card.line_label.text() == IDLE_ZH
    assert rig.store.records.face_templates(rig.project.number) == {}
    assert len(rig.store.records.events()) == 1


@pytest.mark.timeout(120)
def test_face_stack_unavailable_is_a_red_status_line_and_cards_work(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, run: Running, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    pkg = tmp_path / "fake" / "face_recognition_models"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg_resources_removed_in_82 import resource_filename\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    run(rig, face_config(tmp_path / "none.avi"), load=lambda: load_engine(probe=probe_face_models))
    view = window.camera_view
    qtbot.waitUntil(lambda: view.status_text.startswith("人脸签到已停用"), timeout=60_000)
    assert "✗ 人脸 face" in window.strip.devices_label.text()
    assert theme.RED in window.strip.devices_label.text()
    card_tap(rig, "A1")
    qtbot.waitUntil(lambda: window.card.line_label.text() == "签到成功", timeout=5000)
    assert COLOURS[Status.ACCEPTED] in window.card.styleSheet()
    assert window.answers.currentWidget() is window.card  # no consent offer without an engine


def test_a_notice_over_the_consent_screen_cancels_the_offer_and_the_camera_resumes(
    qtbot: QtBot, rig: DeskRig, window: DeskWindow, run: Running, tmp_path: Path,
    engine: FaceEngine,
) -> None:  # fmt: skip
    run(rig, face_config(clip_video(tmp_path / "clip.avi", 140, 160)), quiet_s=0.2)
    qtbot.waitUntil(lambda: face_ready(window), timeout=30_000)
    card_tap(rig, "A3")
    qtbot.waitUntil(lambda: window.answers.currentWidget() is window.consent, timeout=5000)
    window.camera_view.clear_prompt()
    rig.desk.report_notice("二维码无法识别", "Unreadable code")  # e.g. a bad QR at this desk
    qtbot.waitUntil(lambda: window.card.line_label.text() == "二维码无法识别", timeout=3000)
    assert window.answers.currentWidget() is window.card
    # The offer was cancelled: the camera is served again (the clip's face is not enrolled).
    qtbot.waitUntil(lambda: window.camera_view.prompt == UNKNOWN_ZH, timeout=10_000)
    assert rig.store.records.face_templates(rig.project.number) == {}
