"""Configuration validation, doctor, backup, logging hygiene and the project file, end to end."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config
from kiosk.core.project_file import (
    ProjectFileError,
    load_project,
    project_from_dict,
    project_to_dict,
)
from kiosk.logging_setup import scrub, setup_logging
from kiosk.services.checkin import CheckInService, Credential
from sync.store import Store
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_config_defaults_and_valid_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[desk]\nmode = "out"\n[kiosk]\ndesk_name = "B"\n', encoding="utf-8")
    config = load_config(cfg)
    assert config.desk.mode == "out" and config.kiosk.desk_name == "B"
    assert config.desk.duplicate_window_minutes == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[desk]\nmode = "sideways"\n', "[desk].mode"),
        ('[desk]\nduplicate_window_minutes = "ten"\n', "[desk].duplicate_window_minutes"),
        ("[desk]\ncolour = 1\n", "unknown key [desk].colour"),
        ("[nonsense]\n", "unknown key nonsense"),
        ("[desk\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert expected in str(err.value)


def test_scanner_charset_is_validated_at_load() -> None:
    assert parse_config({}).scanner.charset == "auto"
    for name, value in [("UTF8", "utf-8"), ("GBK", "gb18030"), ("gb2312", "gb18030")]:
        assert parse_config({"scanner": {"charset": name}}).scanner.charset == value
    with pytest.raises(ConfigError) as err:
        parse_config({"scanner": {"charset": "big5"}}, source="kiosk.toml")
    assert str(err.value) == (
        'kiosk.toml: [scanner].charset: must be one of "auto", "utf-8", '
        '"gb18030" (a GBK or GB2312 scanner: "gb18030") (got \'big5\')'
    )


def test_parse_config_reports_expected_type() -> None:
    with pytest.raises(ConfigError, match=r"\[camera\]\.fps: .*greater than 0"):
        parse_config({"camera": {"fps": -1}})


def test_doctor_exits_nonzero_on_invalid_config(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[desk]\nmode = "sideways"\n', encoding="utf-8")
    bad = cli("--config", str(cfg), "doctor", "--no-face")
    assert bad.returncode == 2
    assert "[desk].mode" in bad.stdout
    cfg.write_text('[desk]\nmode = "in"\n', encoding="utf-8")
    good = cli("--config", str(cfg), "doctor", "--no-face")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "[ok  ] configuration: valid" in good.stdout
    assert "CJK font" in good.stdout and "zxing-cpp" in good.stdout


def test_backup_command_copies_a_live_database(data_dir: Path, tmp_path: Path) -> None:
    store = Store.open(data_dir / "kiosk.sqlite3")
    store.roster.save_project(make_project())
    store.roster.save_roster("2026-15-01-001", make_roster(3))
    svc = CheckInService(
        store=store,
        project=make_project(),
        device_id="d",
        desk_name="A",
        clock=FakeClock(at(DAY1, 9)),
    )
    svc.present(Credential.id_card(document=make_roster()[0].document))
    result = cli("backup", str(tmp_path / "b.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "1 check-in records, integrity ok" in result.stdout
    assert stat.S_IMODE(os.stat(tmp_path / "b.sqlite3").st_mode) == 0o600
    missing = cli("backup", str(tmp_path / "c.sqlite3"), "--db", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 1 and "no kiosk database" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_logs_mask_id_numbers_and_tokens(data_dir: Path) -> None:
    number = make_roster()[0].document.number
    assert number not in scrub(f"read card {number}")
    assert scrub(f"read card {number}").endswith(number[-4:])
    assert "s3cr3t" not in scrub("Authorization: Bearer s3cr3t.token")
    assert "USA310812150001" not in scrub("permit USA310812150001 read")
    path = setup_logging(data_dir)
    logging.getLogger("test").warning("checked in %s", number)
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert "checked in 150" in text and number not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_project_file_round_trip_and_errors(tmp_path: Path) -> None:
    project = load_project(ROOT / "examples" / "project.toml")
    assert project.last_day.isoformat() == "2026-11-25"
    assert project_from_dict(json.loads(json.dumps(project_to_dict(project)))) == project
    assert project_from_dict(project_to_dict(make_project())) == make_project()
    bad = tmp_path / "p.toml"
    bad.write_text(
        (ROOT / "examples" / "project.toml")
        .read_text(encoding="utf-8")
        .replace('level = "provincial"', 'level = "galactic"'),
        encoding="utf-8",
    )
    with pytest.raises(ProjectFileError, match="level: 'galactic' is not one of"):
        load_project(bad)
    naive = (
        (ROOT / "examples" / "project.toml")
        .read_text(encoding="utf-8")
        .replace('"2026-11-24T08:30:00+08:00"', '"2026-11-24T08:30:00"')
    )
    bad.write_text(naive, encoding="utf-8")
    with pytest.raises(ProjectFileError, match="UTC offset"):
        load_project(bad)
    outside = (
        (ROOT / "examples" / "project.toml")
        .read_text(encoding="utf-8")
        .replace('days = ["2026-11-24", "2026-11-25"]', 'days = ["2026-11-25"]')
    )
    bad.write_text(outside, encoding="utf-8")
    with pytest.raises(ProjectFileError, match="not on one of the project's days"):
        load_project(bad)
    assert project.checkin.face_verify_cards == "off"
    verify = (ROOT / "examples" / "project.toml").read_text(encoding="utf-8")
    off = 'face_verify_cards = "off"'
    bad.write_text(verify.replace(off, 'face_verify_cards = "on"'), encoding="utf-8")
    with pytest.raises(ProjectFileError, match="face_verify_cards must be off or enrolled"):
        load_project(bad)
    bad.write_text(verify.replace(off, 'face_verify_cards = "enrolled"'), encoding="utf-8")
    on = load_project(bad)
    assert on.checkin.face_verify_cards == "enrolled"
    assert project_from_dict(project_to_dict(on)) == on


def test_status_command_reports_pending_and_dead_letters(data_dir: Path) -> None:
    store = Store.open(data_dir / "kiosk.sqlite3")
    store.roster.save_project(make_project())
    store.roster.save_roster("2026-15-01-001", make_roster(3))
    svc = CheckInService(
        store=store,
        project=make_project(),
        device_id="d",
        desk_name="A",
        clock=FakeClock(at(DAY1, 9)),
    )
    first = svc.present(Credential.id_card(document=make_roster()[0].document)).event
    svc.present(Credential.id_card(document=make_roster()[1].document))
    assert first is not None
    store.outbox.apply_answers("event", [(first.uuid, "rejected", "revoked_device")])
    store.set_meta("server_offset_ms", "-90500")
    out = cli("status", "--dead-letters")
    assert out.returncode == 0, out.stderr
    assert "last seq 2, 0 synced, 1 pending, 1 refused by the platform" in out.stdout
    assert "clock offset  : -90.5 s  (WARNING" in out.stdout
    assert f"dead letter event {first.uuid}: revoked_device" in out.stdout
    data = json.loads(cli("status", "--json").stdout)
    assert data["pending"] == 1 and data["dead_letter"] == 1 and data["clock_offset_ms"] == -90500
    # The running desk's last sync snapshot, as its status bar showed it.
    snapshot = {"line": "同步 离线 offline · 待上传 1", "last_success": None,
                "last_error": "network: ConnectError"}  # fmt: skip
    store.set_meta("sync_status", json.dumps(snapshot, ensure_ascii=False))
    out = cli("status")
    assert "sync          : 同步 离线 offline · 待上传 1 (last success never)" in out.stdout
    assert "last error    : network: ConnectError" in out.stdout
