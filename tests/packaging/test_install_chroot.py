"""Install, upgrade, remove and purge both packages with apt in a Debian 12 chroot (make test-slow).

The chroot is made with debootstrap (minbase, from the host's Debian mirror) and cached as a
tarball under build/chroot/ for the next run; apt fetches the packages' dependencies. Two builds
of the packages: the working tree's, and the same with a higher version to upgrade to.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.cage import enrolled_store
from tests.packaging.conftest import Debs, build_debs, deb_field
from tests.packaging.units import REPO
from tests.support.env import need

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

SUITE = "bookworm"
CACHE = REPO / "build" / "chroot" / f"{SUITE}-minbase.tar"
APT_CACHE = REPO / "build" / "chroot" / "apt-archives"


def mirror() -> str:
    """The host's Debian mirror (the chroot fetches from the same place apt does here)."""
    for path in Path("/etc/apt/sources.list.d").glob("*.sources"):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    return "http://deb.debian.org/debian"


def base_tarball() -> Path:
    """A minbase bookworm root as a tarball, made once with debootstrap."""
    if CACHE.exists():
        return CACHE
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    work = CACHE.parent / "debootstrap"
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(work), mirror()],
                   check=True, capture_output=True, timeout=1800)  # fmt: skip
    subprocess.run(["tar", "-C", str(work), "-cf", str(CACHE) + ".part", "."], check=True)
    os.replace(str(CACHE) + ".part", CACHE)
    shutil.rmtree(work)
    return CACHE


