"""`cme-kiosk credits`: the fixed JSON-lines output, bad rows by line, a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli as _run
from tests.support.credits import ALICE, BOB

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ROOT / "examples" / "project.toml"
EVENTS = ROOT / "examples" / "events.csv"
KEYS = [
    "id_number",
    "name",
    "role",
    "sessions",
    "hours",
    "credits",
    "capped",
    "flags",
    "explanation",
]
ADDED = ["credit_year", "credits_provisional", "provisional_figures", "annual", "yearly_cap"]
ARGS = ["credits", "--profile", "inner-mongolia-2025-draft", "--project", str(PROJECT)]


def test_the_example_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *ARGS, "--events", str(EVENTS))
    assert (code, err) == (0, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 6
    assert all(list(line) == KEYS + ADDED for line in lines)  # issue 16 only appends keys
    assert all(list(s) == ["session", "in", "out", "hours"] for ln in lines for s in ln["sessions"])
    wang = next(line for line in lines if line["name"] == "王芳")
    assert {k: wang.pop(k) for k in ADDED} == {
        "credit_year": 2026,
        "credits_provisional": True,  # 6.5 h is not whole 3 h blocks: how a part counts is not said
        "provisional_figures": ["forms.face_to_face.partial_blocks"],
        "annual": {
            "required": 25.0, "earned": None, "professional_required": 20.0,
            "public_required": 5.0, "public_to_other_hours": None, "source": "第四条",
            "provisional": False,
        },
        "yearly_cap": None,  # face-to-face projects have no yearly cap
    }  # fmt: skip
    assert wang == {
        "id_number": "150104199007150066",
        "name": "王芳",
        "role": "participant",
        "sessions": [
            {"session": "d1-am", "in": "2026-11-24T08:20:00+08:00",
             "out": "2026-11-24T17:10:00+08:00", "hours": 3.5},
            {"session": "d1-pm", "in": "2026-11-24T08:20:00+08:00",
             "out": "2026-11-24T17:10:00+08:00", "hours": 3.0},
        ],
        "hours": 6.5,
        "credits": 2.1,
        "capped": False,
        "flags": ["assessment_pending"],
        "explanation": "6.5 h attended of 9.5 h scheduled → 2.1 credits; stay 08:20–17:10 on"
        " 2026-11-24: 140 min outside the sessions (registration, breaks) not counted;"
        " participant: 6.5 h ÷ 3 h × 1 = 2.1666… → 2.1 (1 per 3 h, 第十条（一）; rounded down"
        " to 0.1); assessment not imported yet: the credits stand only if passed (第十条（一）)",
    }  # fmt: skip
    by_name = {line["name"]: line for line in lines}
    assert by_name["刘洋"]["role"] == "speaker" and by_name["刘洋"]["credits"] == 8.0
    assert "missing_checkout" in by_name["李娜"]["flags"]
    assert "conflict" in by_name["陈静"]["flags"]
    assert "method_not_accepted" in by_name["杨磊"]["flags"]


def test_bad_rows_are_reported_with_line_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "id_number,name,role,direction,time,method\n"
        f"{ALICE},张伟,participant,in,2026-11-24T08:30:00+08:00,face\n"
        f"{BOB},王芳,participant,in,2026-11-24T08:30:00,face\n"
        f"{ALICE},张伟,participant,out,2026-11-24T12:00:00+08:00,fax\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, *ARGS, "--events", str(events))
    assert code == 1 and out == ""
    assert f"{events}: line 3: time '2026-11-24T08:30:00' has no UTC offset" in err
    assert f"{events}: line 4: method 'fax' is not one of" in err
    assert err.strip().splitlines()[-1] == f"cme-kiosk: {events}: 2 bad row(s); nothing computed"
    assert "Traceback" not in err


def test_assessments_change_the_credits(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    results.write_text(
        "证件号,成绩\n150104199007150066,58\n150102198503120045,91\n", encoding="utf-8"
    )
    code, out, _ = _run(
        capsys, *ARGS, "--events", str(EVENTS), "--assessments", str(results), "--pass-mark", "60"
    )
    assert code == 0
    by_name = {json.loads(x)["name"]: json.loads(x) for x in out.splitlines()}
    assert by_name["王芳"]["credits"] == 0.0 and "assessment_failed" in by_name["王芳"]["flags"]
    assert by_name["张伟"]["credits"] == 3.1 and by_name["张伟"]["flags"] == []
    assert "assessment_missing" in by_name["陈静"]["flags"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["credits", "--profile", "nowhere", "--project", str(PROJECT), "--events", str(EVENTS)],
            2,
            "no rules profile 'nowhere'",
        ),
        ([*ARGS, "--events", "/nonexistent/events.csv"], 1, "no such file"),
        (["credits", "--profile", "chongqing-2017"], 2, "credits needs --project, --events"),
        ([*ARGS[:3], "--project", str(EVENTS), "--events", str(EVENTS)], 2, "not valid TOML"),
        (
            [*ARGS, "--events", str(EVENTS), "--assessments", str(EVENTS), "--pass-mark", "x"],
            2,
            "--pass-mark 'x' is not a number",
        ),
    ],
)
def test_bad_invocations(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = _run(capsys, *argv)
    assert got == code and out == ""
    assert message in err and "Traceback" not in err


def test_profile_mismatch_is_noted_and_profiles_listed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["credits", "--profile", "national-2024", "--project", str(PROJECT)]
    code, out, err = _run(capsys, *args, "--events", str(EVENTS))
    assert code == 0 and len(out.splitlines()) == 6
    assert "names profile inner-mongolia-2025-draft; computing with national-2024" in err
    code, out, _ = _run(capsys, "credits", "--list-profiles")
    assert code == 0 and "chongqing-2017\t" in out and "national-2024\t" in out


def test_the_installed_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", *ARGS, "--events", str(EVENTS)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6


def _remote_project(tmp_path: Path) -> Path:
    path = tmp_path / "remote.toml"
    text = PROJECT.read_text(encoding="utf-8")
    path.write_text(text.replace('form = "face_to_face"', 'form = "remote"'), encoding="utf-8")
    return path


def test_a_ledger_caps_the_year_across_projects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "id_number,credit_year,kind,credits,activity_date\n"
        "150102198503120045,2026,remote,8.5,2026-03-02\n"  # 张伟: 1.5 left before this project
        "150102198503120045,2026,face_to_face,9,2026-05-11\n"
        "150102198503120045,2025,remote,10,2025-12-30\n"  # another year: not counted
        "150104199007150066,2026,remote,9.8,2026-12-20\n",  # 王芳: after this project's date
        encoding="utf-8",
    )
    args = ["credits", "--profile", "inner-mongolia-2025-draft", "--events", str(EVENTS)]
    code, out, err = _run(
        capsys, *args, "--project", str(_remote_project(tmp_path)), "--ledger", str(ledger)
    )
    assert (code, err) == (0, "")
    by_name = {json.loads(x)["name"]: json.loads(x) for x in out.splitlines()}
    zhang, wang = by_name["张伟"], by_name["王芳"]
    assert zhang["credits"] == 1.5 and "yearly_cap" in zhang["flags"] and zhang["capped"]
    assert zhang["yearly_cap"] == {
        "kind": "remote", "cap": 10.0, "left_before": 1.5, "cut": 1.5, "exempt": False,
        "source": "第四条", "provisional": False,
    }  # fmt: skip
    assert zhang["annual"]["earned"] == 8.5 + 9 + 1.5
    # A grant dated after this project counts after it, whatever the order of submission.
    assert wang["yearly_cap"]["left_before"] == 10.0 and wang["credits"] == 2.1
    assert wang["annual"]["earned"] == 10.0  # 2.1 here, then 7.9 of the later 9.8
    assert by_name["李娜"]["yearly_cap"]["left_before"] == 10.0

    exempt = tmp_path / "primary-care.txt"
    exempt.write_text("# 苏木乡镇卫生院\n150102198503120045\n", encoding="utf-8")
    code, out, _ = _run(
        capsys, *args, "--project", str(_remote_project(tmp_path)), "--ledger", str(ledger),
        "--cap-exempt", str(exempt),
    )  # fmt: skip
    zhang = next(json.loads(x) for x in out.splitlines() if json.loads(x)["name"] == "张伟")
    assert zhang["credits"] == 3.0 and zhang["yearly_cap"]["exempt"] is True
    assert (
        zhang["yearly_cap"]["left_before"] is None and "are exempt (第四条)" in zhang["explanation"]
    )


def test_bad_ledger_rows_are_reported_by_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "id_number,credit_year,kind,credits,activity_date\n"
        "150102198503120045,2026,remote,-1,2026-03-02\n"
        "150102198503120046,2026,remote,1,2026-03-02\n"
        "150102198503120045,2026,Remote,1,2026-03-02\n"
        "150102198503120045,2026,remote,1,2026-3-2\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, *ARGS, "--events", str(EVENTS), "--ledger", str(ledger))
    assert code == 1 and out == ""
    assert f"{ledger}: line 2: credits '-1' must be a number of 0 or more" in err
    assert f"{ledger}: line 3: " in err and "check" in err.split("line 3: ")[1].splitlines()[0]
    assert f"{ledger}: line 4: kind 'Remote' must be lower-case" in err
    assert f"{ledger}: line 5: activity_date '2026-3-2' is not a date" in err
    ledger.write_text(
        "id_number,credit_year,kind,credits,activity_date\n"
        "150102198503120045,2027,remote,1,2026-03-02\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, *ARGS, "--events", str(EVENTS), "--ledger", str(ledger))
    assert code == 1
    assert "line 2: credit_year 2027 but 2026-03-02 is in credit year 2026 under" in err
