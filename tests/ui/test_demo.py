"""`make demo` with a display: the real window under Xvfb (the headless day: tests/demo).

`--screenshots DIR` saves one PNG per step; each picture shows what its step did (the answer
card's colour for the desk's answer). The default tier plays the morning's first steps; the
whole day in the window is in the slow tier.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.demo.day import day
from kiosk.services.checkin import Status
from kiosk.ui.theme import STATUS_COLOURS as COLOURS
from tests.support.xvfb import start_xvfb

ROOT = Path(__file__).resolve().parents[2]


def _rgb(status: Status) -> tuple[int, int, int]:
    colour = COLOURS[status]
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _share(image: Image.Image, rgb: tuple[int, int, int]) -> float:
    pixels = list(image.get_flattened_data())
    return sum(1 for p in pixels if p == rgb) / len(pixels)


def _run_window(tmp_path: Path, *extra: str, timeout: int) -> subprocess.CompletedProcess[str]:
    xvfb, display = start_xvfb()
    try:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "demo", "--screenshots", str(tmp_path / "shots"),
             "--data-dir", str(tmp_path / "data"), *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    finally:
        xvfb.terminate()
        xvfb.wait(10)


# The answer each step's screenshot shows (steps without a desk answer show the caption only).
EXPECTED = {
    "card": Status.ACCEPTED,
    "card_again": Status.ALREADY,
    "ticket": Status.ACCEPTED,
    "replay": Status.REFUSED,
    "forged": Status.REFUSED,
    "photo_attack": Status.REFUSED,
    "face_out": Status.ACCEPTED,
}


def _check_shots(shots: Path, count: int) -> None:
    keys = [s.key for s in day()][:count]
    files = sorted(shots.glob("*.png"))
    assert [f.name for f in files] == [f"{n:02d}-{k}.png" for n, k in enumerate(keys, 1)]
    for f, key in zip(files, keys, strict=True):
        image = Image.open(f).convert("RGB")
        assert image.size[0] >= 800 and image.size[1] >= 500, f.name
        if key in EXPECTED:
            share = _share(image, _rgb(EXPECTED[key]))
            assert share > 0.05, f"{f.name}: only {share:.1%} {EXPECTED[key].value}"


@pytest.mark.needs_xvfb
@pytest.mark.timeout(200)
def test_demo_window_screenshots_each_step(tmp_path: Path) -> None:
    out = _run_window(tmp_path, "--steps", "5", "--seconds", "150", timeout=180)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "张伟 签到成功" in out.stdout  # the card tap went through the bridge to the window
    _check_shots(tmp_path / "shots", 5)


@pytest.mark.slow
@pytest.mark.needs_xvfb
@pytest.mark.timeout(600)
def test_demo_window_plays_the_whole_day(tmp_path: Path) -> None:
    out = _run_window(tmp_path, timeout=560)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    _check_shots(tmp_path / "shots", len(day()))
