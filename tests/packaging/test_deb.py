"""`make deb`: both packages build, lintian finds no error, and they hold what a venue needs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import tomllib
from pathlib import Path

import pytest
from PIL import Image

from tests.packaging.cage import CageDesk
from tests.packaging.conftest import Debs, deb_field, extract, lintian_findings
from tests.packaging.units import REPO
from tests.support.env import need
from tests.support.notify import NotifyListener

pytestmark = pytest.mark.timeout(1800)

SERVER_ONLY = ("fastapi", "uvicorn", "uvloop", "httptools", "sqlalchemy", "alembic", "psycopg")


def justified_warnings() -> set[str]:
    """The warning tags packaging/README.md lists with their justification."""
    text = (REPO / "packaging" / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE))


def depends(deb: Path) -> set[str]:
    """The package names in Depends (version constraints dropped)."""
    return {re.split(r"[ (]", d.strip())[0] for d in deb_field(deb, "Depends").split(",")}


def bootstrap_list(*groups: str) -> set[str]:
    """scripts/bootstrap.sh's package names for these groups."""
    done = subprocess.run([str(REPO / "scripts" / "bootstrap.sh"), "--list", *groups],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return set(done.stdout.split())


def test_make_deb_builds_the_desk_package_named_by_version(desk_deb: Debs) -> None:
    version = deb_field(desk_deb.desk, "Version")
    upstream = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    commits = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert version == f"{upstream}+{commits}"
    assert desk_deb.desk.name == f"cme-kiosk_{version}_amd64.deb"
    assert desk_deb.server is None
    print(f"make deb (desk only): {desk_deb.seconds:.0f} s")


@pytest.mark.slow
def test_make_deb_builds_both_packages_with_one_version(debs: Debs) -> None:
    assert debs.server is not None
    version = deb_field(debs.desk, "Version")
    assert debs.server.name == f"cme-kiosk-server_{version}_amd64.deb"
    print(f"make deb: both packages in {debs.seconds:.0f} s")


def test_desk_package_holds_the_app_command_config_units_and_rules(
    desk_deb: Debs, tmp_path: Path
) -> None:
    root = extract(desk_deb.desk, tmp_path / "desk")
    venv = root / "opt" / "venvs" / "cme-kiosk"
    assert (venv / "bin" / "cme-kiosk").read_text().startswith("#!/opt/venvs/cme-kiosk/bin/python")
    assert (root / "usr" / "bin" / "cme-kiosk").stat().st_mode & 0o755 == 0o755
    assert (root / "lib" / "systemd" / "system" / "cme-kiosk.service").is_file()
    # The unit's Documentation= points at the field guide.
    guide = root / "usr" / "share" / "doc" / "cme-kiosk" / "install.md"
    assert guide.read_bytes() == (REPO / "docs" / "install.md").read_bytes()
    rules = root / "lib" / "udev" / "rules.d" / "70-cme-kiosk.rules"
    assert rules.read_bytes() == (REPO / "packaging" / "udev" / "70-cme-kiosk.rules").read_bytes()
    assert (root / "DEBIAN" / "conffiles").read_text().split() == ["/etc/cme-kiosk/config.toml"]
    assert tomllib.loads((root / "etc" / "cme-kiosk" / "config.toml").read_text()) is not None
    site = next((venv / "lib").glob("python3.*/site-packages"))
    for module in ("kiosk", "drivers", "sync", "PySide6", "pyzbar", "smartcard", "evdev",
                   "face_recognition", "face_recognition_models", "_dlib_pybind11*"):  # fmt: skip
        assert list(site.glob(module)), f"{module} missing from the desk's virtualenv"
    # What the desk never loads is not shipped (packaging/trim-venv.py), and what it loads works.
    pyside = site / "PySide6"
    for gone in ("pip", "PySide6/Qt/qml", "PySide6/designer", "PySide6/lupdate", "PySide6/include",
                 "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/QtQml.abi3.so", "numpy/_core/tests"):  # fmt: skip
        assert not (site / gone).exists(), f"{gone} is still in the desk's virtualenv"
    assert not list(site.rglob("*.pyi"))
    for kept in ("QtCore.abi3.so", "QtGui.abi3.so", "QtWidgets.abi3.so",
                 "Qt/plugins/platforms/libqwayland.so", "Qt/plugins/platforms/libqxcb.so"):  # fmt: skip
        assert (pyside / kept).is_file(), kept
    # Nothing the build left behind points into the build tree.
    build_tree = re.compile(rb"/deb-build|/build/deb/")
    for script in (venv / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            assert not build_tree.search(script.read_bytes()[:4096]), script
    # The desk does not carry the server once the project has a separate server extra.
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    if "server" in extras:
        present = {p.name.lower() for p in site.iterdir()}
        assert not [m for m in SERVER_ONLY if m in present]


def test_desk_package_maintainer_scripts_make_the_user_and_purge_the_data(
    desk_deb: Debs, tmp_path: Path
) -> None:
    control = extract(desk_deb.desk, tmp_path / "desk") / "DEBIAN"
    postinst = (control / "postinst").read_text()
    assert 'adduser --quiet --system --group --home "$DATA"' in postinst
    for group in ("video", "render", "input", "dialout", "audio"):
        assert group in postinst
    assert "install -d -o cme-kiosk -g cme-kiosk -m 0700" in postinst
    # debhelper enables the desk for the next boot, and does not start it on install.
    assert "deb-systemd-helper enable 'cme-kiosk.service'" in postinst
    assert "deb-systemd-invoke start" not in postinst
    postrm = (control / "postrm").read_text()
    assert re.search(r'if \[ "\$1" = purge \]; then\n\s+rm -rf /var/lib/cme-kiosk\n', postrm)


def test_desk_package_depends_on_what_the_desk_loads(desk_deb: Debs) -> None:
    deps = depends(desk_deb.desk)
    assert bootstrap_list("runtime", "kiosk") <= deps
    for name in ("cage", "xwayland", "libzbar0", "pcscd", "fonts-wqy-microhei",
                 "libwayland-client0", "libxcb-cursor0", "fontconfig", "adduser", "libpam-systemd"):  # fmt: skip
        assert name in deps
    venv_python = subprocess.run(
        ["/usr/bin/python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert [d for d in deps if re.fullmatch(r"python3\.\d+", d)] == [venv_python]
    assert "postgresql" not in deps and "libpq5" not in deps


@pytest.mark.slow
def test_server_package_holds_its_units_config_and_command(debs: Debs, tmp_path: Path) -> None:
    assert debs.server is not None
    root = extract(debs.server, tmp_path / "server")
    venv = root / "opt" / "venvs" / "cme-kiosk-server"
    assert (venv / "bin" / "cme-kiosk").is_file()
    site = next((venv / "lib").glob("python3.*/site-packages"))
    present = {p.name.lower() for p in site.iterdir()}
    assert [m for m in SERVER_ONLY if m not in present] == []  # the platform itself
    assert (root / "usr" / "bin" / "cme-kiosk-server").is_file()
    assert not (root / "usr" / "bin" / "cme-kiosk").exists()  # the desk's command stays the desk's
    units = sorted(p.name for p in (root / "lib" / "systemd" / "system").iterdir())
    assert units == ["cme-kiosk-platform.service", "cme-kiosk-relay.service"]
    conffiles = (root / "DEBIAN" / "conffiles").read_text().split()
    assert conffiles == ["/etc/cme-kiosk-server/server.conf"]
    deps = depends(debs.server)
    assert "libpq5" in deps and not {"postgresql", "postgresql-15"} & deps
    postinst = (root / "DEBIAN" / "postinst").read_text()
    assert "cme-kiosk server migrate --help" in postinst  # harmless before the command exists
    # Platform or relay: the engineer enables one; debhelper only keeps an earlier choice.
    for unit in units:
        assert f"if deb-systemd-helper debian-installed '{unit}'; then" in postinst
    assert "rm -rf /var/lib/cme-kiosk-server" in (root / "DEBIAN" / "postrm").read_text()


def test_the_desk_units_exec_start_under_headless_cage_fills_the_output_says_ready_beats_and_stops_beating_when_the_desk_thread_hangs(
    desk_deb: Debs, tmp_path: Path
) -> None:
    need(os.geteuid() == 0, "needs root: mount namespace for the package's paths, then nobody")
    package = extract(desk_deb.desk, tmp_path / "pkg")
    tmp_path.chmod(0o755)
    listener = NotifyListener(f"@cme-kiosk-cage-test-{os.getpid()}")
    desk = CageDesk(package, listener, watchdog_usec=1_000_000)  # a beat every 0.5 s
    try:
        listener.wait_for("READY=1", timeout=90)
        listener.wait_for("WATCHDOG=1", count=3, timeout=10)
        # Kiosk mode where it runs: the desk's window is the size of cage's output as grim
        # captures it (the output's own size, not Qt's idea of it), with no decorations. The
        # pixels are not compared: grim's capture of this cage (0.1.4, headless, pixman) is all
        # black here whatever the client draws.
        width, height = Image.open(desk.screenshot()).size
        desk.wait_line(f"kiosk window {width}x{height} on a {width}x{height} screen, frameless")
        os.kill(desk.desk_pid(), signal.SIGUSR1)  # the test hook: block the check-in executor
        desk.wait_line("test hook: desk thread blocked")
        blocked_at = time.monotonic()
        time.sleep(4.0)  # 8 intervals
        released_at = time.monotonic()
        during = [t for t in listener.times("WATCHDOG=1") if blocked_at < t < released_at]
        assert len(during) <= 1, during  # only a beat already earned before the block
        desk.wait_line("watchdog: no answer from desk")
        os.kill(desk.desk_pid(), signal.SIGUSR2)
        listener.wait_for("WATCHDOG=1", count=len(listener.times("WATCHDOG=1")) + 2, timeout=10)
        assert desk.stop() == 0, desk.output()
        assert listener.lines()[-1] == "STOPPING=1"
        assert "received SIGTERM" in desk.output()
        assert "Traceback" not in desk.output()
    except AssertionError:
        print(desk.output())
        raise
    finally:
        desk.close()
        listener.close()


# About 2 minutes of CPU on the trimmed desk (4 before packaging/trim-venv.py halved its files).
def test_lintian_reports_no_error_on_the_desk_and_only_justified_warnings(desk_deb: Debs) -> None:
    check_lintian(lintian_findings(desk_deb.desk))


@pytest.mark.slow
def test_lintian_reports_no_error_on_the_server_and_only_justified_warnings(debs: Debs) -> None:
    assert debs.server is not None
    check_lintian(lintian_findings(debs.server))


def check_lintian(findings: list[str]) -> None:
    """No error, and every warning tag listed with its reason in packaging/README.md."""
    errors = [f for f in findings if f.startswith("E: ")]
    assert errors == []
    warned = {f.split()[2] for f in findings if f.startswith("W: ")}
    assert warned <= justified_warnings(), "warnings not justified in packaging/README.md"
