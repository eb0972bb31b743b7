"""Yearly caps across projects: a ledger of earlier grants, capped in order of activity date."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from kiosk.core.credits.calendar import activity_day, credit_year, project_credit_year
from kiosk.core.credits.records import RowError, check_id_number
from kiosk.core.credits.tabular import Table, TableError, cell, read_csv
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.model import Project, ProjectForm
from kiosk.core.rules.schema import Profile

LEDGER_COLUMNS = ("id_number", "credit_year", "kind", "credits", "activity_date")
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class Grant:
    """Credits a person was granted for one activity (another project, self-study, …)."""

    id_number: str
    credit_year: int
    kind: str  # a project form (face_to_face, remote, practice_activity) or any other kind
    credits: Decimal
    activity_date: date
    line: int = 0


@dataclass(frozen=True, slots=True)
class LedgerImport:
    """The grants of a ledger file and every row that could not be used."""

    grants: tuple[Grant, ...] = ()
    errors: tuple[RowError, ...] = ()


def _row(row: Sequence[str], cols: Mapping[str, int | None], line: int) -> Grant:
    number = check_id_number(cell(row, cols["id_number"]))
    year_text = cell(row, cols["credit_year"])
    if not re.fullmatch(r"\d{4}", year_text):
        raise ValueError(f"credit_year {year_text!r} is not a year such as 2026")
    kind = cell(row, cols["kind"])
    if not _KIND.fullmatch(kind):
        raise ValueError(f"kind {kind!r} must be lower-case letters, digits and _ (e.g. remote)")
    text = cell(row, cols["credits"])
    try:
        credits = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"credits {text!r} is not a number") from None
    if not credits.is_finite() or credits < 0:
        raise ValueError(f"credits {text!r} must be a number of 0 or more")
    day_text = cell(row, cols["activity_date"])
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise ValueError(f"activity_date {day_text!r} is not a date such as 2026-11-24") from None
    return Grant(number, int(year_text), kind, credits, day, line)


def parse_ledger_table(table: Table) -> LedgerImport:
    """Grants from a table with the LEDGER_COLUMNS (any order, other columns ignored)."""
    cols = {name: table.column([name]) for name in LEDGER_COLUMNS}
    missing = [name for name in LEDGER_COLUMNS if cols[name] is None]
    if missing:
        return LedgerImport(
            errors=(RowError(table.header_line, f"missing column(s): {', '.join(missing)}"),)
        )
    grants: list[Grant] = []
    errors: list[RowError] = []
    for line, row in table.rows:
        try:
            grants.append(_row(row, cols, line))
        except (ValueError, InvalidDocumentNumber) as exc:
            errors.append(RowError(line, str(exc)))
    return LedgerImport(tuple(grants), tuple(errors))


def parse_ledger_csv(text: str) -> LedgerImport:
    """Grants from CSV text; see `parse_ledger_table`."""
    try:
        table = read_csv(text)
    except TableError as exc:
        return LedgerImport(errors=(RowError(exc.line, exc.message),))
    return parse_ledger_table(table)


def check_ledger(grants: Iterable[Grant], profile: Profile) -> list[RowError]:
    """Rows whose credit_year is not the year the profile puts their activity_date in."""
    out = []
    for g in grants:
        expected = credit_year(g.activity_date, profile.credit_year)
        if g.credit_year != expected:
            out.append(
                RowError(
                    g.line,
                    f"credit_year {g.credit_year} but {g.activity_date.isoformat()} is in credit"
                    f" year {expected} under {profile.name} ({profile.credit_year.source})",
                )
            )
    return out


def run_cap(amounts: Sequence[Decimal], cap: Decimal | None) -> list[Decimal]:
    """What each grant counts, in order, once the year's cap is reached (None: no cap)."""
    if cap is None:
        return list(amounts)
    counted, used = [], Decimal(0)
    for amount in amounts:
        take = min(amount, max(Decimal(0), cap - used))
        counted.append(take)
        used += take
    return counted


