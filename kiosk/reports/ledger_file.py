"""Read the yearly-cap inputs from files: a ledger of earlier grants and a list of ID numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.credits.ledger import Grant, check_ledger, parse_ledger_csv
from kiosk.core.credits.records import RowError, check_id_number
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.rules.schema import Profile


@dataclass(frozen=True, slots=True)
class IdList:
    """ID numbers from a file, and every line that is not one."""

    numbers: frozenset[str] = frozenset()
    errors: tuple[RowError, ...] = field(default_factory=tuple)


def _text(path: Path) -> str | RowError:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return RowError(1, "not UTF-8 text")
    except OSError as exc:
        return RowError(1, f"cannot read: {exc.strerror or exc}")


def read_ledger_file(path: Path, profile: Profile) -> tuple[tuple[Grant, ...], list[RowError]]:
    """The grants of a ledger CSV (docs/credits.md), checked against the profile's credit year."""
    text = _text(path)
    if isinstance(text, RowError):
        return (), [text]
    ledger = parse_ledger_csv(text)
    if ledger.errors:
        return (), list(ledger.errors)
    return ledger.grants, check_ledger(ledger.grants, profile)


def read_id_list(path: Path) -> IdList:
    """ID numbers, one a line ('#' starts a comment, blank lines are skipped)."""
    text = _text(path)
    if isinstance(text, RowError):
        return IdList(errors=(text,))
    numbers: set[str] = set()
    errors = []
    for i, raw in enumerate(text.splitlines(), start=1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            numbers.add(check_id_number(entry))
        except InvalidDocumentNumber as exc:
            errors.append(RowError(i, str(exc)))
    return IdList(frozenset(numbers), tuple(errors))
