"""Recognise a desk tone in recorded samples: its notes (by loudness), each note's pitch (FFT).

The recogniser knows only what a listener would: how many notes, how long, how high, and
whether the melody goes up, down or stays. It does not read the synthesis script.
"""

from __future__ import annotations

import itertools
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 48_000
FRAME = RATE // 200  # 5 ms loudness frames
STEP = 1.06  # a pitch change of more than a semitone is a step up or down

# What each tone sounds like, by number of notes and the melody's steps between them.
CONTOURS = {
    ("up",): "accepted",
    (): "already",
    ("down",): "refused",
    ("flat", "flat"): "prompt",
}


@dataclass(frozen=True)
class Heard:
    """One note: where it starts and ends (s) in the recording, its pitch (Hz) and peak level."""

    start_s: float
    end_s: float
    hz: float
    peak: int

    @property
    def length_s(self) -> float:
        """How long the note sounds."""
        return self.end_s - self.start_s


def read_wav(path: Path) -> npt.NDArray[np.int16]:
    """The samples of a mono 16-bit WAV file at 48 kHz."""
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def pitch(samples: npt.NDArray[np.int16]) -> float:
    """The strongest frequency (Hz), from a Hann-windowed FFT, refined between bins."""
    x = samples.astype(np.float64) * np.hanning(len(samples))
    n = 1 << 16  # zero-padded: bins of 0.73 Hz
    spectrum = np.abs(np.fft.rfft(x, n))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-12)
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return float((k + shift) * RATE / n)


def notes(samples: npt.NDArray[np.int16], *, floor: int = 300) -> list[Heard]:
    """The notes in a recording: runs of 5 ms frames louder than a share of the loudest."""
    n = len(samples) // FRAME
    if n == 0:
        return []
    frames = samples[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    threshold = max(floor, 0.12 * float(rms.max()))
    loud = rms > threshold
    runs: list[tuple[int, int]] = []
    start = None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= 4:  # 20 ms: shorter is a click, not a note
                runs.append((start, i))
            start = None
    heard = []
    for a, b in runs:
        body = samples[a * FRAME : b * FRAME]
        heard.append(
            Heard(a * FRAME / RATE, b * FRAME / RATE, pitch(body), int(np.max(np.abs(body))))
        )
    return heard


def steps(heard: list[Heard]) -> tuple[str, ...]:
    """The melody between consecutive notes: up, down or flat."""
    out = []
    for first, second in itertools.pairwise(heard):
        ratio = second.hz / first.hz
        out.append("up" if ratio > STEP else "down" if ratio < 1 / STEP else "flat")
    return tuple(out)


def recognise(samples: npt.NDArray[np.int16]) -> str | None:
    """Which tone the recording holds (accepted, already, refused, prompt), or None."""
    return CONTOURS.get(steps(notes(samples)))
