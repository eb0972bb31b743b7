"""Where the kiosk's data files (sounds, translations, demo media) are, in a checkout and installed.

The repository keeps them in the top-level `assets/` folder. A built wheel (and so the .deb's venv)
carries them inside the package as `kiosk/_assets/` (setup.py's build step copies them there), so
an installed desk finds them beside its code whatever the install scheme; an install that put them
under `<prefix>/share/cme-kiosk/assets/` is looked at last. An editable install imports the
checkout's `kiosk/`, whose `assets/` sits beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
INSTALLED = _PACKAGE / "_assets"
CHECKOUT = _PACKAGE.parent / "assets"
_ROOTS = (INSTALLED, CHECKOUT, Path(sys.prefix) / "share" / "cme-kiosk" / "assets")


class AssetMissing(FileNotFoundError):
    """An asset is in none of the places; the message names them."""


def assets_root() -> Path | None:
    """The first assets folder that exists, or None."""
    return next((root for root in _ROOTS if root.is_dir()), None)


def asset_path(*parts: str) -> Path | None:
    """One asset's path if it exists (`asset_path("i18n", "cme_kiosk_zh_CN.qm")`), else None."""
    for root in _ROOTS:
        path = root.joinpath(*parts)
        if path.is_file():
            return path
    return None


def asset(relative: str) -> Path:
    """The path of one asset, e.g. asset("sounds/accepted.wav"); AssetMissing if absent."""
    path = asset_path(*relative.split("/"))
    if path is None:
        raise AssetMissing(f"asset {relative} not found in {', '.join(map(str, _ROOTS))}")
    return path
