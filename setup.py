"""Build step only: copy the top-level assets/ into the package, as kiosk/_assets (kiosk/assets.py).

Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = Path(__file__).resolve().parent / "assets"
# What an installed desk reads; sources such as the translators' .ts files stay in the repo.
SHIPPED = {".wav", ".qm", ".png", ".svg"}


class BuildWithAssets(build_py):
    """build_py, then the shipped asset files into <build>/kiosk/_assets/."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "kiosk" / "_assets"
        for source in sorted(ASSETS.rglob("*")):
            if source.is_file() and source.suffix in SHIPPED:
                dest = target / source.relative_to(ASSETS)
                self.mkpath(str(dest.parent))
                self.copy_file(str(source), str(dest))


setup(cmdclass={"build_py": BuildWithAssets})
