"""Project-wide promises: the pure-core import contract, lint and type checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(
    cmd: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_core_import_contract_holds() -> None:
    result = run([str(BIN / "lint-imports"), "--no-cache"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kiosk.core is pure" in result.stdout and "KEPT" in result.stdout


def test_core_import_contract_fails_when_core_imports_pyside6(tmp_path: Path) -> None:
    # A copy of the packages with one forbidden import added deep inside kiosk/core.
    for name in ("kiosk", "drivers", "sync"):
        if (ROOT / name).exists():
            shutil.copytree(
                ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "kiosk" / "core" / "sneaky.py").write_text("from PySide6 import QtCore  # noqa\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = run([str(BIN / "lint-imports"), "--no-cache"], cwd=tmp_path, env=env)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout and "kiosk.core.sneaky" in result.stdout


def test_ruff_lint_and_format_clean() -> None:
    lint = run([str(BIN / "ruff"), "check", "."])
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = run([str(BIN / "ruff"), "format", "--check", "."])
    assert fmt.returncode == 0, fmt.stdout[-4000:]


@pytest.mark.timeout(900)
def test_mypy_strict_on_core_sync_drivers() -> None:
    targets = [p for p in ("kiosk", "sync", "drivers") if (ROOT / p).exists()]
    result = run([str(BIN / "mypy"), *targets])
    assert result.returncode == 0, result.stdout[-6000:]