class Chroot:
    """A Debian root with /proc, /sys and /dev mounted; services never start (policy-rc.d)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        subprocess.run(["tar", "-C", str(root), "-xf", str(base_tarball())], check=True)
        shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
        policy = root / "usr" / "sbin" / "policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        self.mounts: list[Path] = []
        # Downloaded packages are kept for the next run (apt-get keeps them by default).
        APT_CACHE.mkdir(parents=True, exist_ok=True)
        for what, args in (("proc", ["-t", "proc", "proc"]), ("sys", ["-t", "sysfs", "sys"]),
                           ("dev", ["--bind", "/dev"]), ("dev/pts", ["--bind", "/dev/pts"]),
                           ("var/cache/apt/archives", ["--bind", str(APT_CACHE)])):  # fmt: skip
            target = root / what
            subprocess.run(["mount", *args, str(target)], check=True)
            self.mounts.append(target)

    def run(self, *argv: str, check: bool = True, timeout: float = 1200) -> str:
        """A command inside the chroot (as root); its output, stdout and stderr together."""
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive",
               "LANG": "C.UTF-8", "HOME": "/root"}  # fmt: skip
        done = subprocess.run(["chroot", str(self.root), *argv], env=env, capture_output=True,
                              text=True, timeout=timeout, check=False)  # fmt: skip
        out = done.stdout + done.stderr
        if check and done.returncode != 0:
            pytest.fail(f"{' '.join(argv)} exited {done.returncode}:\n{out[-8000:]}")
        return out

    def apt_install(self, *debs: Path) -> str:
        """apt installs local packages (copied in) and fetches their dependencies."""
        inside = []
        for deb in debs:
            shutil.copy2(deb, self.root / "tmp" / deb.name)
            inside.append(f"/tmp/{deb.name}")
        return self.run("apt-get", "install", "-y", "--no-install-recommends", *inside)

    def path(self, inside: str) -> Path:
        """A path inside the chroot, seen from the host."""
        return self.root / inside.lstrip("/")

    def close(self) -> None:
        """Unmount everything (lazily: a leftover process must not wedge the test run)."""
        for target in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(target)], check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def chroot(tmp_path: Path) -> Iterator[Chroot]:
    for tool in ("debootstrap", "chroot", "mount"):
        need(shutil.which(tool) is not None, f"{tool} not installed (scripts/bootstrap.sh deb)")
    need(os.geteuid() == 0, "the chroot needs root")
    root = Chroot(tmp_path / "root")
    try:
        root.run("apt-get", "update")
        yield root
    finally:
        root.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_install_doctor_demo_upgrade_remove_and_purge_in_a_debian_12_chroot(
    chroot: Chroot, debs: Debs, tmp_path_factory: pytest.TempPathFactory
) -> None:
    version = deb_field(debs.desk, "Version")
    later = build_debs(tmp_path_factory.mktemp("dist2"), tmp_path_factory.mktemp("build2"),
                       version=f"{version}+upgrade")  # fmt: skip
    assert subprocess.run(["dpkg", "--compare-versions", deb_field(later.desk, "Version"), "gt",
                           version], check=False).returncode == 0  # fmt: skip

    assert debs.server is not None and later.server is not None
    # Install both with apt, dependencies from the mirror.
    chroot.apt_install(debs.desk, debs.server)
    groups = chroot.run("id", "-nG", "cme-kiosk").split()
    assert {"cme-kiosk", "video", "render", "input", "dialout", "audio"} <= set(groups)
    data = chroot.path("/var/lib/cme-kiosk")
    assert (data.stat().st_mode & 0o777, data.stat().st_uid) == (0o700, _uid(chroot, "cme-kiosk"))
    assert chroot.path("/lib/udev/rules.d/70-cme-kiosk.rules").is_file()
    enabled = chroot.path("/etc/systemd/system/multi-user.target.wants/cme-kiosk.service")
    assert os.readlink(enabled) == "/lib/systemd/system/cme-kiosk.service"  # boots into the desk
    wants = chroot.path("/etc/systemd/system/multi-user.target.wants")
    assert not list(wants.glob("cme-kiosk-*.service"))  # platform or relay: the engineer picks
    for unit in ("cme-kiosk.service", "cme-kiosk-platform.service", "cme-kiosk-relay.service"):
        done = subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={chroot.root}",
                               unit], capture_output=True, text=True, check=False)  # fmt: skip
        assert (done.returncode, done.stdout + done.stderr) == (0, ""), unit

    # The doctor and the headless demo, as the cme-kiosk user (the command switches to it).
    doctor = chroot.run("cme-kiosk", "doctor")
    for line in ("[ok  ] configuration: valid", "[ok  ] data directory: /var/lib/cme-kiosk",
                 "[ok  ] CJK font: WenQuanYi", "[ok  ] QR decoder pyzbar/libzbar0: installed",
                 "face check-in: models load"):  # fmt: skip
        assert line in doctor, doctor
    demo = chroot.run("cme-kiosk", "demo", "--headless", "--data-dir", "/var/lib/cme-kiosk/demo")
    assert "Traceback" not in demo
    owners = {p.stat().st_uid for p in chroot.path("/var/lib/cme-kiosk/demo").rglob("*")}
    assert owners == {_uid(chroot, "cme-kiosk")}  # not root's: the command switched users

    # A store, as enrollment leaves it, and an edited configuration: an upgrade keeps both.
    enrolled_store(data)  # the store and its keys/ beside it
    kiosk_uid = _uid(chroot, "cme-kiosk")
    for p in data.rglob("*"):
        os.chown(p, kiosk_uid, kiosk_uid)
    status = chroot.run("cme-kiosk", "status")
    assert "2026-15-01-001" in status
    config = chroot.path("/etc/cme-kiosk/config.toml")
    config.write_text(config.read_text().replace('# desk_name = "A"', 'desk_name = "Z"'))
    store_before = sha256(data / "kiosk.sqlite3")

    # Upgrade both to the later build.
    chroot.apt_install(later.desk, later.server)
    installed = chroot.run("dpkg-query", "-W", "-f", "${Version}", "cme-kiosk")
    assert installed == deb_field(later.desk, "Version")
    assert sha256(data / "kiosk.sqlite3") == store_before
    assert 'desk_name = "Z"' in config.read_text()
    assert "2026-15-01-001" in chroot.run("cme-kiosk", "status")  # the new code opens it

    # The server loads the system's libpq (PSYCOPG_IMPL=python in its command and units).
    pq = chroot.run("env", "PSYCOPG_IMPL=python", "/opt/venvs/cme-kiosk-server/bin/python", "-c",
                    "import psycopg; print(psycopg.pq.__impl__, psycopg.pq.version())")  # fmt: skip
    assert pq.split()[0] == "python" and int(pq.split()[1]) >= 150000
    assert "usage:" in chroot.run("cme-kiosk-server", "--help")

    # remove keeps the data; purge deletes it.
    chroot.run("apt-get", "remove", "-y", "cme-kiosk", "cme-kiosk-server")
    assert (data / "kiosk.sqlite3").exists() and chroot.path("/var/lib/cme-kiosk-server").exists()
    assert not chroot.path("/opt/venvs/cme-kiosk/bin/python").exists()
    chroot.run("apt-get", "purge", "-y", "cme-kiosk", "cme-kiosk-server")
    for gone in ("/var/lib/cme-kiosk", "/etc/cme-kiosk", "/opt/venvs/cme-kiosk",
                 "/var/lib/cme-kiosk-server", "/etc/cme-kiosk-server"):  # fmt: skip
        assert not chroot.path(gone).exists(), gone


def _uid(chroot: Chroot, user: str) -> int:
    return int(chroot.run("id", "-u", user).strip())
