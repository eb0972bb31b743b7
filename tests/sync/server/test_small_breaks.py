"""The smaller breaks of issue 14 (break 7) on the platform and in the kiosk's configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config, parse_config
from kiosk.core.model import Attendee
from sync.client.client import walk_in_record
from sync.server.roster_file import RosterFileError, read_roster
from sync.server.walkins import stored_walk_ins
from tests.support.desks import enroll
from tests.support.live_server import LiveServer
from tests.support.roster import make_roster

pytestmark = pytest.mark.timeout(90)
NUMBER = "2026-15-01-001"
ROOT = Path(__file__).resolve().parents[3]


def test_the_platform_checks_walk_in_documents(srv: LiveServer) -> None:
    desk = enroll(srv, NUMBER, "A")
    person = make_roster(9)[8]
    number = person.document.number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")  # a wrong check digit
    bad = Attendee(id="P-1", document=person.document.__class__(person.document.type, wrong),
                   name=person.name, provisional=True)  # fmt: skip
    good = Attendee(id="P-2", document=person.document, name=person.name, provisional=True)
    answers = desk.client.upload_walk_in_records(
        [walk_in_record(a, project=NUMBER, device_id=desk.device_id) for a in (bad, good)]
    )
    assert [(a.status, a.reason) for a in answers] == [
        ("rejected", "invalid_document"), ("accepted", ""),
    ]  # fmt: skip
    assert [r["attendee_id"] for r in stored_walk_ins(srv.admin.platform, NUMBER)] == ["P-2"]


def test_control_characters_in_roster_names_are_refused_with_the_line(tmp_path: Path) -> None:
    people = make_roster(3)
    lines = ["id_type,id_number,name,unit"]
    lines += [f'resident_id,{p.document.number},"{p.name}",医院' for p in people]
    lines[2] = f'resident_id,{people[1].document.number},"{people[1].name}\x1b[2J",医院'
    lines[3] = f'resident_id,{people[2].document.number},"{people[2].name}","内科\u2028急诊"'
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RosterFileError) as err:
        read_roster(path)
    assert err.value.problems == [
        "line 3: name contains control characters",
        "line 4: unit contains control characters",
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"sync": {"batch_size": True}}, "[sync].batch_size: must be a number, not true/false"),
        ({"camera": {"width": False}}, "[camera].width: must be a number, not true/false"),
        ({"sync": {"read_timeout_s": True}}, "[sync].read_timeout_s: must be a number"),
        ({"sync": {"server_url": "http://platform:8443"}}, "[sync].server_url: must start with"),
        ({"sync": {"pinned_sha256": "not-a-pin"}}, "[sync].pinned_sha256: must be the SHA-256"),
        ({"sync": {"pinned_sha256": "ab" * 31}}, "[sync].pinned_sha256: must be the SHA-256"),
    ],
)
def test_the_configuration_refuses_what_would_crash_later(
    doc: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert message in str(err.value)


def test_a_good_pin_and_https_url_still_load() -> None:
    pin = ":".join(["AB"] * 32)
    config = parse_config({"sync": {"server_url": "https://p.example:8443", "pinned_sha256": pin}})
    assert config.sync.pinned_sha256 == pin and config.sync.batch_size == 500


def test_sync_with_a_plain_http_url_says_so_in_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[sync]\nserver_url = "http://platform:80"\n'
        'pinned_sha256 = "xyz"\n', encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ConfigError):
        load_config(cfg)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(cfg), "sync"], cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "server_url: must start with https://" in out.stderr
    assert "pinned_sha256: must be the SHA-256" in out.stderr
