"""`cme-kiosk server …`: projects, rosters (all rows or none), codes, devices, status, run."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from kiosk.core.project_file import project_to_dict
from sync import signing
from sync.client import SyncClient, TransientError
from sync.protocol import EnrollRequest, Pace
from sync.server.admin import ServerAdmin
from tests.support.cli import run_cli as run
from tests.support.env import free_port
from tests.support.roster import make_project, make_roster
from tests.support.tls import TlsFiles

pytestmark = pytest.mark.timeout(60)
NUMBER = "2026-15-01-001"
HEADER = ["id_type", "id_number", "name", "unit", "department", "title", "role", "card_uid"]


@pytest.fixture
def server_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "platform"
    monkeypatch.setenv("CME_KIOSK_SERVER_DIR", str(d))
    return d


def project_toml(path: Path) -> Path:
    data = project_to_dict(make_project())
    lines = [f'{k} = "{v}"' for k, v in data.items() if isinstance(v, str)]
    lines.append("days = [" + ", ".join(f'"{d}"' for d in data["days"]) + "]")
    for s in data["sessions"]:
        lines += [
            "[[sessions]]",
            f'id = "{s["id"]}"',
            f'start = "{s["start"]}"',
            f'end = "{s["end"]}"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def roster_rows(n: int) -> list[list[str]]:
    return [
        [a.document.type.value, a.document.number, a.name, a.unit, a.department, a.title_series,
         a.role.value, ";".join(a.card_uids)]
        for a in make_roster(n)
    ]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_project_roster_codes_devices_status(
    server_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project_toml(tmp_path / "p.toml")
    assert run(capsys, "server", "project", "create", str(toml))[0] == 0
    code, _, err = run(capsys, "server", "project", "create", str(toml))
    assert code == 1 and err.strip() == f"cme-kiosk: project {NUMBER} exists"
    assert run(capsys, "server", "project", "create", str(toml), "--update")[1].startswith(
        f"project {NUMBER} updated"
    )
    db = server_dir / "server.sqlite3"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(server_dir).st_mode) == 0o700

    good = write_csv(tmp_path / "r.csv", roster_rows(4))
    code, out, _ = run(capsys, "server", "roster", "import", NUMBER, str(good))
    assert (code, out.strip()) == (0, f"roster {NUMBER}: 4 added, 0 updated")

    code, out, err = run(capsys, "server", "enroll-code", NUMBER)
    assert code == 0 and len(out.strip()) == 14 and "single use" in err
    code, out, _ = run(capsys, "server", "enroll-code", NUMBER, "--organizer")
    assert code == 0

    admin = ServerAdmin()
    try:
        dev = admin.platform.enroll(
            EnrollRequest(code=out.strip(), desk_name="office",
                          public_key=signing.public_b64(signing.new_private_key()))
        )  # fmt: skip
    finally:
        admin.close()
    code, out, _ = run(capsys, "server", "device", "list", NUMBER)
    assert code == 0 and dev.device_id in out and "organizer" in out
    code, out, _ = run(capsys, "server", "device", "retire", dev.device_id, "--reason", "done")
    assert code == 0 and "retired" in out
    code, _, err = run(capsys, "server", "device", "revoke", "dv-nope", "--reason", "x")
    assert code == 1 and err.strip() == "cme-kiosk: no device dv-nope"
    code, out, _ = run(capsys, "server", "status", NUMBER)
    assert code == 0
    assert (
        "attendees 4 · records 0" in out
        and "retired at seq 0: done" in out
        and "submission:" in out
    )
    code, out, _ = run(capsys, "server", "status", NUMBER, "--json")
    assert code == 0 and '"attendees":4' in out


def test_bad_roster_rows_are_all_reported_and_nothing_is_imported(
    server_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "server", "project", "create", str(project_toml(tmp_path / "p.toml")))
    rows = roster_rows(5)
    bad_check = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")
    rows[1][1] = bad_check  # line 3: wrong check digit
    rows[2][0] = "library_card"  # line 4
    rows[3][2] = ""  # line 5: no name
    rows.append(list(rows[0]))  # line 7: the same person again
    code, _, err = run(capsys, "server", "roster", "import", NUMBER,
                       str(write_csv(tmp_path / "bad.csv", rows)))  # fmt: skip
    assert code == 1
    lines = err.strip().splitlines()
    assert [ln.split(":")[1].strip() for ln in lines[:-1]] == [
        "line 3",
        "line 4",
        "line 5",
        "line 7",
    ]
    assert "check digit" in lines[0] and bad_check not in err  # the number is masked
    assert "nothing was changed" in lines[-1]
    code, out, _ = run(capsys, "server", "status", NUMBER)
    assert "attendees 0" in out


def test_xlsx_roster_and_number_cells(
    server_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "server", "project", "create", str(project_toml(tmp_path / "p.toml")))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in roster_rows(3):
        sheet.append(r)
    path = tmp_path / "r.xlsx"
    book.save(path)
    assert run(capsys, "server", "roster", "import", NUMBER, str(path))[0] == 0
    sheet.append(["resident_id", 1.50102196001012e17, "数字单元格"])
    book.save(path)
    code, _, err = run(capsys, "server", "roster", "import", NUMBER, str(path))
    assert code == 1 and "line 5: id_number is a number cell" in err
    (tmp_path / "r.txt").write_text("x")
    code, _, err = run(capsys, "server", "roster", "import", NUMBER, str(tmp_path / "r.txt"))
    assert code == 1 and ".csv or .xlsx" in err


def test_bad_database_url_is_one_line(server_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "server", "status", NUMBER, "--db", "nosuchdb://x")
    assert code == 1 and err.startswith("cme-kiosk: cannot open the platform database")
    assert len(err.strip().splitlines()) == 1


def test_server_run_serves_https(server_dir: Path, tls: TlsFiles, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "server", "run", "--port", str(port),
         "--cert", str(tls.cert_pem), "--key", str(tls.key_pem), "--push-interval", "60"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        client = SyncClient(f"https://127.0.0.1:{port}", ca_bundle=tls.ca_pem, connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                assert client.negotiate() == [1]
                break
            except TransientError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert client.pace == Pace(push_s=60)  # desks' own pull interval stands
        client.close()
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert f"https://127.0.0.1:{port}/api/v1/" in out
    assert "desks are asked to upload at most every 60 s\n" in out
    # Every request has its access line (uvicorn's, on standard output) in the platform's own
    # format, not a logging error.
    assert "uvicorn.access [MainThread] 127.0.0.1:" in out
    assert '"GET /api/versions HTTP/1.1" 200' in out and "Logging error" not in out + err
    assert (server_dir / "server.sqlite3").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk", "server", "run", "--host", "0.0.0.0"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert bad.returncode == 1 and "loopback" in bad.stderr


def test_server_run_refuses_a_pace_out_of_range_before_serving(
    server_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for flag, value in (("--push-interval", "601"), ("--pull-interval", "-1"),
                        ("--push-interval", "soon")):  # fmt: skip
        code, out, err = run(capsys, "server", "run", flag, value)
        assert code == 2 and out == ""
        last = err.strip().splitlines()[-1]
        assert f"argument {flag}: must be whole seconds from 0 to 600" in last, err
    assert not (server_dir / "server.sqlite3").exists()


def test_project_create_refuses_an_unknown_profile_and_warns_of_refused_methods(
    server_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project_toml(tmp_path / "p.toml")
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("inner-mongolia-2025-draft", "guangdong-2030"), encoding="utf-8")
    code, out, err = run(capsys, "server", "project", "create", str(toml))
    assert code == 1 and out == ""
    assert "refused" in err and "guangdong-2030" in err and err.count("\n") == 1
    # The demo's mistake: a provincial Inner Mongolia project that lets its desks record ID
    # cards, which 第十六条 does not accept. Created, with a warning naming the methods.
    toml.write_text(text + '[checkin]\nmethods = ["id_card", "qr", "face"]\n', "utf-8")
    code, out, err = run(capsys, "server", "project", "create", str(toml))
    assert code == 0 and out.startswith(f"project {NUMBER} created")
    assert "warning" in err and "id_card" in err and "第十六条" in err
    toml.write_text(text + '[checkin]\nmethods = ["qr", "face"]\n', "utf-8")
    code, _, err = run(capsys, "server", "project", "create", str(toml), "--update")
    assert code == 0 and "method" not in err
