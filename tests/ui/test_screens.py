"""Every desk screen as a real window under Xvfb: fills the screen, nothing clipped, no tofu.

The default tier renders every state at one size per language (1366×768 in Chinese, 800×1280
portrait in English); `make test-slow` renders the full matrix of three sizes × two languages.
`make screenshots` keeps the PNGs in docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xvfb import xvfb

ROOT = Path(__file__).resolve().parents[2]
SIZES = ("1366x768", "1920x1080", "800x1280")
LANGS = ("zh", "en")
DEFAULT = [("1366x768", "zh"), ("800x1280", "en")]
MATRIX = [(size, lang) for size in SIZES for lang in LANGS if (size, lang) not in DEFAULT]


def render(size: str, lang: str, out: Path) -> list[dict[str, object]]:
    """Run the screen harness under a private X server of `size`; its JSON report."""
    with xvfb(size) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        proc = subprocess.run(
            [sys.executable, "-m", "tests.support.screens", "--out", str(out), "--lang", lang,
             "--prefix", f"desk-{size}-{lang}-"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
    assert proc.stdout.strip(), proc.stderr[-3000:]
    report: list[dict[str, object]] = json.loads(proc.stdout)
    return report


def check(size: str, lang: str, tmp_path: Path) -> None:
    report = render(size, lang, tmp_path)
    states = [entry["state"] for entry in report]
    assert len(states) >= 11, states
    for entry in report:
        assert entry["problems"] == [], (size, lang, entry["state"], entry["problems"])
        assert Path(str(entry["png"])).stat().st_size > 5_000
        assert int(str(entry["texts"])) >= 5  # the checks looked at real text


@pytest.mark.needs_xvfb
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("size", "lang"), DEFAULT)
def test_every_screen_fits(size: str, lang: str, tmp_path: Path) -> None:
    check(size, lang, tmp_path)


@pytest.mark.slow
@pytest.mark.needs_xvfb
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("size", "lang"), MATRIX)
def test_every_screen_fits_at_every_size(size: str, lang: str, tmp_path: Path) -> None:
    check(size, lang, tmp_path)


def test_the_checks_catch_clipping_small_targets_and_tofu(qapp: object) -> None:
    """Each check of the harness fires on a screen made to fail it."""
    from PySide6.QtWidgets import QLabel, QPushButton

    from tests.support.screens import button_fits, label_fits, tofu

    label = QLabel("一个很长很长很长的单位名称：内蒙古自治区人民医院重症医学科")
    label.setFixedSize(80, 20)
    assert label_fits(label) and "elided" in label_fits(label)[0]
    label.setWordWrap(True)
    assert label_fits(label) and "clipped" in label_fits(label)[0]
    label.setFixedSize(2000, 400)
    assert label_fits(label) == []
    button = QPushButton("确定")
    button.setFixedSize(40, 30)
    assert any("40×30" in p for p in button_fits(button))
    assert tofu("签到成功 Check-in", label) == []
    assert tofu("\ue000\ue001", label)  # private-use characters: no font has them
