"""`make demo` both ways: the scripted run without a display, the real window under Xvfb."""

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


def test_scripted_demo_runs_the_day_through_simulated_devices_and_syncs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    assert "scripted run through simulated devices" in text
    # Every device came up through its real driver and transport.
    assert "ok  身份证 SAM" in text and "ok  扫码枪 serial" in text and "ok  摄像头 camera" in text
    assert "张伟 签到成功" in text and "张伟 已于 08:12 签到" in text
    assert "王芳 签到成功" in text and "李娜 签到成功" in text  # scanner ticket, camera code
    assert "This code was already used" in text  # the forwarded rotating code
    assert "signature check failed" in text  # the forged ticket
    assert "provisional_attendee" in text and "expired_document" in text
    assert "张伟 签退成功" in text and "王芳 签退成功" in text
    assert "no answer from the desk" not in text
    assert "stored: 7 records" in text and "2 refused attempts" in text
    assert "chain and signatures intact" in text
    # The platform received everything and counts the desk complete.
    assert "platform: 7 records, 2 refused attempts" in text and "7 records, complete" in text
    # Screens and logs show masked numbers only.
    assert "150102198503150041" not in text
    log = (tmp_path / "kiosk" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "refused qr attempt: replay" in log and "refused qr attempt: bad_signature" in log
    assert "150102198503150041" not in log
    for private in (tmp_path / "kiosk" / "kiosk.sqlite3", tmp_path / "kiosk" / "keys"):
        assert private.stat().st_mode & 0o077 == 0, private


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
                "2",
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
    # After the second step (the same card again) the answer on screen is amber.
    amber = tuple(int(COLOURS[Status.ALREADY][i : i + 2], 16) for i in (1, 3, 5))
    pixels = sum(1 for p in image.get_flattened_data() if p == amber)
    assert pixels > image.size[0] * image.size[1] * 0.1, f"only {pixels} amber pixels"
