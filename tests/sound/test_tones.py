"""The tones: made by the script byte for byte, told apart by their notes, shipped with the desk."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest

from drivers.sound import read_wav as read_pcm
from kiosk.assets import CHECKOUT, AssetMissing, asset
from kiosk.runtime.sound import load_tones
from kiosk.services.sound import Tone
from tests.support.tones import notes, read_wav, recognise

ROOT = Path(__file__).resolve().parents[2]

# What a listener hears: each note's pitch (Hz), and the whole tone's longest length (s).
EXPECTED = {
    "accepted": ([659.3, 987.8], 0.300),
    "already": ([523.3], 0.300),
    "refused": ([392.0, 261.6], 0.500),
    "prompt": ([784.0, 784.0, 784.0], 0.350),
}


def test_regenerating_the_tones_gives_the_committed_bytes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sounds.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    made = sorted(p.name for p in tmp_path.glob("*.wav"))
    assert made == sorted(f"{t.value}.wav" for t in Tone), done.stdout
    for name in made:
        assert (tmp_path / name).read_bytes() == (CHECKOUT / "sounds" / name).read_bytes(), name


@pytest.mark.parametrize("tone", [t.value for t in Tone])
def test_each_tone_is_recognised_by_its_notes(tone: str) -> None:
    samples = read_wav(asset(f"sounds/{tone}.wav"))
    heard = notes(samples)
    pitches, longest = EXPECTED[tone]
    assert recognise(samples) == tone
    assert [round(h.hz, 1) for h in heard] == pytest.approx(pitches, rel=0.005)
    assert len(samples) / 48_000 <= longest
    # Audible to people whose hearing fades above 2 kHz: every fundamental well below it.
    assert all(250 < h.hz < 1000 for h in heard)


def test_the_desk_loads_every_tone_and_a_missing_asset_is_named() -> None:
    tones, problems = load_tones()
    assert problems == [] and set(tones) == {t.value for t in Tone}
    with pytest.raises(AssetMissing, match=r"sounds/nope\.wav not found"):
        asset("sounds/nope.wav")


def test_a_file_the_desk_cannot_play_is_refused_by_name(tmp_path: Path) -> None:
    stereo = tmp_path / "stereo.wav"
    with wave.open(str(stereo), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48_000)
        w.writeframes(bytes(400))
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF not really")
    with pytest.raises(ValueError, match=r"stereo\.wav: 2 channel\(s\) of 16 bit"):
        read_pcm(stereo)
    with pytest.raises(ValueError, match=r"garbage\.wav: not a PCM WAV file"):
        read_pcm(garbage)
