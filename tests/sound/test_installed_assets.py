"""An installed desk (the wheel packaging/install-kiosk.sh installs) finds its tones in itself."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from kiosk.services.sound import Tone

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_the_tones_and_an_installed_desk_finds_them(tmp_path: Path) -> None:
    # Build outside the checkout: no build/ or egg-info left beside the sources.
    extra = tmp_path / "setup.cfg"
    extra.write_text(f"[build]\nbuild_base = {tmp_path / 'b'}\n[egg_info]\negg_base = {tmp_path}\n")
    env = {**os.environ, "DIST_EXTRA_CONFIG": str(extra)}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("cme_kiosk-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n for n in zf.namelist() if n.startswith("kiosk/_assets/")}
    # The compiled translations (built by make dev) travel too; the .ts sources stay behind.
    translations = {
        f"kiosk/_assets/i18n/{qm.name}" for qm in (ROOT / "assets" / "i18n").glob("*.qm")
    }
    assert translations, "make dev builds the .qm files first"
    assert shipped == {f"kiosk/_assets/sounds/{t.value}.wav" for t in Tone} | translations

    # Installed is unpacked: pip puts the wheel's files into site-packages as they are.
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    found = subprocess.run(
        [sys.executable, "-I", "-c",
         f"import sys; sys.path.insert(0, {str(site)!r}); "
         "from kiosk.assets import asset; print(asset('sounds/accepted.wav'))"],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert Path(found) == site / "kiosk" / "_assets" / "sounds" / "accepted.wav"
    assert Path(found).read_bytes() == (ROOT / "assets" / "sounds" / "accepted.wav").read_bytes()
