"""Sound output: tones played through ALSA's aplay, one at a time, never blocking the caller."""

from __future__ import annotations

from drivers.sound.aplay import SoundState, describe, find_aplay, probe
from drivers.sound.pcm import Pcm, gain, read_wav, render
from drivers.sound.player import SoundPlayer

__all__ = [
    "Pcm",
    "SoundPlayer",
    "SoundState",
    "describe",
    "find_aplay",
    "gain",
    "probe",
    "read_wav",
    "render",
]
