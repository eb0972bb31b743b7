"""The desk package's size beside its installed size, and the unit's start to READY=1 under cage.

Builds the desk package (make deb, desk only) into a temporary directory, then starts the desk
unit's real ExecStart from it under headless cage (tests/packaging/cage.py) five times, and the same
desk without cage (offscreen) for comparison. Needs root (mount namespace) and the deb tools.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.packaging.cage import CageDesk, enrolled_store  # noqa: E402
from tests.support.notify import NotifyListener  # noqa: E402

RUNS = 5


def build_desk(out: Path, work: Path) -> Path:
    """The desk package alone, as `DEB_BUILD_PROFILES=pkg.cme-kiosk.noserver make deb` builds it."""
    env = {**os.environ, "DEB_OUT": str(out), "DEB_WORK": str(work),
           "DEB_BUILD_PROFILES": "pkg.cme-kiosk.noserver"}  # fmt: skip
    began = time.monotonic()
    subprocess.run([str(ROOT / "packaging" / "build-deb.sh")], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"bench: deb_build_desk {time.monotonic() - began:.0f} s", flush=True)
    [deb] = out.glob("cme-kiosk_*_amd64.deb")
    return deb


def ready_under_cage(package: Path, n: int) -> float:
    """Seconds from starting ExecStart to READY=1 (and its stop)."""
    listener = NotifyListener(f"@cme-kiosk-bench-{os.getpid()}-{n}")
    desk = CageDesk(package, listener, watchdog_usec=30_000_000)
    try:
        [ready] = listener.wait_for("READY=1", timeout=90)
        seconds = ready - desk.started
        assert desk.stop() == 0, desk.output()
        return seconds
    finally:
        desk.close()
        listener.close()


def ready_offscreen(package: Path, n: int) -> float:
    """The same desk from the same package without cage: Qt's offscreen platform, as root."""
    listener = NotifyListener(f"@cme-kiosk-bench-off-{os.getpid()}-{n}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        enrolled_store(data)
        venv_python = package / "opt" / "venvs" / "cme-kiosk" / "bin" / "python"
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "QT_QPA_PLATFORM": "offscreen",
               "NOTIFY_SOCKET": listener.address, "CME_KIOSK_DATA_DIR": tmp,
               "CME_KIOSK_CONFIG": str(ROOT / "packaging" / "config" / "config.toml")}  # fmt: skip
        began = time.monotonic()
        proc = subprocess.Popen([str(venv_python), "-m", "kiosk", "run", "--kiosk"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            [ready] = listener.wait_for("READY=1", timeout=90)
        finally:
            proc.terminate()
            proc.wait(30)
            listener.close()
    return ready - began


def main() -> int:
    """Print the bench lines; non-zero if the desk misses its 3 s target."""
    assert os.geteuid() == 0, "needs root (a mount namespace for the package's paths)"
    with tempfile.TemporaryDirectory(prefix="cme-bench-deb-") as tmp:
        deb = build_desk(Path(tmp) / "dist", Path(tmp) / "build")
        size_mb = deb.stat().st_size / 1e6
        installed = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"],
                                   capture_output=True, text=True, check=True).stdout  # fmt: skip
        print(f"bench: deb_size {size_mb:.1f} MB", flush=True)
        print(f"bench: deb_installed_size {int(installed) * 1024 / 1e6:.1f} MB", flush=True)
        package = Path(tmp) / "pkg"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(package)], check=True)
        Path(tmp).chmod(0o755)
        cage = [ready_under_cage(package, n) for n in range(RUNS)]
        offscreen = [ready_offscreen(package, n) for n in range(RUNS)]
    median = statistics.median(cage)
    print(f"bench: desk_ready_notify {median:.2f} s (median of {RUNS}; max {max(cage):.2f} s)")
    print(f"bench: desk_ready_offscreen {statistics.median(offscreen):.2f} s (no cage)")
    return 0 if median < 3.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
