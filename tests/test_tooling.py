"""Project-wide promises: the pure-core import contract, lint and type checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tooling import started_mypy

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
    assert "kiosk.core is pure" in result.stdout and "BROKEN" not in result.stdout
    assert "layers:" in result.stdout and "Qt-free" in result.stdout


# (where a forbidden import is added, what it imports, the contract that must break)
BREAKS = [
    ("kiosk/core", "from PySide6 import QtCore", "kiosk.core is pure"),
    ("kiosk/runtime", "import kiosk.ui.bridge", "layers"),
    ("kiosk/ui", "import kiosk.runtime.runtime", "layers"),
    ("kiosk/services", "import kiosk.ui.bridge", "layers"),
    ("kiosk/services", "import kiosk.app", "layers"),
    ("sync", "import drivers.idcard", "layers"),
    ("drivers", "import sync.chain", "layers"),
    ("drivers", "import kiosk.services.desk", "layers"),
    ("kiosk/services", "from PySide6 import QtCore", "Qt-free"),
    ("kiosk/services", "import fastapi", "the server's packages stay"),
    ("kiosk/reports", "import sync.server.db", "the server's packages stay"),
    # Appended to an existing module: the wire protocol importing SQLAlchemy; a router importing
    # the app closes a circle (app → routes → deps → app).
    ("sync/protocol/wire.py", "import sqlalchemy", "the server's packages stay"),
    ("sync/server/deps.py", "import sync.server.app", "no import circles"),
]


def test_each_import_contract_fails_when_broken(tmp_path: Path) -> None:
    """A check shown to fail is a check: each contract catches its own kind of import."""
    for name in ("kiosk", "drivers", "sync"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    for where, statement, contract in BREAKS:
        path = tmp_path / where if where.endswith(".py") else tmp_path / where / "sneaky.py"
        original = path.read_text() if path.exists() else None
        path.write_text((original or "") + f"\n{statement}  # noqa\n")
        result = run([str(BIN / "lint-imports"), "--no-cache"], cwd=tmp_path, env=env)
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
        broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
        assert result.returncode != 0, (where, statement, result.stdout[-2000:])
        assert any(line.startswith(contract) or contract in line for line in broken), (
            where, statement, broken,
        )  # fmt: skip
        module = where.removesuffix(".py").replace("/", ".")
        name = module + ".sneaky" if not where.endswith(".py") else module.rsplit(".", 1)[1]
        assert name in result.stdout, (where, statement)  # the report names the culprit


def test_ruff_lint_and_format_clean() -> None:
    lint = run([str(BIN / "ruff"), "check", "."])
    assert lint.returncode == 0, lint.stdout[-4000:]
    fmt = run([str(BIN / "ruff"), "format", "--check", "."])
    assert fmt.returncode == 0, fmt.stdout[-4000:]


@pytest.mark.timeout(900)
def test_mypy_strict_on_core_sync_drivers(request: pytest.FixtureRequest) -> None:
    # Started when collection ended (tests/conftest.py): by now it has usually finished.
    code, output = started_mypy(request.config).result(timeout=850)
    assert code == 0, output[-6000:]
    assert "Success: no issues found" in output


def test_a_crashing_test_process_leaves_every_threads_stack_in_the_crash_log(
    tmp_path: Path,
) -> None:
    """What `.ci/run` prints after a segfault: the crashing test's stack, from tests/conftest.py."""
    (tmp_path / "test_crash.py").write_text(
        "import faulthandler\n\ndef test_segfaults():\n    faulthandler._sigsegv()\n"
    )
    log = tmp_path / "crash.log"
    env = {**os.environ, "CME_CRASH_LOG": str(log), "PYTHONPATH": str(ROOT)}
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-c", os.devnull,
         "--rootdir", str(tmp_path), str(tmp_path / "test_crash.py")],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode < 0 or result.returncode > 128, result.stdout + result.stderr
    dump = log.read_text()
    assert "Fatal Python error: Segmentation fault" in dump
    assert 'test_crash.py", line 4 in test_segfaults' in dump
