"""`make demo` with a display: the real window under Xvfb (the headless day: tests/demo).

`--screenshots DIR` saves one PNG per step; each picture shows what its step did (the answer
card's colour for the desk's answer). The default tier plays the morning's first steps; the
whole day in the window is in the slow tier. `--interactive`: the control panel's buttons, in
this process, reach the platform through the simulators and the desk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.demo.controls import DemoControls
from kiosk.demo.day import day
from kiosk.demo.player import show_devices
from kiosk.demo.scenario import person
from kiosk.demo.stage import Stage, open_stage
from kiosk.runtime.camera import QR_NAME
from kiosk.runtime.cards import SAM_NAME
from kiosk.runtime.face import FaceStation
from kiosk.runtime.faces import FaceDevice
from kiosk.services.checkin import Status
from kiosk.ui.answer_card import AnswerCard
from kiosk.ui.demo.captions import CAPTIONS, CONTEXT, caption_text
from kiosk.ui.demo.panel import AWAY, CODE, FACE, TAP, TITLE
from kiosk.ui.demo.panel import CONTEXT as PANEL
from kiosk.ui.demo.window import DemoShow
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.theme import STATUS_COLOURS as COLOURS
from tests.support.desk import wait_for
from tests.support.xvfb import start_xvfb

ROOT = Path(__file__).resolve().parents[2]


def _rgb(status: Status) -> tuple[int, int, int]:
    colour = COLOURS[status]
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _share(image: Image.Image, rgb: tuple[int, int, int]) -> float:
    pixels = list(image.get_flattened_data())
    return sum(1 for p in pixels if p == rgb) / len(pixels)


def _run_window(tmp_path: Path, *extra: str, timeout: int) -> tuple[int | None, str]:
    """The demo's exit status (None: killed at `timeout`) and, for a failure, what it said."""
    xvfb, display = start_xvfb()
    try:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        args = [sys.executable, "-m", "kiosk", "demo", "--screenshots", str(tmp_path / "shots"),
                "--data-dir", str(tmp_path / "data"), *extra]  # fmt: skip
        try:
            out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=timeout, check=False)  # fmt: skip
            code, stdout, stderr = out.returncode, out.stdout, out.stderr
        except subprocess.TimeoutExpired as exc:
            code, stdout, stderr = None, _text(exc.stdout), _text(exc.stderr)
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    log = tmp_path / "data" / "kiosk" / "logs" / "kiosk.log"
    said = log.read_text(encoding="utf-8")[-4000:] if log.exists() else "(no log)"
    return code, f"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr[-3000:]}" + (
        f"\n--- kiosk.log\n{said}"
    )


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


# The answer each step's screenshot shows (steps without a desk answer show the caption only).
EXPECTED = {
    "card": Status.ACCEPTED,
    "card_again": Status.ALREADY,
    "ticket": Status.ACCEPTED,
    "replay": Status.REFUSED,
    "forged": Status.REFUSED,
    "photo_attack": Status.REFUSED,
    "face_out": Status.ACCEPTED,
}


def _check_shots(shots: Path, count: int, said: str) -> None:
    keys = [s.key for s in day()][:count]
    files = sorted(shots.glob("*.png"))
    assert [f.name for f in files] == [f"{n:02d}-{k}.png" for n, k in enumerate(keys, 1)], said
    for f, key in zip(files, keys, strict=True):
        image = Image.open(f).convert("RGB")
        assert image.size[0] >= 800 and image.size[1] >= 500, f.name
        if key in EXPECTED:
            share = _share(image, _rgb(EXPECTED[key]))
            assert share > 0.05, f"{f.name}: only {share:.1%} {EXPECTED[key].value}"


@pytest.mark.needs_xvfb
@pytest.mark.timeout(300)
def test_demo_window_screenshots_each_step(tmp_path: Path) -> None:
    # Ended by --steps alone: a wall-clock --seconds cap raced the steps on a loaded machine.
    code, said = _run_window(tmp_path, "--steps", "5", timeout=270)
    assert code == 0, said
    assert "张伟 签到成功" in said  # the card tap went through the bridge to the window
    _check_shots(tmp_path / "shots", 5, said)


@pytest.mark.slow
@pytest.mark.needs_xvfb
@pytest.mark.timeout(600)
def test_demo_window_plays_the_whole_day(tmp_path: Path) -> None:
    code, said = _run_window(tmp_path, timeout=560)
    assert code == 0, said
    _check_shots(tmp_path / "shots", len(day()), said)


