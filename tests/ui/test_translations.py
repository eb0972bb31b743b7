"""Every user-visible string goes through Qt's translation system, and zh_CN is complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "assets" / "i18n" / "cme_kiosk_zh_CN.ts"
BIN = Path(sys.executable).parent


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <translation> element, for every message of a .ts file."""
    tree = ET.parse(path)
    found = {}
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = translation
    return found


def test_every_string_has_a_finished_chinese_translation() -> None:
    missing = []
    for (context, source), translation in messages(TS).items():
        text = "".join(translation.itertext()).strip()
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not text:
            missing.append(f"{context}: {source}")
        elif text == source and any(c.isalpha() for c in source):
            missing.append(f"{context}: {source} (same as the source)")
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_the_translation_file_holds_every_string_in_the_code(tmp_path: Path) -> None:
    """lupdate over the screens finds nothing the committed .ts lacks (run `make i18n`)."""
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (ROOT / "kiosk" / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(fresh)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)  # fmt: skip
    assert set(messages(fresh)) == set(messages(TS)), "run make i18n and translate what is new"
