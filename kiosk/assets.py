"""Where the kiosk's data files (sounds, translations) are, in a checkout and when installed.

The repository keeps them in the top-level `assets/` folder. A built wheel carries them inside
the package as `kiosk/_assets/` (setup.py's build step copies them there), so an installed desk
finds them beside its code whatever the install scheme. An editable install imports the
checkout's `kiosk/`, whose `assets/` sits beside it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
INSTALLED = _PACKAGE / "_assets"
CHECKOUT = _PACKAGE.parent / "assets"


class AssetMissing(FileNotFoundError):
    """An asset is in neither place; the message names both."""


def assets_root() -> Path:
    """The installed assets folder if there is one, else the checkout's."""
    return INSTALLED if INSTALLED.is_dir() else CHECKOUT


def asset(relative: str) -> Path:
    """The path of one asset, e.g. asset("sounds/accepted.wav"); AssetMissing if absent."""
    for root in (INSTALLED, CHECKOUT):
        path = root / relative
        if path.is_file():
            return path
    raise AssetMissing(f"asset {relative} not found in {INSTALLED} or {CHECKOUT}")