def test_every_step_has_a_caption_and_every_demo_text_a_translation() -> None:
    assert set(CAPTIONS) == {s.key for s in day()}
    for context, source in [
        *((CONTEXT, c) for c in CAPTIONS.values()),
        *((PANEL, t) for t in (TITLE, TAP, CODE, FACE, AWAY)),
    ]:
        zh = QCoreApplication.translate(context, source)
        assert zh != source and zh.strip(), f"no Chinese for {context}: {source}"
    assert caption_text("card", "08:12").startswith("08:12  ")


def _answered(card: AnswerCard, name: str) -> bool:
    return card.status is Status.ACCEPTED and card.name_label.text() == name


def _offered(window: DeskWindow, name: str) -> bool:
    """The consent screen is up with `name`'s card check-in (it shows the answer itself)."""
    offer = window.consent.offer
    return (
        window.answers.currentWidget() is window.consent
        and offer is not None
        and offer.outcome.status is Status.ACCEPTED
        and offer.outcome.attendee is not None
        and offer.outcome.attendee.name == name
    )


def _platform_has(stage: Stage, name: str, method: str) -> bool:
    ref = stage.venue.ref(person(name).document.number)
    return any(
        e["attendee_id"] == ref and e["kind"] == "checkin" and e["method"] == method
        for e in stage.venue.admin.stored_events(stage.venue.project.number)
    )


def _face_station(stage: Stage) -> FaceStation:
    return next(d.station for d in stage.runtime.devices if isinstance(d, FaceDevice))


@pytest.mark.timeout(180)
def test_interactive_panel_taps_a_card_and_shows_a_code(
    tmp_path: Path, qapp: QApplication, qtbot: QtBot
) -> None:
    stage = open_stage(tmp_path)
    controls = DemoControls(stage)
    show = DemoShow(stage.service, qapp, controls=controls)
    try:
        show_devices(stage)
        show.open()
        panel, window = show.panel, show.window
        assert panel is not None and panel.isVisible() and panel.tap.text() == "刷身份证"
        statuses = stage.runtime.statuses
        assert wait_for(lambda: statuses()[SAM_NAME][0] and statuses()[QR_NAME][0], 20)
        # Face ready: a card check-in is then answered on the consent screen, with the offer
        # (before, on the answer card: the test would depend on how fast the engine loads).
        station = _face_station(stage)
        assert wait_for(lambda: station.desk is not None, 120), station.status.line()

        panel.person.setCurrentText("张伟")
        qtbot.mouseClick(panel.tap, Qt.MouseButton.LeftButton)
        assert wait_for(lambda: _offered(window, "张伟"), 20), (
            window.card.status,
            controls.failures,
        )
        assert wait_for(lambda: _platform_has(stage, "张伟", "id_card"), 30)
        qtbot.mouseClick(window.consent.decline_button, Qt.MouseButton.LeftButton)

        panel.person.setCurrentText("王芳")
        qtbot.mouseClick(panel.code, Qt.MouseButton.LeftButton)
        assert wait_for(lambda: _answered(window.card, "王芳"), 20), controls.failures
        assert wait_for(lambda: _platform_has(stage, "王芳", "qr"), 30)
        qtbot.mouseClick(panel.away, Qt.MouseButton.LeftButton)
        controls.join()
        assert controls.failures == []
    finally:
        show.close()
        controls.join()
        stage.close()
    assert not show.window.isVisible() and not panel.isVisible()


def test_the_demo_window_has_the_runtimes_volume_and_mute(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's window path hands the runtime's sounds to the staff panel, as `run` does."""
    from argparse import Namespace

    from kiosk.commands.demo import _windowed
    from kiosk.ui.demo import window as demo_window

    # The command's own path, up to the event loop: an app.exec() inside pytest's process would
    # leave Qt's later event loops returning at once (every Qt test after this one timed out).
    handed: list[object] = []

    def run_window(*_args: object, **kwargs: object) -> int:
        handed.append(kwargs.get("sounds"))
        return 0

    monkeypatch.setattr(demo_window, "run_window", run_window)
    stage = open_stage(tmp_path)
    try:
        args = Namespace(seconds=0.3, steps=None, screenshot=None, screenshots=None,
                         interactive=True)  # fmt: skip
        assert _windowed(stage, args) == 0
        sounds = stage.runtime.sounds
        assert sounds is not None and handed == [sounds]
        # The window the command builds from them: staff mode's volume and mute drive the runtime.
        show = DemoShow(stage.service, qapp, sounds=sounds)
        try:
            staff = show.window.staff
            assert staff.sounds is sounds and not staff.volume.isHidden()
            staff.volume.setValue(30)  # a tap on the groove: the runtime's volume follows
            staff.mute_button.setChecked(True)
            assert (sounds.volume, sounds.muted) == (30, True)
        finally:
            show.close()
            show.deleteLater()
    finally:
        stage.close()
