"""The desk's answers as heard: a real desk (store, desk thread, runtime) playing into the sink."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from kiosk.config import parse_config
from kiosk.core.model import Method
from kiosk.runtime import Runtime, StatusBoard
from kiosk.runtime.sound import SOUND_NAME, DeskSounds, load_tones
from kiosk.services.checkin import Outcome, Status
from kiosk.services.screen import DeviceReason, DeviceStatus, FacePrompt, Notice
from kiosk.services.sound import Tone, tone_for
from tests.support.desk import DeskRig, desk_rig, wait_for
from tests.support.pulse import PrivatePulse, Tap
from tests.support.tones import notes, recognise


@pytest.mark.parametrize(
    ("event", "tone"),
    [
        (Outcome(Status.ACCEPTED, "", ""), Tone.ACCEPTED),
        (Outcome(Status.ALREADY, "", ""), Tone.ALREADY),
        (Outcome(Status.REFUSED, "", ""), Tone.REFUSED),
        (Outcome(Status.ERROR, "", ""), Tone.REFUSED),
        (FacePrompt("liveness", "眨眨眼", "Blink", 12.0), Tone.PROMPT),
        (FacePrompt("verify", "请看摄像头", "Look at the camera", 9.0), Tone.PROMPT),
        (FacePrompt("hint", "靠近一点", "Come closer"), None),
        (FacePrompt("unknown", "未识别", "Not recognised"), None),
        (Notice("数据已删除", "Data deleted"), None),
        (DeviceStatus(SOUND_NAME, False, DeviceReason("sound_off"), "no audio device"), None),
    ],
)
def test_which_event_makes_which_tone(event: Any, tone: Tone | None) -> None:
    assert tone_for(event) == tone


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


def sounds_of(rt: Runtime) -> DeskSounds:
    assert rt.sounds is not None
    return rt.sounds


def tap(pulse: PrivatePulse) -> Tap:
    assert pulse.tap is not None
    return pulse.tap


def sound_lines(rig: DeskRig) -> list[DeviceStatus]:
    return [d for d in rig.devices if d.name == SOUND_NAME]


def answer(rig: DeskRig, pulse: PrivatePulse, payload: str, n: int) -> tuple[Outcome, np.ndarray]:
    """Scan `payload` at the desk; its outcome (the n-th) and what the desk sounded."""
    start = tap(pulse).position()
    rig.desk.submit_payload(payload, source="test")
    outcome = rig.outcomes.wait(n)
    return outcome, tap(pulse).until_quiet(start)


def test_each_answer_sounds_its_tone_and_the_status_line_says_ready(
    rig: DeskRig, pulse: PrivatePulse
) -> None:
    rt = rig.runtime({"sound": {"device": "pulse", "volume": 80}})
    assert sounds_of(rt) is rt.devices[0]  # first started, last stopped
    assert wait_for(lambda: bool(sound_lines(rig)))
    assert sound_lines(rig)[-1] == DeviceStatus(
        SOUND_NAME, True, DeviceReason("sound_ready", ("pulse",)), "ALSA pulse: ready"
    )
    ticket = rig.ticket("A1")
    outcome, heard = answer(rig, pulse, ticket, 1)
    assert (outcome.status, recognise(heard)) == (Status.ACCEPTED, "accepted")
    outcome, heard = answer(rig, pulse, ticket, 2)
    assert (outcome.status, recognise(heard)) == (Status.ALREADY, "already")
    outcome, heard = answer(rig, pulse, "not a ticket at all", 3)
    assert (outcome.status, recognise(heard)) == (Status.REFUSED, "refused")


def test_a_prompt_repeated_sounds_once_and_a_new_one_again(
    rig: DeskRig, pulse: PrivatePulse
) -> None:
    rt = rig.runtime({"sound": {"device": "pulse"}})
    assert wait_for(lambda: not sounds_of(rt).player.busy)
    prompt = FacePrompt("liveness", "请眨眼", "Blink", deadline=time.monotonic() + 6)
    start = tap(pulse).position()
    rig.desk.publish(prompt)
    time.sleep(0.1)
    rig.desk.publish(FacePrompt("hint", "靠近一点", "Come closer"))
    rig.desk.publish(prompt)  # the same challenge published again: no restart of the tone
    heard = tap(pulse).until_quiet(start)
    assert recognise(heard) == "prompt", notes(heard)
    start = tap(pulse).position()
    rig.desk.publish(FacePrompt("liveness", "请左转", "Turn left", deadline=time.monotonic() + 6))
    assert recognise(tap(pulse).until_quiet(start)) == "prompt"


def test_muted_by_config_then_unmuted_by_staff(rig: DeskRig, pulse: PrivatePulse) -> None:
    rt = rig.runtime({"sound": {"device": "pulse", "enabled": False}})
    sounds = sounds_of(rt)
    assert sounds.muted
    assert wait_for(lambda: not sounds.player.busy)
    start = tap(pulse).position()
    rig.desk.submit_payload(rig.ticket("A2"), source="test")
    assert rig.outcomes.wait(1).status is Status.ACCEPTED
    assert int(np.max(np.abs(tap(pulse).span(start, 0.6)))) < 10
    sounds.set_muted(False)
    sounds.set_volume(30)
    assert (sounds.muted, sounds.volume) == (False, 30)
    _, heard = answer(rig, pulse, rig.ticket("A2"), 2)
    assert recognise(heard) == "already"


def test_without_a_sound_device_the_desk_keeps_answering_and_says_why(
    rig: DeskRig, pulse: PrivatePulse
) -> None:
    rt = rig.runtime({"sound": {"device": "pulse"}})
    assert wait_for(lambda: not sounds_of(rt).player.busy)
    pulse.kill()
    for n, attendee in enumerate(["A1", "A2", "A3"], start=1):
        began = time.monotonic()
        rig.desk.submit_payload(rig.ticket(attendee), source="test")
        assert rig.outcomes.wait(n).status is Status.ACCEPTED
        assert time.monotonic() - began < 2.0
    assert wait_for(lambda: not sound_lines(rig)[-1].ok)
    last = sound_lines(rig)[-1]
    assert (last.name, last.ok, last.detail) == (
        SOUND_NAME,
        False,
        "no audio device (audio open error: Connection refused)",
    )
    assert last.reason == DeviceReason("sound_off")
    assert last.last_error == last.reason  # kept for staff's devices page
    refusal = rig.desk.submit_refusal(
        method=Method.QR, reason="test", message_zh="拒绝", message_en="Refused", detail=""
    )
    assert refusal.result(5).status is Status.REFUSED


def test_a_missing_tone_file_keeps_the_line_red_and_the_others_playing(rig: DeskRig) -> None:
    tones, _ = load_tones()
    del tones["already"]
    board = StatusBoard(rig.desk)
    sounds = DeskSounds(
        tones,
        section=parse_config({}).sound,  # ALSA's default: the null device in tests
        desk=rig.desk,
        board=board,
        problems=("asset sounds/already.wav not found",),
    )
    sounds.start()
    try:
        assert wait_for(lambda: SOUND_NAME in board.lines())
        assert board.lines()[SOUND_NAME] == (
            False, "asset sounds/already.wav not found (ALSA default: ready)"
        )  # fmt: skip
        sounds(Outcome(Status.ALREADY, "", ""))  # no tone, no error
        assert not sounds.player.busy
        sounds(Outcome(Status.ACCEPTED, "", ""))
        assert sounds.player.busy
    finally:
        sounds.stop()
