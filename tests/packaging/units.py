"""Reading the packaged systemd units: sections, keys (repeatable), and their command lines."""

from __future__ import annotations

import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNIT_DIR = REPO / "packaging" / "systemd"
UNITS = sorted(UNIT_DIR.glob("*.service"))


def unit_keys(unit: Path) -> dict[str, list[str]]:
    """`Section.Key` -> every value it is given, continuation lines joined, comments dropped."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    keys: dict[str, list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        keys.setdefault(f"{section}.{key.strip()}", []).append(" ".join(value.split()))
    return keys


def command(unit: Path, key: str = "ExecStart") -> list[str]:
    """A command line of the unit, split as systemd splits it."""
    [line] = unit_keys(unit)[f"Service.{key}"]
    return shlex.split(line)


def environment(unit: Path) -> dict[str, str]:
    """The unit's Environment= assignments."""
    pairs = [
        p for line in unit_keys(unit).get("Service.Environment", []) for p in shlex.split(line)
    ]
    return dict(p.split("=", 1) for p in pairs)
