"""How soon a tone sounds after the desk asks for it: the player's aplay path beside PulseAudio's own
client, in the same run.

- sound_play_call: the caller's cost of SoundPlayer.play() (the desk thread pays this).
- sound_first_write_alsa: play() → aplay has opened ALSA and written the first samples (ALSA's
  `file` plugin into a pipe, over the null device): process start, device open, first period.
- sound_onset_{aplay,paplay}: the tone's first loud sample arriving from a private PulseAudio
  null sink's monitor (20 ms recorder latency included for both): our path (aplay on ALSA's
  pulse plugin), and paplay, PulseAudio's native client, as the yardstick.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from drivers.sound import SoundPlayer  # noqa: E402
from kiosk.assets import asset  # noqa: E402
from kiosk.runtime.sound import load_tones  # noqa: E402
from tests.support.pulse import PrivatePulse, Tap  # noqa: E402

RUNS = 20
TONES, _ = load_tones()


def wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until true; raise if it never is."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.001)


def drain_once(fifo: Path, arrived: list[float]) -> threading.Thread:
    """A reader that notes when the first byte comes out of the pipe, then reads it empty."""

    def read() -> None:
        with open(fifo, "rb") as f:
            if f.read(1):
                arrived.append(time.perf_counter())
            while f.read(65536):
                pass

    reader = threading.Thread(target=read)
    reader.start()
    return reader


def first_write(work: Path) -> list[float]:
    """play() → first bytes out of ALSA's file plugin (ms), RUNS times."""
    fifo = work / "alsa.fifo"
    os.mkfifo(fifo)
    player = SoundPlayer(TONES, device=f"file:{fifo},raw", volume=70)
    opening = drain_once(fifo, [])  # the player's opening silence needs a reader too
    player.start()
    opening.join(10)
    wait(lambda: not player.busy)
    results: list[float] = []
    try:
        for _ in range(RUNS):
            arrived: list[float] = []
            reader = drain_once(fifo, arrived)
            began = time.perf_counter()
            player.play("accepted")
            reader.join(10)
            wait(lambda: not player.busy)
            results.append((arrived[0] - began) * 1000)
    finally:
        player.stop()
    return results


def watch(tap: Tap, sizes: list[tuple[float, int]], stop: threading.Event) -> None:
    """Note (time, samples recorded) every half millisecond until stopped."""
    while not stop.is_set():
        sizes.append((time.perf_counter(), tap.position()))
        time.sleep(0.0005)


def onsets(pulse: PrivatePulse, play: Callable[[], object]) -> list[float]:
    """Call play() RUNS times; ms from each call to its first loud sample reaching the recorder."""
    tap = pulse.tap
    assert tap is not None
    results: list[float] = []
    for _ in range(RUNS):
        sizes: list[tuple[float, int]] = []
        stop = threading.Event()
        start = tap.position()
        watcher = threading.Thread(target=watch, args=(tap, sizes, stop))
        watcher.start()
        began = time.perf_counter()
        play()
        samples = tap.until_quiet(start)
        stop.set()
        watcher.join()
        onset = start + int(np.flatnonzero(np.abs(samples) > 100)[0])
        arrived = next(t for t, size in sizes if size > onset)
        results.append((arrived - began) * 1000)
        time.sleep(0.1)
    return results


def report(name: str, values: list[float], *, digits: int = 1) -> None:
    """One bench line: the median, with the spread beside it."""
    q = statistics.quantiles(values, n=10)
    print(
        f"bench: {name} {statistics.median(values):.{digits}f} ms"
        f" (p10 {q[0]:.{digits}f}, p90 {q[-1]:.{digits}f}, n={len(values)})"
    )


def main() -> int:
    """Run every measurement in one process, one after another."""
    player = SoundPlayer(TONES, device="null", volume=70)
    player.start()
    wait(lambda: not player.busy)
    calls = []
    for _ in range(200):
        began = time.perf_counter()
        player.play("accepted")
        calls.append((time.perf_counter() - began) * 1000)
        time.sleep(0.005)
    player.stop()
    report("sound_play_call", calls, digits=3)

    with tempfile.TemporaryDirectory(prefix="bench-sound-") as tmp:
        work = Path(tmp)
        os.environ.pop("ALSA_CONFIG_PATH", None)
        report("sound_first_write_alsa", first_write(work))
        pulse = PrivatePulse(work)
        pulse.start()
        try:
            os.environ.update(pulse.env)
            ours = SoundPlayer(TONES, device="pulse", volume=70)
            ours.start()
            wait(lambda: not ours.busy)
            try:
                report("sound_onset_aplay", onsets(pulse, lambda: ours.play("accepted")))
            finally:
                ours.stop()
            wav = str(asset("sounds/accepted.wav"))
            children: list[subprocess.Popen[bytes]] = []
            report(
                "sound_onset_paplay",
                onsets(pulse, lambda: children.append(subprocess.Popen(["paplay", wav]))),
            )
            for child in children:
                child.wait(10)
        finally:
            pulse.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
