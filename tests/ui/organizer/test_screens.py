"""Every workspace screen as a real window under Xvfb: fills the screen, nothing clipped, no tofu.

The default tier renders each screen at 1366×768 in Chinese; `make test-slow` adds English and
1920×1080. `make screenshots` keeps the PNGs in docs/screenshots/organizer-*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xvfb import xvfb

ROOT = Path(__file__).resolve().parents[3]
STATES = 9


def render(size: str, lang: str, out: Path) -> list[dict[str, object]]:
    """Run the workspace's screen harness under a private X server of `size`; its report."""
    with xvfb(size) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        proc = subprocess.run(
            [sys.executable, "-m", "tests.support.organizer_screens", "--out", str(out),
             "--lang", lang, "--prefix", f"organizer-{size}-{lang}-"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
    assert proc.stdout.strip(), proc.stderr[-3000:]
    report: list[dict[str, object]] = json.loads(proc.stdout)
    return report


def check(size: str, lang: str, tmp_path: Path) -> None:
    report = render(size, lang, tmp_path)
    assert [e["state"] for e in report] == [
        "overview", "attendance", "anomalies", "assessment", "credits", "export", "submit",
        "submit-confirm", "staff",
    ]  # fmt: skip
    for entry in report:
        assert entry["problems"] == [], (size, lang, entry["state"], entry["problems"])
        assert Path(str(entry["png"])).stat().st_size > 5_000
        assert int(str(entry["texts"])) >= 10  # the checks looked at real text


@pytest.mark.needs_xvfb
@pytest.mark.timeout(300)
def test_every_workspace_screen_fits(tmp_path: Path) -> None:
    check("1366x768", "zh", tmp_path)


@pytest.mark.slow
@pytest.mark.needs_xvfb
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("size", "lang"), [("1366x768", "en"), ("1920x1080", "zh")])
def test_every_workspace_screen_fits_in_other_sizes_and_languages(
    size: str, lang: str, tmp_path: Path
) -> None:
    check(size, lang, tmp_path)
