"""What `cme-kiosk organizer report` prints, and the yearly-cap inputs it reads from files."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.core.credits.ledger import Grant
    from kiosk.core.credits.review import ReviewTable
    from kiosk.core.rules import Profile


def cap_inputs(
    args: argparse.Namespace, profile: Profile
) -> tuple[tuple[Grant, ...] | None, frozenset[str]]:
    """`report --ledger/--cap-exempt` (submit has neither: the platform keeps the ledger)."""
    from pathlib import Path

    from kiosk.commands._common import fail
    from kiosk.reports.ledger_file import read_id_list, read_ledger_file

    grants = None
    ledger, exempt_file = getattr(args, "ledger", None), getattr(args, "cap_exempt", None)
    if ledger:
        grants, bad = read_ledger_file(Path(ledger), profile)
        for e in bad:
            print(f"cme-kiosk: {ledger}: {e}", file=sys.stderr)
        if bad:
            fail(f"{ledger}: {len(bad)} bad row(s); nothing computed")
    exempt: frozenset[str] = frozenset()
    if exempt_file:
        listed = read_id_list(Path(exempt_file))
        for e in listed.errors:
            print(f"cme-kiosk: {exempt_file}: {e}", file=sys.stderr)
        if listed.errors:
            fail(f"{exempt_file}: {len(listed.errors)} bad line(s); nothing computed")
        exempt = listed.numbers
    return grants, exempt


def print_header(table: ReviewTable) -> None:
    """The project, its window, what is wrong with it under its profile, and its credit year."""
    from kiosk.core.credits.calendar import credit_year_bounds, project_credit_year
    from kiosk.core.timeutil import format_local

    p, profile = table.project, table.profile
    print(f"{p.number} {p.name} ({profile.name})")
    if table.as_of is not None:
        print(f"数据截至 {format_local(table.as_of, '%Y-%m-%d %H:%M')}（平台时间）")
    if table.window is not None:
        print(table.window.message())
    for warning in table.warnings:
        print(f"注意：{warning.message_zh}")
    year = project_credit_year(p, profile)
    first, last = credit_year_bounds(year, profile.credit_year)
    need = profile.annual.credits
    print(
        f"学分年度 {year}（{first} 至 {last}，{profile.credit_year.source}）；"
        f"年度要求 {need.value} 学分（{need.source}）" + ("（暂定）" if need.provisional else "")
    )


def print_table(table: ReviewTable) -> None:
    from kiosk.core.credits.amounts import show
    from kiosk.core.credits.labels import PROVISIONAL_ZH
    from kiosk.core.credits.records import FLAG_LABELS_ZH
    from kiosk.core.ids import mask_number

    print_header(table)
    print(f"{'证件号':<18} {'姓名':<6} {'学时':>6} {'学分':>5}  场次  考核  标记")
    for row in table.rows:
        a = row.assessment
        verdict = "—" if a is None else a.label_zh()
        labels = [FLAG_LABELS_ZH[f] for f in sorted(row.flags)]
        if row.credits_provisional:
            labels.append(f"学分{PROVISIONAL_ZH}")
        marks = "、".join(labels) or "—"
        sessions = ", ".join(f"{ln.piece.session.id} {show(ln.hours)}" for ln in row.lines)
        print(
            f"{mask_number(row.person.id_number):<18} {row.person.name or '?':<6}"
            f" {show(row.hours):>6} {show(row.credits):>5}  {sessions or '—'}  {verdict}  {marks}"
        )
    for person in table.absent:
        print(f"{mask_number(person.id_number):<18} {person.name:<6}  (absent)")
    print(f"total credits {show(table.total_credits)}, {len(table.rows)} attendees")
    provisional = [r for r in table.rows if r.credits_provisional]
    if provisional:
        basis = sorted({path for r in provisional for path in r.provisional_basis})
        print(
            f"{len(provisional)} attendee(s) with provisional credits ({PROVISIONAL_ZH}):"
            f" they rest on {', '.join(basis)}, which no source text says"
        )
    print_years(table)
    for blocker in table.blockers():
        print(f"to resolve before submitting: {masked(blocker)}")


def print_years(table: ReviewTable) -> None:
    """Per person, with a ledger: credits left under the yearly cap before this project."""
    from kiosk.core.credits.amounts import show
    from kiosk.core.ids import mask_number

    years = table.years or {}
    for row in table.rows:
        y = years.get(row.person.id_number)
        if y is None or not y.known:
            continue
        left = y.left_before
        cap = (
            "" if left is None else f"; {show(left)} left under the yearly cap before this project"
        )
        if row.yearly_cut:
            cap += f", {show(row.yearly_cut)} cut"
        if y.exempt:
            cap = "; exempt from the yearly cap"
        need = table.profile.annual.credits.value
        print(
            f"{mask_number(row.person.id_number):<18} {row.person.name or '?':<6} credit year"
            f" {y.credit_year}: {show(y.year_total(row.credits))} of {show(need)} credits{cap}"
        )


def masked(text: str) -> str:
    """Mask the ID number a blocker line ends with (screens never show full numbers)."""
    from kiosk.core.ids import mask_number

    head, _, tail = text.rpartition(" (")
    return f"{head} ({mask_number(tail.rstrip(')'))})" if head else text
