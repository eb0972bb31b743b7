"""Tones in memory: read a 16-bit mono WAV once, render it at a volume as WAV bytes for a player."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAX_VOLUME = 100


@dataclass(frozen=True, slots=True, eq=False)
class Pcm:
    """A tone's 16-bit mono samples and their rate."""

    rate: int
    samples: npt.NDArray[np.int16]

    @property
    def length_s(self) -> float:
        """How long the tone plays."""
        return len(self.samples) / self.rate


def read_wav(path: Path) -> Pcm:
    """Load a mono 16-bit PCM WAV file; ValueError naming the file for anything else."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise ValueError(
                    f"{path}: {w.getnchannels()} channel(s) of {8 * w.getsampwidth()} bit;"
                    " the desk plays mono 16-bit WAV"
                )
            rate = w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"{path}: not a PCM WAV file ({exc})") from None
    return Pcm(rate, np.frombuffer(frames, dtype="<i2").copy())


def gain(volume: int) -> float:
    """Amplitude factor for a volume of 0–100: squared, so the slider's steps sound even."""
    if not 0 <= volume <= MAX_VOLUME:
        raise ValueError(f"volume must be 0–100, got {volume}")
    return (volume / MAX_VOLUME) ** 2


def render(pcm: Pcm, volume: int) -> bytes:
    """The tone at `volume` (0–100) as a complete WAV file in memory."""
    scaled = np.round(pcm.samples.astype(np.float64) * gain(volume)).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(pcm.rate)
        w.writeframes(scaled.tobytes())
    return out.getvalue()
