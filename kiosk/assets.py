"""Where the desk's assets are: sounds, translations, demo media.

In a checkout they are in `assets/` beside the packages; an installed desk (the .deb's venv, a
wheel) has them under `<prefix>/share/cme-kiosk/assets/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "assets",
    Path(sys.prefix) / "share" / "cme-kiosk" / "assets",
)


def assets_dir() -> Path | None:
    """The first assets folder that exists, or None."""
    return next((p for p in _CANDIDATES if p.is_dir()), None)


def asset_path(*parts: str) -> Path | None:
    """One asset's path if it exists (e.g. `asset_path("i18n", "cme_kiosk_zh_CN.qm")`)."""
    for base in _CANDIDATES:
        path = base.joinpath(*parts)
        if path.exists():
            return path
    return None
