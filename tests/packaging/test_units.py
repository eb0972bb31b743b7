"""The systemd units: `systemd-analyze verify` passes, and they say what the desk relies on."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import build_parser
from tests.packaging.units import REPO, UNIT_DIR, UNITS, command, environment, unit_keys
from tests.support.env import need

DESK = UNIT_DIR / "cme-kiosk.service"
SERVERS = [UNIT_DIR / "cme-kiosk-platform.service", UNIT_DIR / "cme-kiosk-relay.service"]


def test_the_units_are_the_desk_platform_and_relay() -> None:
    assert [u.name for u in UNITS] == [
        "cme-kiosk-platform.service",
        "cme-kiosk-relay.service",
        "cme-kiosk.service",
    ]


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_systemd_analyze_verify_passes(unit: Path, tmp_path: Path) -> None:
    """As installed: the commands they start are the package's (/usr/bin/cme-kiosk{,-server})."""
    need(shutil.which("systemd-analyze") is not None, "systemd-analyze (systemd) not installed")
    need(shutil.which("cage") is not None, "cage not installed (scripts/bootstrap.sh kiosk)")
    need(shutil.which("unshare") is not None, "unshare (util-linux) not installed")
    need(os.geteuid() == 0, "needs root: a private mount namespace for the package's /usr/bin")
    # The package's /usr/bin, over the host's, in a private mount namespace: verify checks that
    # every command exists and is executable, and the host has no cme-kiosk package installed.
    bin_dir = tmp_path / "usr-bin"
    bin_dir.mkdir()
    for name in ("cme-kiosk", "cme-kiosk-server"):
        shutil.copy2(REPO / "packaging" / "bin" / name, bin_dir / name)
    script = (
        f"mount -t overlay overlay -o lowerdir={bin_dir}:/usr/bin /usr/bin"
        f" && exec systemd-analyze verify --man=no {unit}"
    )
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # verify only warns (exit 0) about unknown keys: any output at all is a finding.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    need(shutil.which("systemd-analyze") is not None, "systemd-analyze (systemd) not installed")
    broken = tmp_path / "cme-kiosk.service"
    broken.write_text(DESK.read_text().replace("WatchdogSec=30s", "WatchdogSecs=30s"))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(broken)],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert "Unknown key 'WatchdogSecs'" in done.stderr


def test_desk_unit_runs_the_kiosk_desk_inside_cage() -> None:
    argv = command(DESK)
    assert argv[:2] == ["/usr/bin/cage", "-d"]
    app = argv[argv.index("--") + 1 :]
    assert app == ["/usr/bin/cme-kiosk", "run", "--kiosk"]
    args = build_parser().parse_args(app[1:])
    assert (args.command, args.kiosk) == ("run", True)
    assert environment(DESK) == {"QT_QPA_PLATFORM": "wayland"}


def test_desk_unit_is_a_watched_session_on_tty1() -> None:
    keys = unit_keys(DESK)
    one = {k: v[-1] for k, v in keys.items()}
    assert one["Service.Type"] == "notify"
    assert one["Service.NotifyAccess"] == "all"  # the desk is cage's child, not the main process
    assert one["Service.WatchdogSec"] == "30s"
    assert (one["Service.User"], one["Service.PAMName"]) == ("cme-kiosk", "login")
    assert one["Service.TTYPath"] == "/dev/tty1"
    assert one["Unit.Conflicts"] == "getty@tty1.service"
    assert one["Service.Restart"] == "on-failure"
    assert one["Service.RestartPreventExitStatus"] == "2"
    assert int(one["Unit.StartLimitBurst"]) >= 1 and one["Unit.StartLimitIntervalSec"]
    assert one["Install.WantedBy"] == "multi-user.target"


def test_desk_unit_is_hardened_and_writes_only_its_data_directory() -> None:
    keys = unit_keys(DESK)
    one = {k: v[-1] for k, v in keys.items()}
    assert one["Service.ProtectSystem"] == "strict"
    assert one["Service.PrivateTmp"] == one["Service.NoNewPrivileges"] == "yes"
    assert keys["Service.ReadWritePaths"] == ["/var/lib/cme-kiosk"]
    assert one["Service.DevicePolicy"] == "closed"
    allowed = {line.split()[0] for line in keys["Service.DeviceAllow"]}
    assert allowed == {
        "/dev/tty1", "char-drm", "char-input", "char-ttyUSB", "char-ttyACM", "char-hidraw",
        "char-video4linux",
    }  # fmt: skip


def test_desk_unit_stops_the_desk_before_its_compositor() -> None:
    stop = command(DESK, "ExecStop")
    assert stop[:2] == ["/bin/sh", "-c"]
    assert 'pkill -TERM -P "$MAINPID"' in stop[2]


@pytest.mark.parametrize("unit", SERVERS, ids=[u.name for u in SERVERS])
def test_server_units_run_the_server_command_with_its_config(unit: Path) -> None:
    keys = unit_keys(unit)
    assert keys["Service.EnvironmentFile"] == ["/etc/cme-kiosk-server/server.conf"]
    argv = command(unit)
    assert argv[:2] == ["/usr/bin/cme-kiosk-server", "run"]
    # What the wrapper runs: `cme-kiosk server run …` with the config's values.
    conf = dict(
        line.split("=", 1)
        for line in (REPO / "packaging" / "config" / "server.conf").read_text().splitlines()
        if line and not line.startswith("#")
    )
    # systemd: the unit's Environment= first, the file's values over them.
    env = {**environment(unit), **conf}
    expanded = [env.get(a[2:-1], a) if a.startswith("${") else a for a in argv[1:]]
    args = build_parser().parse_args(["server", *expanded])
    assert (args.command, args.server_command) == ("server", "run")
    assert args.relay == (unit.name == "cme-kiosk-relay.service")
    # The platform takes its worker count from the config (docs/scale.md); the relay has one.
    assert args.workers == (1 if args.relay else int(conf["WORKERS"]))
    # ... and its pace (docs/scale.md, "The platform's pace"); the relay asks for none.
    paces = (args.push_interval, args.pull_interval)
    assert paces == ((0, 0) if args.relay else (int(conf["PUSH_INTERVAL"]),
                                                int(conf["PULL_INTERVAL"])))  # fmt: skip
    # A server.conf kept from a version without WORKERS or the pace still starts the unit.
    newer = {"WORKERS", "PUSH_INTERVAL", "PULL_INTERVAL"}
    old = {**environment(unit), **{k: v for k, v in conf.items() if k not in newer}}
    kept = [old.get(a[2:-1], a) if a.startswith("${") else a for a in argv[1:]]
    assert "${" not in " ".join(kept)
    parsed = build_parser().parse_args(["server", *kept])
    assert (parsed.workers, parsed.push_interval, parsed.pull_interval) == (1, 0, 0)
    # An empty value (PUSH_INTERVAL=) is no pace, not a unit failing to start over and over.
    empty = {**env, "PUSH_INTERVAL": "", "PULL_INTERVAL": ""}
    blank = [empty.get(a[2:-1], a) if a.startswith("${") else a for a in argv[1:]]
    parsed = build_parser().parse_args(["server", *blank])
    assert (parsed.push_interval, parsed.pull_interval) == (0, 0)
    other = "platform" if args.relay else "relay"
    assert keys["Unit.Conflicts"] == [f"cme-kiosk-{other}.service"]
    assert keys["Service.ReadWritePaths"] == ["/var/lib/cme-kiosk-server"]
    assert keys["Service.User"] == ["cme-kiosk-server"]
