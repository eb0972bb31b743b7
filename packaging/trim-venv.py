#!/usr/bin/python3
"""Remove from the desk's packaged virtualenv what the desk never loads (debian/rules runs it).

The desk uses Qt Widgets (QtCore, QtGui, QtWidgets and their platform plugins), not QML, Designer
or the PySide6 developer tools; pip, type stubs and test suites are never run on a kiosk. Fewer
files make a smaller package and a faster lintian. Every ELF file left under PySide6 is then
checked: one that needs a Qt library removed here is removed too (a plugin of a removed module),
and the build fails if a Python binding the desk imports would lose a library.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# The Qt library families the desk does not load (libQt6<family>*.so.6).
QT_FAMILIES = (
    "Qml", "Quick", "Designer", "Help", "Lottie", "Labs", "UiTools", "Test", "Sql",
    "WaylandCompositor", "WaylandEglCompositor", "ShaderTools", "Pdf", "VirtualKeyboard",
)  # fmt: skip
# PySide6's developer tools and build-time data: nothing a kiosk runs.
PYSIDE_TOOLS = (
    "assistant", "designer", "linguist", "lrelease", "lupdate", "qmlformat", "qmllint", "qmlls",
    "svgtoqml", "include", "scripts", "typesystems", "glue", "doc", "Qt/qml", "Qt/metatypes",
    "Qt/libexec", "Qt/plugins/designer",
    "Qt/translations",  # the desk ships its own .qm files (assets/i18n)
)  # fmt: skip
# The bindings the desk imports: the build fails if one of them would lose a library.
USED_BINDINGS = ("QtCore", "QtGui", "QtWidgets")
PACKAGES = ("pip", "wheel")  # the package manager of a venv nobody installs into
TEST_SUITES = ("numpy", "jeepney", "qrcode", "pyzbar")  # their `tests` folders


def site_packages(venv: Path) -> Path:
    """The virtualenv's one site-packages folder."""
    [found] = venv.glob("lib/python3*/site-packages")
    return found


def needed(elf: Path) -> list[str]:
    """The shared libraries an ELF file names (readelf's NEEDED entries)."""
    out = subprocess.run(  # noqa: S603 - binutils' readelf on a file of the build tree
        ["readelf", "-d", str(elf)],  # noqa: S607 - debian/control Build-Depends binutils
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [
        line.split("[")[1].rstrip("]") for line in out.stdout.splitlines() if "(NEEDED)" in line
    ]


def is_elf(path: Path) -> bool:
    """Whether the file starts with the ELF magic."""
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def remove(path: Path) -> int:
    """Delete a file or folder; the number of files it held."""
    if path.is_dir() and not path.is_symlink():
        count = sum(1 for p in path.rglob("*") if not p.is_dir())
        shutil.rmtree(path)
        return count
    if path.exists() or path.is_symlink():
        path.unlink()
        return 1
    return 0


def trim(venv: Path) -> int:
    """Trim `venv` in place; the number of files removed."""
    site = site_packages(venv)
    pyside = site / "PySide6"
    gone = 0
    for name in PACKAGES:
        gone += remove(site / name)
        for info in site.glob(f"{name}-*.dist-info"):
            gone += remove(info)
        for script in venv.glob(f"bin/{name}*"):
            gone += remove(script)
    for package in TEST_SUITES:
        for tests in sorted((site / package).rglob("tests"), reverse=True):
            if tests.is_dir():
                gone += remove(tests)
    gone += sum(remove(stub) for stub in site.rglob("*.pyi"))
    for tool in PYSIDE_TOOLS:
        gone += remove(pyside / tool)
    for family in QT_FAMILIES:
        for lib in (pyside / "Qt" / "lib").glob(f"libQt6{family}*"):
            gone += remove(lib)
    gone += prune_orphans(pyside)
    for folder in sorted((p for p in pyside.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()  # a plugin folder whose plugins all went
    return gone


def prune_orphans(pyside: Path) -> int:
    """Remove ELF files that need a Qt library no longer here, until none is left."""
    have = {p.name for p in (pyside / "Qt" / "lib").iterdir()}
    gone = 0
    while True:
        orphans = []
        for elf in sorted(p for p in pyside.rglob("*") if p.is_file() and is_elf(p)):
            missing = [n for n in needed(elf) if n.startswith("libQt6") and n not in have]
            if missing:
                if elf.name.split(".")[0] in USED_BINDINGS:
                    raise SystemExit(f"trim-venv: {elf.name} would lose {', '.join(missing)}")
                orphans.append(elf)
        if not orphans:
            return gone
        for elf in orphans:
            have.discard(elf.name)
            gone += remove(elf)


def main(argv: list[str]) -> int:
    """trim-venv.py VENV: trim it and say how many files went."""
    [venv] = argv
    print(f"trim-venv: removed {trim(Path(venv))} files from {venv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