@dataclass(frozen=True, slots=True)
class YearStanding:
    """One person's credit year in the ledger as this project sees it (no other project named)."""

    id_number: str
    credit_year: int
    kind: str  # this project's form
    cap: Decimal | None  # the form's yearly cap (None: no cap, or the person is exempt)
    exempt: bool  # the profile's exemption applies to this person
    before: Decimal  # credits of this kind counted on earlier activity dates
    earlier: tuple[Decimal, ...]  # each earlier grant of this kind (for the order of the cap)
    later: tuple[Decimal, ...]  # grants of this kind on later dates: the cap reaches them after
    others: Decimal  # the year's other kinds, each capped on its own
    known: bool  # a ledger was given (else nothing is known of other projects)

    @property
    def left_before(self) -> Decimal | None:
        """Credits left under the cap before this project (None: no cap applies)."""
        return None if self.cap is None else max(Decimal(0), self.cap - self.before)

    def counted(self, granted: Decimal) -> Decimal:
        """What this project's `granted` credits count under the cap (earlier grants first)."""
        return run_cap([*self.earlier, granted], self.cap)[-1]

    def year_total(self, granted: Decimal) -> Decimal:
        """The year's credits, all kinds, with this project's `granted` credits in date order."""
        mine = run_cap([*self.earlier, granted, *self.later], self.cap)
        return self.others + sum(mine, Decimal(0))


def yearly_cap(profile: Profile, kind: str, *, exempt: bool) -> tuple[Decimal | None, bool]:
    """A kind's yearly cap for one person, and whether the profile's exemption lifted it.

    Only project forms have caps here; `exempt` (e.g. primary-care staff) lifts a form's cap only
    where the profile names an exemption for it.
    """
    if kind not in {f.value for f in ProjectForm}:
        return None, False
    rules = profile.forms.get(ProjectForm(kind))
    if rules.yearly_max_credits is None:
        return None, False
    if exempt and rules.yearly_cap_exempt is not None:
        return None, True
    return rules.yearly_max_credits.value, False


def standings(
    project: Project,
    profile: Profile,
    grants: Iterable[Grant] | None,
    *,
    people: Iterable[str],
    exempt: frozenset[str] = frozenset(),
) -> dict[str, YearStanding]:
    """Each person's standing in the project's credit year before its activity date.

    Caps follow activity dates, not the order grants were submitted: a grant dated after this
    project counts after it. On the same date, the ledger's grants count first. `grants` None
    means no ledger: nothing is known of other projects, the cap is counted from 0.
    """
    year = project_credit_year(project, profile)
    day = activity_day(project, profile)
    form = project.form.value
    by_person: dict[str, list[Grant]] = {}
    for g in grants or ():
        if g.credit_year == year:
            by_person.setdefault(g.id_number, []).append(g)
    out = {}
    for number in people:
        mine = sorted(by_person.get(number, []), key=lambda g: (g.activity_date, g.line))
        cap, excused = yearly_cap(profile, form, exempt=number in exempt)
        same = [g for g in mine if g.kind == form]
        earlier = tuple(g.credits for g in same if g.activity_date <= day)
        later = tuple(g.credits for g in same if g.activity_date > day)
        others = Decimal(0)
        for kind in sorted({g.kind for g in mine} - {form}):
            amounts = [g.credits for g in mine if g.kind == kind]
            other_cap, _ = yearly_cap(profile, kind, exempt=number in exempt)
            others += sum(run_cap(amounts, other_cap), Decimal(0))
        out[number] = YearStanding(
            id_number=number,
            credit_year=year,
            kind=form,
            cap=cap,
            exempt=excused,
            before=sum(run_cap(earlier, cap), Decimal(0)),
            earlier=earlier,
            later=later,
            others=others,
            known=grants is not None,
        )
    return out


def _number(value: Decimal) -> float:
    return float(value)


def year_json(
    credits: Decimal,
    yearly_cut: Decimal,
    standing: YearStanding | None,
    profile: Profile,
) -> dict[str, object]:
    """The credit year's figures for one person: the annual requirement and the yearly cap.

    `earned` (the year's credits with this project's) and `left_before` are known only from a
    ledger; without one they are null.
    """
    a = profile.annual
    known = standing is not None and standing.known
    annual: dict[str, object] = {
        "required": _number(a.credits.value),
        "earned": _number(standing.year_total(credits)) if standing is not None and known else None,
        "professional_required": None
        if a.professional_credits is None
        else _number(a.professional_credits.value),
        "public_required": None if a.public_credits is None else _number(a.public_credits.value),
        "public_to_other_hours": None
        if a.public_to_other_hours_ratio is None
        else a.public_to_other_hours_ratio.value,
        "source": a.credits.source,
        "provisional": a.credits.provisional,
    }
    cap_json: dict[str, object] | None = None
    if standing is not None:
        rules = profile.forms.get(ProjectForm(standing.kind))
        figure = rules.yearly_max_credits
        if figure is not None:
            left = standing.left_before
            cap_json = {
                "kind": standing.kind,
                "cap": _number(figure.value),
                "left_before": _number(left) if known and left is not None else None,
                "cut": _number(yearly_cut),
                "exempt": standing.exempt,
                "source": figure.source,
                "provisional": figure.provisional,
            }
    return {"annual": annual, "yearly_cap": cap_json}
