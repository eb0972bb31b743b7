"""A private PulseAudio server with a null sink, and a recorder on its monitor (no sound card).

The desk plays through ALSA: aplay's "pulse" device (libasound2-plugins) reaches this server,
whose null sink keeps time like a sound card and whose monitor source `parec` records. The
server runs as the test's user (root too: without --system it only warns) in a private runtime
directory, so it never meets a desktop's own server; it is stopped or killed by PID.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.support.env import need

RATE = 48_000
SINK = "desk"
PLUGIN_GLOB = "/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so"


def need_audio_stack() -> None:
    """Fail (CI) or skip unless pulseaudio, parec, aplay and ALSA's pulse plugin are installed."""
    missing = [p for p in ("pulseaudio", "pactl", "parec", "aplay") if shutil.which(p) is None]
    if not glob.glob(PLUGIN_GLOB):
        missing.append("ALSA pulse plugin (libasound2-plugins)")
    need(not missing, f"audio test stack missing: {', '.join(missing)} (scripts/bootstrap.sh test)")


class PrivatePulse:
    """pulseaudio in the foreground with one null sink; `env` points clients at it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.socket = workdir / "native"
        self.log_path = workdir / "pulseaudio.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.tap: Tap | None = None
        self._starts = 0
        # No shared memory between client and server: PulseAudio 16.1 aborts on an assertion in
        # its memfd block import now and then (memblock.c, n_imported) when short streams come
        # and go as the desk's do; copying the samples over the socket avoids that code.
        (workdir / "client.conf").write_text("autospawn = no\nenable-shm = no\nenable-memfd = no\n")

    @property
    def env(self) -> dict[str, str]:
        """What a client (aplay's pulse plugin, parec, pactl) needs to reach this server only."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_CLIENTCONFIG": str(self.workdir / "client.conf"),
            "PULSE_COOKIE": str(self.workdir / "cookie"),
        }

    def _server_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
        env.pop("ALSA_CONFIG_PATH", None)
        env.update(
            HOME=str(self.workdir),
            XDG_RUNTIME_DIR=str(self.workdir),
            XDG_CONFIG_HOME=str(self.workdir / "config"),
            PULSE_RUNTIME_PATH=str(self.workdir / "runtime"),
            PULSE_STATE_PATH=str(self.workdir / "state"),
        )
        return env

    def start(self, *, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers; RuntimeError with its log if it does not."""
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        argv = [
            "pulseaudio",
            "-n",  # no default.pa: only the two modules below
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--disallow-module-loading=no",
            "--log-target=stderr",
            "--disable-shm=yes",
            f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            f"--load=module-null-sink sink_name={SINK} rate={RATE} channels=1",
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.proc = subprocess.Popen(
                argv, env=self._server_env(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pulseaudio did not start: {self.log_tail()}")
            time.sleep(0.05)
        self._starts += 1
        self.tap = Tap(self, self.workdir / f"monitor-{self._starts}.raw")
        self.tap.start()

    def pactl(self, *args: str) -> str:
        """Run pactl against this server; its output."""
        return subprocess.run(
            ["pactl", *args], env={**os.environ, **self.env}, capture_output=True, text=True,
            check=True, timeout=10,
        ).stdout  # fmt: skip

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def answers(self) -> bool:
        """Whether the server answers `pactl info`."""
        done = subprocess.run(
            ["pactl", "info"], env={**os.environ, **self.env}, capture_output=True, check=False,
            timeout=5,
        )  # fmt: skip
        return done.returncode == 0

    def log_tail(self) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL the server by PID: the sound device vanishes mid-stream."""
        if self.tap is not None:
            self.tap.stop()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM the server by PID (SIGKILL if it lingers)."""
        if self.tap is not None:
            self.tap.stop()
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Tap:
    """parec on the sink's monitor for the server's whole life: raw 16-bit mono 48 kHz to a file.

    Connected all along with a 20 ms latency, it also keeps the null sink's latency that low
    (alone, the sink renders 2 s blocks and a short tone takes 2 s to drain). Positions count
    samples, which is the sink's own clock.
    """

    def __init__(self, pulse: PrivatePulse, path: Path) -> None:
        self.path = path
        self._pulse = pulse
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 10.0) -> None:
        """Start parec and wait until samples arrive."""
        argv = [
            "parec", f"--device={SINK}.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
            "--channels=1", "--latency-msec=20",
        ]  # fmt: skip
        # A new null sink renders 2 s blocks until a client asks for less, and the first block
        # is rendered ahead: held suspended until the recorder is connected, it resumes at the
        # recorder's 20 ms (otherwise the first samples, and every tone, arrive 2 s late).
        self._pulse.pactl("suspend-sink", SINK, "1")
        with open(self.path, "wb") as out:
            self._proc = subprocess.Popen(
                argv, env={**os.environ, **self._pulse.env}, stdout=out,
                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        connected = self._wait(
            lambda: bool(self._pulse.pactl("list", "short", "source-outputs").strip()), timeout
        )
        self._pulse.pactl("suspend-sink", SINK, "0")
        if not connected or not self._wait(lambda: self.position() >= RATE // 10, timeout):
            raise RuntimeError(f"parec does not record: {self._pulse.log_tail()}")

    def stop(self) -> None:
        """Stop parec by PID."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(5)

    def position(self) -> int:
        """How many samples have been recorded."""
        return self.path.stat().st_size // 2

    def read(self, start: int) -> npt.NDArray[np.int16]:
        """The samples from `start` to now."""
        with open(self.path, "rb") as f:
            f.seek(start * 2)
            data = f.read()
        return np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")

    def why(self, start: int) -> str:
        """What the recorder and the server are doing, for a failure message."""
        recorded = self.position() - start
        loudest = int(np.max(np.abs(self.read(start)), initial=0))
        parec = "running" if self._proc is not None and self._proc.poll() is None else "gone"
        server = "running" if self._pulse.running else "gone"
        return (
            f"{recorded} samples since the mark (loudest {loudest}), parec {parec}, "
            f"pulseaudio {server}; its log:\n{self._pulse.log_tail()}"
        )

    def _wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            if self._proc is not None and self._proc.poll() is not None:
                return condition()
            time.sleep(0.01)
        return condition()

    def until_quiet(
        self, start: int, *, quiet_s: float = 0.25, level: int = 100, timeout: float = 10.0
    ) -> npt.NDArray[np.int16]:
        """The samples from `start` once something sounded and then `quiet_s` of silence."""

        def done() -> bool:
            loud = np.flatnonzero(np.abs(self.read(start)) > level)
            return loud.size > 0 and self.position() - start - int(loud[-1]) >= quiet_s * RATE

        if not self._wait(done, timeout):
            pytest.fail(f"nothing sounded and ended within {timeout} s: {self.why(start)}")
        return self.read(start)

    def span(self, start: int, seconds: float, *, timeout: float = 10.0) -> npt.NDArray[np.int16]:
        """The samples from `start` once `seconds` of them were recorded."""
        if not self._wait(lambda: self.position() - start >= seconds * RATE, timeout):
            pytest.fail(
                f"the sink did not record {seconds} s within {timeout} s: {self.why(start)}"
            )
        return self.read(start)[: int(seconds * RATE)]
