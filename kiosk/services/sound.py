"""Which tone a screen event makes, and what staff mode may do with the sound (Qt-free).

The tones (assets/sounds/<tone>.wav, made by scripts/make_sounds.py) tell the person at the desk
the answer without looking: accepted, already (amber, nothing new recorded), refused (red: a
refusal, or a desk that cannot record), and prompt: act now (a liveness challenge, or "look at
the camera" after an ID-card tap).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from kiosk.services.checkin import Outcome, Status
from kiosk.services.screen import FacePrompt, ScreenEvent


class Tone(StrEnum):
    """The desk's tones; each value is its file's name in assets/sounds."""

    ACCEPTED = "accepted"
    ALREADY = "already"
    REFUSED = "refused"
    PROMPT = "prompt"


_BY_STATUS = {
    Status.ACCEPTED: Tone.ACCEPTED,
    Status.ALREADY: Tone.ALREADY,
    Status.REFUSED: Tone.REFUSED,
    Status.ERROR: Tone.REFUSED,
}
ACT_NOW = frozenset({"liveness", "verify"})  # FacePrompt kinds that ask the person to do something


def tone_for(event: ScreenEvent) -> Tone | None:
    """The tone an event makes: outcomes by their colour, liveness/verify prompts; else None."""
    if isinstance(event, Outcome):
        return _BY_STATUS[event.status]
    if isinstance(event, FacePrompt) and event.kind in ACT_NOW:
        return Tone.PROMPT
    return None


class SoundControls(Protocol):
    """What staff mode may change at run time (GUI thread; each call returns at once)."""

    @property
    def volume(self) -> int:
        """The volume 0–100."""
        ...

    @property
    def muted(self) -> bool:
        """Whether the desk is silent."""
        ...

    def set_volume(self, volume: int) -> None:
        """Volume 0–100 from the next tone on."""
        ...

    def set_muted(self, muted: bool) -> None:
        """Silence the desk (the tone playing stops), or let it sound again."""
        ...
