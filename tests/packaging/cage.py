"""The desk unit's ExecStart, run from the built package under headless cage as a non-root user.

No systemd here: the test plays its part. It extracts the .deb, lays the package's /opt and
/usr/bin over the host's in a private mount namespace (so the unit's own paths resolve to the
package), drops to `nobody` (cage and the desk never run as root; the unit uses cme-kiosk), and
gives the desk what systemd and pam_systemd would: the unit's Environment=, $NOTIFY_SOCKET,
$WATCHDOG_USEC, $WATCHDOG_PID (cage's pid, the main process) and $XDG_RUNTIME_DIR.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from kiosk.core.timeutil import local_day, utc_now
from sync.store import Store
from tests.packaging.units import command, environment
from tests.support.notify import NotifyListener
from tests.support.qr import PlatformKeys
from tests.support.roster import make_project, make_roster

NOBODY = 65534


def enrolled_store(data: Path) -> None:
    """What enrollment leaves: today's project, its roster and keys (as the run tests make it)."""
    today = local_day(utc_now())
    project = dataclasses.replace(make_project(), days=(today,), sessions=())
    keys = PlatformKeys()
    store = Store.open(data / "kiosk.sqlite3")
    store.roster.save_project(project)
    store.roster.save_roster(project.number, make_roster(3))
    store.keys.save_project_keys(
        project.number, ticket_keys={keys.key_id: keys.public}, denied_hmac_key=b"h" * 32
    )
    store.close()


class CageDesk:
    """One start of the packaged desk unit's ExecStart; output and notifications collected."""

    def __init__(self, package: Path, listener: NotifyListener, *, watchdog_usec: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cme-cage-", dir="/tmp"))
        self.root.chmod(0o755)
        home = self.home = self.root / "home"
        for d in (home, home / "run", home / "data"):
            d.mkdir(mode=0o700)
        enrolled_store(home / "data")
        config = self.root / "config.toml"
        config.write_text('[kiosk]\ndesk_name = "A"\n', encoding="utf-8")
        config.chmod(0o644)
        for path in [home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        unit = package / "lib" / "systemd" / "system" / "cme-kiosk.service"
        self.unit = unit
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "WLR_BACKENDS": "headless",
            "WLR_RENDERER": "pixman",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "NOTIFY_SOCKET": listener.address,
            "WATCHDOG_USEC": str(watchdog_usec),
            "CME_KIOSK_CONFIG": str(config),
            "CME_KIOSK_DATA_DIR": str(home / "data"),
            "CME_KIOSK_TEST_HANG_SIGNALS": "1",
            **environment(unit),
        }
        overlay = "mount -t overlay overlay -o lowerdir={0}{1}:{1} {1}"
        script = " && ".join(
            [
                overlay.format(package, "/opt"),
                overlay.format(package, "/usr/bin"),
                f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups"
                " --inh-caps=-all --bounding-set=-all"
                f" /bin/sh -c 'export WATCHDOG_PID=$$; exec \"$@\"' sh {shlex.join(command(unit))}",
            ]
        )
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            self.lines.append(text.rstrip("\n"))

    def output(self) -> str:
        """Everything cage and the desk printed so far."""
        return "\n".join(self.lines)

    def wait_line(self, fragment: str, timeout: float = 30.0) -> None:
        """Wait for a line of output; AssertionError with the output if it does not come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(fragment in line for line in list(self.lines)):
                return
            time.sleep(0.05)
        raise AssertionError(f"no line with {fragment!r}:\n{self.output()}")

    def screenshot(self) -> Path:
        """What cage's output shows now, taken by grim as the desk's user (cage's screencopy)."""
        run = self.home / "run"
        [socket] = [p.name for p in run.glob("wayland-*") if not p.name.endswith(".lock")]
        shot = self.home / "screen.png"
        subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             "grim", str(shot)],
            env={"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(run), "WAYLAND_DISPLAY": socket},
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        return shot

    def desk_pid(self) -> int:
        """The desk process: cage's only child."""
        main = self.proc.pid  # unshare, sh, setpriv and sh all exec: this is cage
        children = Path(f"/proc/{main}/task/{main}/children").read_text().split()
        [child] = children
        return int(child)

    def stop(self, timeout: float = 30.0) -> int:
        """The unit's ExecStop with $MAINPID, as systemd runs it; cage's exit status."""
        stop = subprocess.Popen(
            command(self.unit, "ExecStop"),
            env={"PATH": "/usr/bin:/bin", "MAINPID": str(self.proc.pid)},
        )
        # Reap cage as systemd would: ExecStop waits until $MAINPID is gone, and a zombie is not.
        code = self.proc.wait(timeout)
        assert stop.wait(timeout) == 0
        self._reader.join(5)
        return code

    def close(self) -> None:
        """Kill whatever is left and remove the temporary root."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
