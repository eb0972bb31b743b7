"""ALSA's `aplay` as the desk's sound output: its command line, its errors, and a device probe.

Why aplay (docs/desk.md, "Sounds"): ALSA is there on every desk. Under a desktop session ALSA's
default device leads into PulseAudio or PipeWire (their ALSA plugins); under a bare `cage` unit it
is the sound card itself. Qt Multimedia on Linux needs PulseAudio or PipeWire (its ALSA backend
is experimental), so it would be silent there. A child process also keeps a stuck sound driver
out of the desk's own threads: it can always be killed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from drivers.sound.pcm import Pcm, render

APLAY = "aplay"
INSTALL_HINT = "aplay not found (apt install alsa-utils)"
_PREFIX = re.compile(r"^aplay: [\w]+:\d+: ")  # "aplay: main:831: audio open error: …"


@dataclass(frozen=True, slots=True)
class SoundState:
    """The sound output as staff see it: whether it plays, and what it plays to or why not."""

    ok: bool
    detail: str


def device_label(device: str | None) -> str:
    """How a device is named in status lines: the ALSA name, "default" when none is set."""
    return device or "default"


def find_aplay(program: str = APLAY) -> str | None:
    """The aplay executable's path, or None."""
    return shutil.which(program)


def command(aplay: str, device: str | None) -> list[str]:
    """aplay playing one WAV file from standard input on `device` (ALSA's default if None)."""
    argv = [aplay, "-q"]
    if device:
        argv.append(f"--device={device}")  # one argument: a name can never pass as an option
    return [*argv, "-"]


def error_text(stderr: bytes, returncode: int) -> str:
    """aplay's own reason, without its source-line prefix; the exit status if it said nothing."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    said = [ln for ln in lines if ln.startswith("aplay:")] or lines
    if not said:
        return f"aplay exited with status {returncode}"
    return _PREFIX.sub("", said[-1]).removeprefix("aplay: ")


def no_device(reason: str) -> SoundState:
    """The state of a desk whose sound device failed."""
    return SoundState(False, f"no audio device ({reason})")


def _run(argv: list[str], *, stdin: bytes = b"", timeout: float) -> tuple[int, bytes, bytes]:
    try:
        done = subprocess.run(  # noqa: S603 - argv is built here, never from a shell string
            argv, input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, b"", b"timed out"
    return done.returncode, done.stdout, done.stderr


def describe(device: str | None, *, aplay: str, timeout: float = 5.0) -> str:
    """What ALSA says a device is (`aplay -L`), else the first sound card (`aplay -l`), else ""."""
    name = device_label(device)
    _, listing, _ = _run([aplay, "-L"], timeout=timeout)
    lines = listing.decode("utf-8", "replace").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == name and not line[:1].isspace():
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if following[:1].isspace() and following.strip():
                return following.strip()
    _, cards, _ = _run([aplay, "-l"], timeout=timeout)
    for line in cards.decode("utf-8", "replace").splitlines():
        if line.startswith("card "):
            return line.strip()
    return ""


def probe(device: str | None, *, aplay: str | None = None, timeout: float = 5.0) -> SoundState:
    """Open the device and play 20 ms of silence: "ALSA default → …" or why there is no sound."""
    program = aplay or find_aplay()
    if program is None:
        return SoundState(False, INSTALL_HINT)
    silence = render(Pcm(48_000, np.zeros(960, dtype="<i2")), 0)
    code, _, err = _run(command(program, device), stdin=silence, timeout=timeout)
    if code != 0:
        reason = "the device did not answer in time" if code == -1 else error_text(err, code)
        return no_device(reason)
    what = describe(device, aplay=program, timeout=timeout)
    label = f"ALSA {device_label(device)}"
    return SoundState(True, f"{label} → {what}" if what else label)
