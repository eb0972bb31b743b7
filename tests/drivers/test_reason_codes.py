"""Drivers emit reason codes, never sentences; every code has its words in both catalogues."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from drivers.face.events import FACE_HINTS, LIVENESS_FAILURES
from drivers.face.liveness import Challenge
from drivers.idcard.status import CARD_ERROR_CODES, IdCardError
from kiosk.services import driver_texts

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
# Data tables, not messages: GB 3304 nation names and sex codes, the card's own 长期, sample cards.
DATA = {"drivers/idcard/codes.py", "drivers/idcard/text.py"}


def _strings(tree: ast.Module) -> list[ast.Constant]:
    """String constants that are not docstrings."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_no_chinese_sentence_remains_in_drivers() -> None:
    found = []
    for path in sorted((ROOT / "drivers").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in DATA or rel.startswith("drivers/sim/"):
            continue
        for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if CJK.search(node.value):
                found.append(f"{rel}:{node.lineno}: {node.value}")
    assert not found, "move these to kiosk/ui/texts.py and kiosk/services/driver_texts.py:\n" + (
        "\n".join(found)
    )


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def test_every_card_error_class_code_is_listed() -> None:
    import drivers.idcard.uid
    import drivers.idcard.wlt  # noqa: F401

    codes = {IdCardError.code} | {c.code for c in _subclasses(IdCardError)}
    assert codes <= CARD_ERROR_CODES, codes - CARD_ERROR_CODES


def test_every_driver_code_has_its_record_line() -> None:
    assert set(driver_texts.CARD_ERRORS) == CARD_ERROR_CODES
    assert set(driver_texts.FACE_HINTS) == FACE_HINTS
    assert set(driver_texts.CHALLENGES) == set(Challenge)
    for zh, en in [*driver_texts.CARD_ERRORS.values(), *driver_texts.FACE_HINTS.values()]:
        assert CJK.search(zh) and en and not CJK.search(en)
    assert (
        driver_texts.card_error_text("no_such_code")[1] == "Something went wrong, please call staff"
    )
    assert {"timeout", "face_lost", "face_changed", "not_verified"} == LIVENESS_FAILURES
