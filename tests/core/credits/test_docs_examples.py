"""The worked examples of docs/credits.md (yearly caps, credit years, the window), run as written.

The tables are read from the document itself: a row changed there is checked here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.core.credits import Person, credit_year
from kiosk.core.credits.ledger import Grant, check_ledger
from kiosk.core.credits.review import build_review
from kiosk.core.credits.submission import WindowState, submission_window
from kiosk.core.model import ProjectForm, Session
from kiosk.core.rules import load_profile
from kiosk.core.timeutil import SHANGHAI
from tests.support.credits import ALICE, D1, D2, at, project, stay

DOC = Path(__file__).resolve().parents[3] / "docs" / "credits.md"


def table(marker: str) -> list[list[str]]:
    """The rows (cells stripped) of the markdown table after `<!-- examples: marker -->`."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- examples: {marker} -->")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    assert len(rows) > 2, f"no table after the {marker} marker"
    return rows[2:]  # past the header and its rule


CAPS = table("yearly caps")
WINDOW = table("submission window")


def _grants(cell: str, profile_name: str) -> list[Grant]:
    profile = load_profile(profile_name)
    out = []
    for i, part in enumerate(cell.split(";"), start=1):
        m = re.fullmatch(r"(\w+) ([\d.]+) on (\d{4}-\d\d-\d\d)", part.strip())
        assert m is not None, part
        day = date.fromisoformat(m[3])
        year = credit_year(day, profile.credit_year)
        out.append(Grant(ALICE, year, m[1], Decimal(m[2]), day, line=i + 1))
    assert check_ledger(out, profile) == []
    return out


def _optional(cell: str) -> Decimal | None:
    return None if cell == "—" else Decimal(cell)


@pytest.mark.parametrize("row", CAPS, ids=[r[0] for r in CAPS])
def test_yearly_caps_across_projects(row: list[str]) -> None:
    (_, name, form, ledger, last, attended, exempt, computed, granted, left, total, year) = row
    profile = load_profile(name)
    m = re.fullmatch(r"(\d+) days? × ([\d.]+) h", attended)
    assert m is not None, attended
    length = timedelta(hours=float(m[2]))
    last_day = date.fromisoformat(last)
    days = tuple(last_day - timedelta(days=n) for n in reversed(range(int(m[1]))))
    sessions = tuple(
        Session(f"s{i}", at(d, 8), at(d, 8) + length) for i, d in enumerate(days, start=1)
    )
    proj = project(form=ProjectForm(form), days=days, sessions=sessions, profile=name, speakers=())
    records = [r for s in sessions for r in stay(ALICE, s.start.date(), (8, 0), _hm(s.end))]
    review = build_review(
        proj,
        profile,
        records,
        people={ALICE: Person(ALICE, "张伟")},
        ledger=_grants(ledger, name),
        yearly_cap_exempt=frozenset({ALICE}) if exempt == "yes" else frozenset(),
    )
    (mine,) = review.rows
    standing = (review.years or {})[ALICE]
    assert mine.credits + mine.yearly_cut == Decimal(computed)
    assert mine.credits == Decimal(granted)
    assert standing.left_before == _optional(left)
    assert standing.year_total(mine.credits) == Decimal(total)
    assert mine.credit_year == standing.credit_year == int(year)
    assert standing.exempt is (exempt == "yes")


def _hm(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(SHANGHAI)
    return local.hour, local.minute


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("row", WINDOW, ids=[r[0] for r in WINDOW])
def test_the_submission_window(row: list[str]) -> None:
    when, ends, name, result = row
    proj = project(days=(D1, D2), profile=name)  # the last session: 2026-11-25 14:00–17:00
    window = submission_window(proj, load_profile(name), now=_local(when[:16]))
    assert window.opens_at == _local(ends)
    verdict, state = re.fullmatch(r"(accepted|refused) \((\w+)\)", result).groups()  # type: ignore[union-attr]
    assert window.state is WindowState(state)
    assert window.accepts is (verdict == "accepted")


def test_the_tables_hold_the_issues_examples() -> None:
    names = " ".join(r[0] for r in CAPS)
    assert "12 + 6 → 15" in names and "remote cap across projects" in names
    assert {r[4] for r in CAPS if r[1] == "chongqing-2017"} == {"2026-10-31", "2026-11-01"}
    assert [r[3].split(" (")[0] for r in WINDOW] == [
        "accepted",
        "refused",
        "accepted",
        "refused",
    ]
