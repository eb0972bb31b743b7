"""The .deb packages, built once per test session by packaging/build-deb.sh (what `make deb` runs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.units import REPO
from tests.support.env import need


@dataclass(frozen=True)
class Debs:
    """The built packages (the server's unless built desk only) and how long the build took."""

    desk: Path
    server: Path | None
    seconds: float


def lintian_findings(deb: Path) -> list[str]:
    """lintian's findings for one package, one `X: package: tag details` line each (minutes)."""
    done = subprocess.run(["lintian", "--tag-display-limit", "0", str(deb)], capture_output=True,
                          text=True, timeout=1800, check=False)  # fmt: skip
    return [line for line in done.stdout.splitlines() if re.match(r"^[EWIPXO]: ", line)]


def build_debs(out: Path, work: Path, *, version: str | None = None, server: bool = True) -> Debs:
    """Build the packages into `out` (the build tree in `work`); fails the test if it fails."""
    for tool in ("dpkg-buildpackage", "dh_virtualenv", "lintian"):
        need(shutil.which(tool) is not None, f"{tool} not installed (scripts/bootstrap.sh deb)")
    env = {**os.environ, "DEB_OUT": str(out), "DEB_WORK": str(work)}
    env.pop("VIRTUAL_ENV", None)  # dh-virtualenv refuses to run inside a virtualenv
    if version:
        env["DEB_VERSION"] = version
    if not server:
        env["DEB_BUILD_PROFILES"] = "pkg.cme-kiosk.noserver"
    began = time.monotonic()
    done = subprocess.run(
        [str(REPO / "packaging" / "build-deb.sh")], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"make deb failed:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}")
    [desk] = out.glob("cme-kiosk_*_amd64.deb")
    servers = list(out.glob("cme-kiosk-server_*_amd64.deb"))
    assert len(servers) == int(server)
    return Debs(desk=desk, server=servers[0] if servers else None,
                seconds=time.monotonic() - began)  # fmt: skip


@pytest.fixture(scope="session")
def desk_deb(tmp_path_factory: pytest.TempPathFactory) -> Debs:
    """The desk package alone from the working tree (default tier: the whole build is slow)."""
    return build_debs(tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("deb-build"),
                      server=False)  # fmt: skip


@pytest.fixture(scope="session")
def debs(tmp_path_factory: pytest.TempPathFactory) -> Debs:
    """Both packages from the working tree, built once for the slow package tests."""
    return build_debs(tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("deb-build"))


def deb_field(deb: Path, field: str) -> str:
    """One control field of a .deb."""
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def extract(deb: Path, into: Path) -> Path:
    """The package's files and its control files (into/DEBIAN)."""
    subprocess.run(["dpkg-deb", "-R", str(deb), str(into)], check=True)
    return into
