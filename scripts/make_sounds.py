"""Synthesise the desk's tones into assets/sounds/*.wav (deterministic: same bytes every run).

Usage: python scripts/make_sounds.py [--out DIR]   (`make sounds`; default: assets/sounds)

The four tones differ in more than pitch, so they can be told apart by ear, and by people with
some hearing loss (which takes the high frequencies first):
- accepted: two short notes stepping up a fifth (E5 → B5), 220 ms in all;
- already: one plain note (C5), 180 ms: "nothing new", neither good nor bad news;
- refused: two long, low, buzzy notes falling (G4 → C4), 420 ms: the harsh one;
- prompt ("act now": a liveness challenge, "look at the camera"): three quick pips (G5).
Counts (2, 1, 2, 3), direction (up, flat, down, flat), register, length and timbre all differ.
Fundamentals stay between 260 and 990 Hz, and harmonics carry each note into higher bands too.
Every note is strongest at its fundamental, so its pitch is what an FFT finds.
"""

from __future__ import annotations

import argparse
import io
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 48_000  # the native rate of nearly every output: no resampling on the way out
PEAK = 0.7  # of full scale: headroom for the harmonics and the resampler of a sound server
ATTACK_S = 0.005
RELEASE_S = 0.015
ROOT = Path(__file__).resolve().parents[1]

SWEET = (1.0, 0.35, 0.15)  # harmonic amplitudes: a clear, round note
BUZZY = (1.0, 0.55, 0.45, 0.35, 0.28, 0.22)  # many strong harmonics: a harsh, reedy note


@dataclass(frozen=True)
class Note:
    """One note: fundamental (Hz), length (s), harmonic amplitudes; `gap_s` of silence after."""

    hz: float
    length_s: float
    timbre: tuple[float, ...] = SWEET
    gap_s: float = 0.0


TONES: dict[str, tuple[Note, ...]] = {
    "accepted": (Note(659.26, 0.080, gap_s=0.030), Note(987.77, 0.110)),
    "already": (Note(523.25, 0.180),),
    "refused": (Note(392.00, 0.160, BUZZY, gap_s=0.040), Note(261.63, 0.220, BUZZY)),
    "prompt": (
        Note(783.99, 0.060, gap_s=0.060),
        Note(783.99, 0.060, gap_s=0.060),
        Note(783.99, 0.060),
    ),
}


def note_samples(note: Note) -> npt.NDArray[np.float64]:
    """One note as floats in [-1, 1]: harmonics, a short raised-cosine attack, a decay, release."""
    n = round(note.length_s * RATE)
    t = np.arange(n, dtype=np.float64) / RATE
    wave_ = np.zeros(n)
    for k, amplitude in enumerate(note.timbre, start=1):
        wave_ += amplitude * np.sin(2.0 * np.pi * k * note.hz * t)
    wave_ /= sum(note.timbre)
    envelope = np.exp(-t / (note.length_s * 1.5))  # a struck note dies away, gently
    attack = round(ATTACK_S * RATE)
    envelope[:attack] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    release = round(RELEASE_S * RATE)
    envelope[n - release :] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(release) / release)
    return wave_ * envelope


def tone_samples(notes: tuple[Note, ...]) -> npt.NDArray[np.int16]:
    """The notes with their gaps, scaled to PEAK of full scale, as 16-bit samples."""
    parts: list[npt.NDArray[np.float64]] = []
    for note in notes:
        parts.append(note_samples(note))
        parts.append(np.zeros(round(note.gap_s * RATE)))
    signal = np.concatenate(parts)
    signal *= PEAK / np.max(np.abs(signal))
    return np.round(signal * 32767.0).astype("<i2")


def wav_bytes(samples: npt.NDArray[np.int16]) -> bytes:
    """A mono 16-bit PCM WAV file (no timestamps or other varying fields)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write every tone into --out; print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "sounds")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, notes in TONES.items():
        samples = tone_samples(notes)
        path = args.out / f"{name}.wav"
        path.write_bytes(wav_bytes(samples))
        print(f"{path}: {len(samples) / RATE * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
