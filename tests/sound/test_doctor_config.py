"""`[sound]` is validated at load, and `cme-kiosk doctor` says whether the desk can sound, or why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, parse_config
from kiosk.diagnostics import Check, device_checks
from tests.support.pulse import PrivatePulse


def sound_line(config: dict[str, object]) -> Check:
    [line] = [c for c in device_checks(parse_config(config)) if c.name == "sound"]
    return line


def test_defaults_and_bad_values_name_the_key() -> None:
    section = parse_config({}).sound
    assert (section.enabled, section.volume, section.device) == (True, 70, None)
    assert parse_config({"sound": {"device": "plughw:CARD=PCH,DEV=0"}}).sound.device
    for bad, key in (
        ({"volume": 101}, "[sound].volume"),
        ({"volume": -1}, "[sound].volume"),
        ({"device": "my speaker"}, "[sound].device"),
        ({"device": ""}, "[sound].device"),
        ({"loudness": 3}, "unknown key [sound].loudness"),
    ):
        with pytest.raises(ConfigError) as err:
            parse_config({"sound": bad})
        assert key in str(err.value), err.value


def test_doctor_names_the_device_it_opened(pulse: PrivatePulse) -> None:
    assert sound_line({"sound": {"device": "pulse"}}) == Check(
        "sound", True, "ALSA pulse → PulseAudio Sound Server"
    )
    muted = sound_line({"sound": {"device": "pulse", "enabled": False}})
    assert muted.ok and muted.detail.endswith("(muted at start: [sound] enabled = false)")


def test_doctor_says_why_there_is_no_sound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALSA_CONFIG_PATH")
    assert sound_line({"sound": {"device": "hw:CARD=NoSuchCard"}}) == Check(
        "sound", False, "no audio device (audio open error: No such device)"
    )
    monkeypatch.setenv("PATH", str(tmp_path))  # no aplay anywhere
    assert sound_line({}) == Check("sound", False, "aplay not found (apt install alsa-utils)")
