"""The desk's tones: a listener on the desk service that plays each answer's tone (Qt-free).

It is one of the runtime's devices (started first, stopped last), so its state is a status line
like a reader's: "ALSA default: ready", or "no audio device (…)" while nothing can sound. The
listener runs on whichever thread publishes (the desk thread for answers, the face thread for
prompts) and only hands a name to the player, which never blocks (drivers/sound/player.py).
Staff mode changes volume and mute through the `SoundControls` methods.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from drivers.sound import Pcm, SoundPlayer, SoundState, read_wav
from kiosk.assets import AssetMissing, asset
from kiosk.config import SoundSection
from kiosk.runtime.devices import DeskPort, DeviceReason, StatusBoard
from kiosk.services.desk import Subscription
from kiosk.services.screen import FacePrompt, ScreenEvent
from kiosk.services.sound import SoundControls, Tone, tone_for

log = logging.getLogger(__name__)

SOUND_NAME = "声音 sound"


def load_tones() -> tuple[dict[str, Pcm], list[str]]:
    """Every tone's samples from assets/sounds, and a line for each one that is missing or bad."""
    tones: dict[str, Pcm] = {}
    problems: list[str] = []
    for tone in Tone:
        try:
            tones[tone.value] = read_wav(asset(f"sounds/{tone.value}.wav"))
        except (AssetMissing, ValueError, OSError) as exc:
            problems.append(str(exc))
    return tones, problems


class DeskSounds:
    """Plays the tone of each screen event; a runtime device and the staff's sound controls."""

    name = SOUND_NAME

    def __init__(
        self,
        tones: dict[str, Pcm],
        *,
        section: SoundSection,
        desk: DeskPort,
        board: StatusBoard,
        problems: tuple[str, ...] = (),
        aplay: str | None = None,
    ) -> None:
        self._desk = desk
        self._board = board
        self._problems = problems  # tone files missing or unreadable: the line stays red
        self._lock = threading.Lock()
        self._last_prompt: FacePrompt | None = None
        self._subscription: Subscription | None = None
        self.player = SoundPlayer(
            tones,
            device=section.device,
            volume=section.volume,
            muted=not section.enabled,
            on_state=self.report,
            aplay=aplay,
        )

    # -- the device ------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the sound device (its state becomes a status line) and listen to the desk."""
        if self._subscription is not None:
            return
        self.player.start()
        self._subscription = self._desk.subscribe(self)

    def stop(self) -> None:
        """Stop listening, then end the sound playing and the sound thread."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.close()
        self.player.stop()

    def report(self, state: SoundState) -> None:
        """The player's state as the desk's status line (called on the sound thread)."""
        if self._problems:
            detail = "; ".join(self._problems)
            why = DeviceReason("sound_tones_missing", (str(len(self._problems)),))
            self._board.report(
                SOUND_NAME, ok=False, reason=why, detail=f"{detail} ({state.detail})"
            )
            return
        why = DeviceReason("sound_ready", (self.player.device or "default",)) if state.ok else (
            DeviceReason("sound_off"))  # fmt: skip
        self._board.report(SOUND_NAME, ok=state.ok, reason=why, detail=state.detail)

    # -- the listener (any publishing thread) ----------------------------------------------------

    def __call__(self, event: ScreenEvent) -> None:
        """Play the event's tone, if it has one; a prompt repeated as it was sounds only once."""
        tone = tone_for(event)
        with self._lock:
            if isinstance(event, FacePrompt):
                if tone is None or event == self._last_prompt:
                    return
                self._last_prompt = event
            elif tone is not None:
                self._last_prompt = None
        if tone is not None and self.player.has(tone.value):
            self.player.play(tone.value)

    # -- staff mode (SoundControls) --------------------------------------------------------------

    @property
    def volume(self) -> int:
        """The volume 0–100."""
        return self.player.volume

    @property
    def muted(self) -> bool:
        """Whether the desk is silent."""
        return self.player.muted

    def set_volume(self, volume: int) -> None:
        """Volume 0–100 from the next tone on (ValueError outside that)."""
        self.player.set_volume(volume)
        log.info("sound volume set to %d", volume)

    def set_muted(self, muted: bool) -> None:
        """Silence the desk (the tone playing stops) or let it sound again."""
        self.player.set_muted(muted)
        log.info("sound %s", "muted" if muted else "unmuted")


if TYPE_CHECKING:
    _CONTROLS: type[SoundControls] = DeskSounds  # mypy checks staff mode's protocol is met


def desk_sounds(
    section: SoundSection, *, desk: DeskPort, board: StatusBoard, aplay: str | None = None
) -> DeskSounds:
    """The desk's sound device from `[sound]`, built but not started."""
    tones, problems = load_tones()
    sounds = DeskSounds(
        tones, section=section, desk=desk, board=board, problems=tuple(problems), aplay=aplay
    )
    if problems:
        why = DeviceReason("sound_tones_missing", (str(len(problems)),))
        board.report(SOUND_NAME, ok=False, reason=why, detail="; ".join(problems))
    if not section.enabled:
        log.info("%s: muted at start ([sound] enabled = false)", SOUND_NAME)
    return sounds


def attach_sounds(
    desk: DeskPort,
    section: SoundSection,
    *,
    board: StatusBoard | None = None,
    aplay: str | None = None,
) -> DeskSounds:
    """Sounds for a desk outside the runtime (a demo, a test): built, started, listening."""
    sounds = desk_sounds(section, desk=desk, board=board or StatusBoard(desk), aplay=aplay)
    sounds.start()
    return sounds
