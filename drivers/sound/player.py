"""One sound at a time through aplay, on the player's own thread: callers never wait for sound.

`play(name)` only leaves the request in a one-slot mailbox and returns. The "sound" thread starts
an aplay child for it, with the tone rendered at the current volume on its standard input (an
in-memory file, so no pipe can fill). A newer request replaces the one playing: the child is
killed and the new tone starts, so a burst of taps never queues up a burst of sounds. A child
that fails says why on stderr; the player's state turns to "no audio device (…)" until a later
sound plays again, and `on_state` hears of every change (on the sound thread). A child that
hangs (a wedged driver) is killed once it overruns its tone by STALL_S.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping

import numpy as np

from drivers.sound.aplay import (
    INSTALL_HINT,
    SoundState,
    command,
    device_label,
    error_text,
    find_aplay,
    no_device,
)
from drivers.sound.pcm import Pcm, gain, render

log = logging.getLogger(__name__)

POLL_S = 0.01  # how often the sound thread looks at a playing child
STALL_S = 3.0  # a child still running this long after its tone should have ended is stuck
KILL_WAIT_S = 1.0  # how long to wait for a killed child to be reaped
SILENCE = "_probe"  # the name of the 20 ms of silence that opens the device at start

StateListener = Callable[[SoundState], None]


class _Child:
    """One aplay process, what it plays, and when it should be done."""

    def __init__(self, proc: subprocess.Popen[bytes], name: str, deadline: float) -> None:
        self.proc = proc
        self.name = name
        self.deadline = deadline


class SoundPlayer:
    """Plays named tones, one at a time, newest first; thread-safe, every method returns at once.

    Lifetime: `start()` starts the "sound" thread (and opens the device with a moment of silence,
    so its state is known before the first tap); `stop()` ends any sound and joins the thread.
    """

    def __init__(
        self,
        sounds: Mapping[str, Pcm],
        *,
        device: str | None = None,
        volume: int = 70,
        muted: bool = False,
        on_state: StateListener | None = None,
        aplay: str | None = None,
    ) -> None:
        gain(volume)  # refuses a volume outside 0–100 here, not later on the sound thread
        self._sounds = dict(sounds)
        self._sounds[SILENCE] = Pcm(48_000, np.zeros(960, dtype="<i2"))
        self.device = device
        self._aplay = aplay if aplay is not None else find_aplay()
        self._on_state = on_state
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._cut = False  # stop the sound playing (mute), with nothing new to play
        self._stopping = False
        self._volume = volume
        self._muted = muted
        self._child: _Child | None = None
        self._launching = False  # taken from the mailbox, its child not started yet
        self._state = SoundState(True, f"ALSA {device_label(device)}: not opened yet")
        self._thread: threading.Thread | None = None

    # -- any thread ------------------------------------------------------------------------------

    @property
    def state(self) -> SoundState:
        """Whether the last sound played, and what it played to or why not."""
        with self._cond:
            return self._state

    @property
    def volume(self) -> int:
        """The volume 0–100 sounds are played at."""
        with self._cond:
            return self._volume

    @property
    def muted(self) -> bool:
        """Whether play() is silent."""
        with self._cond:
            return self._muted

    @property
    def busy(self) -> bool:
        """A sound is waiting to start or playing."""
        with self._cond:
            return self._pending is not None or self._launching or self._child is not None

    def has(self, name: str) -> bool:
        """Whether a tone of that name was loaded."""
        return name in self._sounds

    def play(self, name: str) -> None:
        """Play the named tone, replacing the one playing; silent when muted. Never blocks."""
        if name not in self._sounds:
            raise KeyError(f"no tone named {name!r}")
        with self._cond:
            if self._muted or self._stopping:
                return
            self._pending = name
            self._cond.notify()

    def set_volume(self, volume: int) -> None:
        """Volume 0–100 for the next sound (0 is silent); ValueError outside that."""
        gain(volume)
        with self._cond:
            self._volume = volume

    def set_muted(self, muted: bool) -> None:
        """Mute (the sound playing stops too) or unmute."""
        with self._cond:
            self._muted = muted
            if muted:
                self._pending = None
                self._cut = True
                self._cond.notify()

    def start(self) -> None:
        """Start the sound thread; it opens the device once with 20 ms of silence."""
        if self._thread is not None:
            return
        with self._cond:
            self._pending = SILENCE
        self._thread = threading.Thread(target=self._run, name="sound", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the sound playing and the sound thread (returns once both are gone)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # -- the sound thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._child is None:
                    self._cond.wait_for(
                        lambda: self._stopping or self._cut or self._pending is not None
                    )
                elif not (self._stopping or self._cut or self._pending is not None):
                    self._cond.wait(POLL_S)
                name, self._pending = self._pending, None
                self._launching = name is not None
                cut, self._cut = self._cut or self._stopping or name is not None, False
                stopping = self._stopping
                volume = self._volume
                child = self._child
            try:
                if child is not None:
                    self._tend(child, cut=cut)
                if not stopping and name is not None:
                    self._start(name, volume)
            # A bug here must cost a tone, never the thread: later tones still play.
            except Exception:
                log.exception("sound: playing %s failed", name)
                self._set_state(SoundState(False, "sound player error (see the log)"))
            if stopping:
                return

    def _tend(self, child: _Child, *, cut: bool) -> None:
        """Stop a child that is replaced or stuck; report how one that ended by itself went."""
        code = child.proc.poll()
        if code is None and not cut and time.monotonic() < child.deadline:
            return
        if code is None:
            _end(child.proc)
            if cut:
                self._set_state(None)
                return
            log.warning("sound: aplay still running %.0f s after its tone", STALL_S)
            self._set_state(no_device("the device stopped taking sound"))
            return
        _, err = child.proc.communicate()
        if code == 0:
            self._set_state(SoundState(True, f"ALSA {device_label(self.device)}: ready"))
        else:
            self._set_state(no_device(error_text(err, code)))

    def _start(self, name: str, volume: int) -> None:
        child = None
        try:
            child = self._spawn(name, volume)
        finally:
            with self._cond:
                self._child = child
                self._launching = False

    def _spawn(self, name: str, volume: int) -> _Child | None:
        if self._aplay is None:
            self._set_state(SoundState(False, INSTALL_HINT))
            return None
        pcm = self._sounds[name]
        data = render(pcm, volume)
        fd = os.memfd_create("cme-kiosk-tone", os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            os.lseek(fd, 0, os.SEEK_SET)
            proc = subprocess.Popen(  # noqa: S603 - argv from command(), no shell
                command(self._aplay, self.device),
                stdin=fd,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:  # aplay vanished, or no processes/memory left: no sound, no crash
            self._set_state(SoundState(False, f"aplay could not start: {exc}"))
            return None
        finally:
            os.close(fd)
        return _Child(proc, name, time.monotonic() + pcm.length_s + STALL_S)

    def _set_state(self, state: SoundState | None) -> None:
        """No child plays any more, and the state is `state` if given.

        One step for readers: `busy` never turns false before the state says how it went.
        """
        with self._cond:
            self._child = None
            changed = state is not None and state != self._state
            if state is not None:
                self._state = state
        if not changed or state is None:
            return
        (log.info if state.ok else log.warning)("sound: %s", state.detail)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:  # a status line that fails to show must not stop the sounds
                log.exception("sound state listener failed")


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child now and reap it.

    SIGKILL, not SIGTERM: on SIGTERM aplay only aborts its stream and, through the PulseAudio
    plugin, still drains the whole tone before it exits. A killed client's stream is dropped at
    once by the sound server or the kernel, and dmix's shared locks are undone by the kernel.
    """
    proc.kill()
    try:
        proc.communicate(timeout=KILL_WAIT_S)
    except subprocess.TimeoutExpired:  # stuck in the kernel: Popen reaps it later
        log.error("sound: aplay (pid %d) does not die", proc.pid)
