"""Models missing or failing to load disable face check-in with a clear status; the kiosk lives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.face.availability import face_status, load_engine
from kiosk.diagnostics import probe_face_models
from kiosk.services.driver_texts import face_status_line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quitting_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A face_recognition_models that behaves like the real one under setuptools >= 82: it fails
    to import pkg_resources and face_recognition calls quit(), status 0."""
    pkg = tmp_path / "fake" / "face_recognition_models"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg_resources_removed_in_82 import resource_filename\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "fake"))
    return tmp_path / "fake"


@pytest.mark.timeout(120)
def test_models_that_quit_disable_face_check_in(quitting_models: Path) -> None:
    ok, detail = probe_face_models()
    assert not ok and "exit 0" in detail  # the child died with status 0, as the issue warns
    engine, status = load_engine(probe=probe_face_models)
    assert engine is None and not status.ok
    assert status.detail.startswith("models do not load (exit 0)")
    line_en, line_zh = face_status_line(status, "en"), face_status_line(status, "zh")
    assert line_en.startswith("face check-in disabled: models do not load (exit 0)")
    assert line_zh.startswith("人脸签到已停用")
    # The models really do quit a process that imports them directly: that is why we probe.
    proc = subprocess.run([sys.executable, "-c", "import face_recognition; print('alive')"],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0 and "alive" not in proc.stdout


def test_a_probe_that_errors_is_a_status_not_a_crash() -> None:
    def boom() -> tuple[bool, str]:
        raise OSError("fork failed")

    status = face_status(probe=boom)
    assert not status.ok and "model probe failed: fork failed" in status.detail
    engine, st = load_engine(probe=lambda: (False, "models do not load (exit 0): no models"))
    assert engine is None and st.detail == "models do not load (exit 0): no models"


@pytest.mark.timeout(120)
def test_cli_reports_disabled_face_in_one_line(quitting_models: Path, tmp_path: Path) -> None:
    import numpy as np

    from drivers.face.gallery import DIM, Gallery

    v = np.random.default_rng(7).normal(size=DIM)
    g = Gallery()  # a valid gallery file, to get past loading it
    g.add("A", (v / np.linalg.norm(v)).astype(np.float32))
    g.save(tmp_path / "g.npz")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk", "face", "identify", str(tmp_path / "g.npz"),
         str(ROOT.parent / "shared" / "faces" / "obama.jpg")],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{quitting_models}:{ROOT}"},
    )  # fmt: skip
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("cme-kiosk: face check-in disabled: models do not load (exit 0)")
