"""`[credits] rules_dirs`: a province's own profiles from the configuration, no code change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.core.rules import BUILTIN_DIR, RULES_DIR_ENV, ProfileError, checked_dirs
from tests.support.cli import run_cli as run

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ROOT / "examples" / "project.toml"
EVENTS = ROOT / "examples" / "events.csv"
IM = (BUILTIN_DIR / "inner-mongolia-2025-draft.toml").read_text(encoding="utf-8")
RATE = 'participant = { credits = 1, per_hours = 3, source = "第十条（一）"'


def province(directory: Path, name: str, *, per_hours: int) -> Path:
    """A province profile: the Inner Mongolia text renamed, with its own participant rate."""
    directory.mkdir(parents=True, exist_ok=True)
    text = IM.replace('name = "inner-mongolia-2025-draft"', f'name = "{name}"')
    text = text.replace(RATE, RATE.replace("per_hours = 3", f"per_hours = {per_hours}"), 1)
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config(tmp_path: Path, *dirs: Path | str) -> Path:
    path = tmp_path / "config.toml"
    listed = ", ".join(json.dumps(str(d)) for d in dirs)
    path.write_text(f"[credits]\nrules_dirs = [{listed}]\n", encoding="utf-8")
    return path


def wang_credits(out: str) -> float:
    lines = [json.loads(line) for line in out.splitlines()]
    wang = next(line for line in lines if line["name"] == "王芳")
    assert wang["hours"] == 6.5
    return float(wang["credits"])


def test_a_configured_directory_adds_a_province_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gd = province(tmp_path / "gd", "guangdong-2026", per_hours=2)
    cfg = config(tmp_path, tmp_path / "gd")
    code, out, _ = run(capsys, "--config", str(cfg), "credits", "--list-profiles")
    assert code == 0 and f"guangdong-2026\t{gd}" in out.splitlines()
    assert any(line.startswith("national-2024\t") for line in out.splitlines())  # built-ins too
    code, out, err = run(
        capsys, "--config", str(cfg), "credits", "--profile", "guangdong-2026",
        "--project", str(PROJECT), "--events", str(EVENTS),
    )  # fmt: skip
    assert code == 0, err
    assert wang_credits(out) == 3.2  # 6.5 h ÷ 2 h × 1 = 3.25 → 3.2 (rounded down to 0.1)
    # Without the configuration the profile does not exist: it came from the configured dir.
    code, _, err = run(capsys, "credits", "--profile", "guangdong-2026", "--project",
                       str(PROJECT), "--events", str(EVENTS))  # fmt: skip
    assert code == 2 and "no rules profile 'guangdong-2026'" in err


def test_order_is_option_then_configuration_then_environment_then_builtin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "inner-mongolia-2025-draft"  # a province correcting a draft without a release
    province(tmp_path / "cli", name, per_hours=1)
    province(tmp_path / "cfg", name, per_hours=2)
    province(tmp_path / "env", name, per_hours=6)
    monkeypatch.setenv(RULES_DIR_ENV, str(tmp_path / "env"))
    cfg = ["--config", str(config(tmp_path, tmp_path / "cfg"))]
    base = ["credits", "--profile", name, "--project", str(PROJECT), "--events", str(EVENTS)]

    def credits(*argv: str) -> float:
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        return wang_credits(out)

    assert credits(*cfg, *base, "--rules-dir", str(tmp_path / "cli")) == 6.5  # 1 per 1 h
    assert credits(*cfg, *base) == 3.2  # 1 per 2 h, from the configuration
    assert credits(*base) == 1.0  # 1 per 6 h, from $CME_KIOSK_RULES_DIR
    monkeypatch.delenv(RULES_DIR_ENV)
    assert credits(*base) == 2.1  # the built-in: 1 per 3 h


def test_a_configured_directory_that_is_not_there_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, tmp_path / "nowhere")
    code, out, err = run(capsys, "--config", str(cfg), "credits", "--list-profiles")
    assert (code, out) == (2, "")
    assert f"[credits] rules_dirs: {tmp_path / 'nowhere'} is not a directory" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[credits]\nrules_dir = ["x"]\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(bad), "credits", "--list-profiles")
    assert code == 2 and "unknown key [credits].rules_dir" in err
    not_a_list = tmp_path / "scalar.toml"
    not_a_list.write_text('[credits]\nrules_dirs = "x"\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(not_a_list), "credits", "--list-profiles")
    assert code == 2 and "[credits].rules_dirs" in err
    with pytest.raises(ProfileError, match=r"somewhere: .* is not a directory"):
        checked_dirs([tmp_path / "nope"], source="somewhere")
    assert checked_dirs([tmp_path], source="x") == [tmp_path]


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("HOME", str(tmp_path))
    gd = province(tmp_path / "rules", "guangdong-2026", per_hours=2)
    cfg = config(tmp_path, "~/rules")
    code, out, _ = run(capsys, "--config", str(cfg), "credits", "--list-profiles")
    assert code == 0 and f"guangdong-2026\t{gd}" in out.splitlines()
