"""The credit engine stays pure: file formats and GUI/network libraries live outside kiosk/core."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = ("openpyxl", "reportlab", "pypdf", "PySide6", "httpx", "drivers", "sync", "kiosk.ui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_core_credit_modules_import_no_file_format_or_io_library() -> None:
    files = sorted((ROOT / "kiosk" / "core").rglob("*.py"))
    assert any(p.parent.name == "credits" for p in files) and any(
        p.parent.name == "rules" for p in files
    )
    bad = {
        f"{p.relative_to(ROOT)}: {name}"
        for p in files
        for name in _imports(p)
        if name.split(".")[0] in FORBIDDEN or name.startswith("kiosk.ui")
    }
    assert bad == set()


def test_the_check_would_catch_a_forbidden_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from openpyxl import Workbook\nimport reportlab.pdfgen\n", encoding="utf-8")
    assert {"openpyxl", "reportlab.pdfgen"} <= _imports(sneaky)
