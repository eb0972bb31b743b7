"""The player through ALSA into a recorded null sink: each tone, volume, mute, a vanishing device,
and a burst of answers that replaces sounds instead of queueing them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from drivers.sound import Pcm, SoundPlayer, SoundState, gain
from kiosk.runtime.sound import load_tones
from kiosk.services.sound import Tone
from tests.support.pulse import PrivatePulse, Tap
from tests.support.tones import notes, recognise

TONES, _ = load_tones()
FULL = int(np.max(np.abs(TONES["accepted"].samples)))  # the file's own peak
# 3 s of A4: long enough to be cut, or to lose its device, while it plays.
LONG = Pcm(
    48_000, np.round(8000 * np.sin(2 * np.pi * 440 * np.arange(3 * 48_000) / 48_000)).astype("<i2")
)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll until true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


@pytest.fixture
def states() -> list[SoundState]:
    return []


@pytest.fixture
def player(pulse: PrivatePulse, states: list[SoundState]) -> Iterator[SoundPlayer]:
    p = SoundPlayer(TONES, device="pulse", volume=100, on_state=states.append)
    p.start()
    assert wait_until(lambda: not p.busy), "the opening silence never finished"
    yield p
    p.stop()


def tap(pulse: PrivatePulse) -> Tap:
    """The server's monitor recorder."""
    assert pulse.tap is not None
    return pulse.tap


def play_and_record(pulse: PrivatePulse, player: SoundPlayer, tone: str) -> np.ndarray:
    """Play one tone and return what the sink's monitor heard, until it went quiet."""
    start = tap(pulse).position()
    player.play(tone)
    samples = tap(pulse).until_quiet(start)
    assert wait_until(lambda: not player.busy), "aplay never finished"
    return samples


@pytest.mark.parametrize("tone", [t.value for t in Tone])
def test_each_tone_sounds_and_is_recognised(
    pulse: PrivatePulse, player: SoundPlayer, states: list[SoundState], tone: str
) -> None:
    samples = play_and_record(pulse, player, tone)
    assert recognise(samples) == tone, [(round(n.hz), round(n.length_s, 3)) for n in notes(samples)]
    assert player.state == SoundState(True, "ALSA pulse: ready")
    assert states == [SoundState(True, "ALSA pulse: ready")]  # one change: opened


def test_volume_scales_what_is_recorded(pulse: PrivatePulse, player: SoundPlayer) -> None:
    loud = play_and_record(pulse, player, "accepted")
    player.set_volume(50)
    soft = play_and_record(pulse, player, "accepted")
    player.set_volume(0)
    start = tap(pulse).position()
    player.play("accepted")
    assert wait_until(lambda: not player.busy)
    silent = tap(pulse).span(start, 0.5)
    # The sink passes samples through untouched: peaks are the file's, times the gain.
    assert int(np.max(np.abs(loud))) == pytest.approx(FULL, rel=0.01)
    assert int(np.max(np.abs(soft))) == pytest.approx(FULL * gain(50), rel=0.02)
    assert recognise(soft) == "accepted"
    assert int(np.max(np.abs(silent))) < 10
    with pytest.raises(ValueError, match="0–100"):
        player.set_volume(101)


def test_mute_records_silence_and_unmute_sounds_again(
    pulse: PrivatePulse, player: SoundPlayer
) -> None:
    player.set_muted(True)
    start = tap(pulse).position()
    player.play("refused")
    assert not player.busy  # nothing was even queued
    assert int(np.max(np.abs(tap(pulse).span(start, 0.6)))) < 10
    player.set_muted(False)
    assert recognise(play_and_record(pulse, player, "refused")) == "refused"


def test_muting_stops_the_sound_playing(pulse: PrivatePulse) -> None:
    player = SoundPlayer({"long": LONG}, device="pulse")
    player.start()
    try:
        assert wait_until(lambda: not player.busy)
        start = tap(pulse).position()
        player.play("long")
        tap(pulse).until_quiet(start, quiet_s=0.0)  # it is sounding
        player.set_muted(True)
        assert wait_until(lambda: not player.busy, 2.0)
        loud = np.flatnonzero(np.abs(tap(pulse).until_quiet(start)) > 100)
    finally:
        player.stop()
    assert (loud[-1] - loud[0]) / 48_000 < 1.0  # of 3 s: cut off, not played out


def test_a_device_vanishing_mid_play_leaves_no_device_and_play_returns_at_once(
    pulse: PrivatePulse, states: list[SoundState]
) -> None:
    player = SoundPlayer({**TONES, "long": LONG}, device="pulse", on_state=states.append)
    player.start()
    try:
        assert wait_until(lambda: not player.busy and player.state.ok)
        start = tap(pulse).position()
        player.play("long")
        tap(pulse).until_quiet(start, quiet_s=0.0)  # it is sounding
        pulse.kill()  # the sound server, and with it the device, is gone mid-play
        assert wait_until(lambda: not player.busy, 5.0)
        assert player.state == SoundState(
            False, "no audio device (write error: Input/output error)"
        )
        began = time.perf_counter()
        player.play("accepted")  # neither raises nor waits for the missing device
        assert time.perf_counter() - began < 0.05
        assert wait_until(lambda: not player.busy, 5.0)
        assert player.state == SoundState(
            False, "no audio device (audio open error: Connection refused)"
        )
        pulse.start()  # the device comes back, and so does the sound
        assert recognise(play_and_record(pulse, player, "accepted")) == "accepted"
        assert player.state == SoundState(True, "ALSA pulse: ready")
    finally:
        player.stop()
    assert [s.ok for s in states] == [True, False, False, True], states


def _aplay_children() -> list[int]:
    """PIDs of this process's aplay children (from /proc)."""
    me = os.getpid()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        if name == "aplay" and ppid == me:
            found.append(int(stat.parent.name))
    return found


def test_a_burst_of_answers_replaces_sounds_and_never_blocks(
    pulse: PrivatePulse, player: SoundPlayer
) -> None:
    cycle = ["prompt", "refused", "accepted", "already"]
    burst = [cycle[i % 4] for i in range(50)]  # the last is refused
    calls: list[float] = []
    children: list[int] = []
    start = tap(pulse).position()
    began = time.monotonic()
    for i, tone in enumerate(burst):
        t0 = time.perf_counter()
        player.play(tone)
        calls.append(time.perf_counter() - t0)
        assert player.busy  # play() returned; the sound is still ahead of us
        children.append(len(_aplay_children()))
        # 50 answers spread over 2 s (the 50 in 10 s, five times as dense).
        time.sleep(max(0.0, began + 0.04 * (i + 1) - time.monotonic()))
    span = time.monotonic() - began
    assert wait_until(lambda: not player.busy, 10.0)  # the last tone has played out
    heard = notes(tap(pulse).until_quiet(start, quiet_s=0.5))
    # Queued, 50 tones would sound for over 13 s; replaced, sound ends with the last one (on a
    # loaded machine the sound thread may start it late: the margin allows for that).
    sounding = heard[-1].end_s - heard[0].start_s
    assert sounding < span + 2.0, (sounding, span)
    assert max(children) <= 2  # the one playing, and at most one being reaped as it is replaced
    assert max(calls) < 0.05, max(calls)
    # The last answer's tone is heard to its end: refused ends on a long C4, no other tone has it.
    assert burst[-1] == "refused"
    assert round(heard[-1].hz) == pytest.approx(262, rel=0.01), heard[-3:]
    assert heard[-1].length_s > 0.19, heard[-3:]
