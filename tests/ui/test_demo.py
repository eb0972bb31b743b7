"""`make demo` with a display: the real window under Xvfb (the headless day: tests/demo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.services.checkin import Status
from kiosk.ui.theme import STATUS_COLOURS as COLOURS
from tests.support.xvfb import start_xvfb

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.needs_xvfb
@pytest.mark.timeout(180)
def test_demo_window_under_xvfb(tmp_path: Path) -> None:
    xvfb, display = start_xvfb()
    try:
        shot = tmp_path / "desk.png"
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk",
                "demo",
                "--steps",
                "3",
                "--seconds",
                "60",
                "--screenshot",
                str(shot),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=150,
            check=False,
        )
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "张伟 签到成功" in out.stdout  # the first step went through the bridge
    image = Image.open(shot).convert("RGB")
    assert image.size[0] >= 800 and image.size[1] >= 500
    # After the third step (the same card again) the answer on screen is amber.
    amber = tuple(int(COLOURS[Status.ALREADY][i : i + 2], 16) for i in (1, 3, 5))
    pixels = sum(1 for p in image.get_flattened_data() if p == amber)
    assert pixels > image.size[0] * image.size[1] * 0.1, f"only {pixels} amber pixels"
