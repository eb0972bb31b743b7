"""The platform's credit ledger: each person's accepted grants across projects, capped by year.

An accepted submission replaces its project's grants (one per person, keyed by ID number). The
yearly caps are never stored: they are applied over the ledger in order of activity date by the
core's functions (kiosk.core.credits.ledger), so a project submitted late but dated earlier
counts first. An organizer sees, per attendee of their project, only the credits left under the
cap before it and what the cap cut from it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select

from kiosk.core.credits.calendar import activity_day, project_credit_year
from kiosk.core.credits.ledger import Grant, standings, yearly_cap
from kiosk.core.model import Project, ProjectForm
from kiosk.core.rules.schema import Profile
from sync import protocol as p
from sync.server import db as t
from sync.server.db import insert_new
from sync.server.platform import Device, Platform, PlatformError
from sync.server.profiles import UnusableProfile, project_profile

log = logging.getLogger(__name__)


def _profile(project: Project) -> Profile:
    try:
        return project_profile(project)
    except UnusableProfile as exc:
        raise PlatformError(409, "profile_unusable", str(exc)) from None


def people(conn: Connection, number: str) -> dict[str, str]:
    """The project's attendees: reference → ID number (roster, then walk-ins' identities)."""
    out = dict(
        conn.execute(
            select(t.walk_ins.c.attendee_id, t.walk_ins.c.id_number).where(
                t.walk_ins.c.project == number
            )
        ).all()
    )
    out.update(
        conn.execute(
            select(t.attendees.c.ref, t.attendees.c.id_number).where(
                t.attendees.c.project == number
            )
        ).all()
    )
    return {str(ref): str(n) for ref, n in out.items()}


def record_grants(
    conn: Connection,
    project: Project,
    report: p.ExecutionReport,
    *,
    submission_id: int,
    at: datetime,
) -> int:
    """Replace the project's grants with the accepted report's (in the submission's transaction).

    Lines with no credits, or whose attendee has no known identity, add nothing; the count of
    grants kept is returned.
    """
    profile = _profile(project)
    year = project_credit_year(project, profile)
    day = activity_day(project, profile).isoformat()
    refs = people(conn, project.number)
    conn.execute(delete(t.ledger_grants).where(t.ledger_grants.c.project == project.number))
    rows = []
    for line in report.lines:
        number = refs.get(line.attendee_id)
        if number is None or line.credits <= 0:
            continue
        rows.append(
            {
                "project": project.number, "id_number": number, "attendee_id": line.attendee_id,
                "kind": project.form.value, "credit_year": year, "activity_date": day,
                "credits": str(line.credits), "submission_id": submission_id, "received_at": at,
            }
        )  # fmt: skip
    if rows:
        conn.execute(insert(t.ledger_grants), rows)
    return len(rows)


def _grants(conn: Connection, numbers: Iterable[str], year: int, *, besides: str) -> list[Grant]:
    """Every other project's grant of these people in the credit year, oldest activity first."""
    g = t.ledger_grants.c
    wanted = sorted(set(numbers))
    out: list[Grant] = []
    for i in range(0, len(wanted), 500):  # IN lists of bounded size on every backend
        rows = conn.execute(
            select(g.id_number, g.credit_year, g.kind, g.credits, g.activity_date, g.submission_id)
            .where(g.id_number.in_(wanted[i : i + 500]), g.credit_year == year,
                   g.project != besides)
        ).all()  # fmt: skip
        out.extend(
            Grant(str(n), int(y), str(k), Decimal(c), date.fromisoformat(d), int(sid))
            for n, y, k, c, d, sid in rows
        )
    return out


def standing(platform: Platform, device: Device, number: str) -> p.LedgerStanding:
    """Per attendee of the organizer's project: credits left under the cap before it, and the cut.

    Caps follow activity dates (the core's `standings`): on the same date, other projects'
    grants count first. The answer names no other project.
    """
    if device.role != "organizer":
        raise PlatformError(403, "not_organizer", "only an organizer device sees the ledger")
    if device.project != number:
        raise PlatformError(
            403, "not_enrolled_for_project", f"this device is not enrolled for project {number}"
        )
    with platform.db.read() as conn:
        project = platform.project(number, conn)
        profile = _profile(project)
        year = project_credit_year(project, profile)
        refs = people(conn, number)
        numbers = set(refs.values())
        g = t.ledger_grants.c
        own = {
            str(n): Decimal(c)
            for n, c in conn.execute(
                select(g.id_number, g.credits).where(g.project == number)
            ).all()
        }
        exempt = frozenset(
            str(n)
            for n in conn.execute(
                select(t.cap_exemptions.c.id_number).where(
                    t.cap_exemptions.c.id_number.in_(sorted(numbers))
                )
            ).scalars()
        )
        others = _grants(conn, numbers, year, besides=number)
    years = standings(project, profile, others, people=numbers, exempt=exempt)
    lines = []
    for ref, id_number in sorted(refs.items()):
        y = years[id_number]
        granted = own.get(id_number)
        cut = Decimal(0) if granted is None else granted - y.counted(granted)
        lines.append(
            p.LedgerLine(
                attendee_id=ref, left_before=y.left_before, exempt=y.exempt, granted=granted,
                cut=cut,
            )
        )  # fmt: skip
    rules = profile.forms.get(ProjectForm(project.form))
    cap, _ = yearly_cap(profile, project.form.value, exempt=False)
    return p.LedgerStanding(
        project=number, profile=profile.name, credit_year=year, kind=project.form.value, cap=cap,
        cap_source=rules.yearly_max_credits.source if rules.yearly_max_credits else "",
        lines=lines,
    )  # fmt: skip


def set_exempt(platform: Platform, numbers: Iterable[str], *, reason: str, actor: str) -> int:
    """Mark people as covered by the profiles' yearly-cap exemption (primary-care staff)."""
    if not reason.strip():
        raise PlatformError(422, "reason_required", "say why these people are exempt")
    now = platform.now()
    wanted = sorted(set(numbers))
    with platform.db.write() as conn:
        # ON CONFLICT DO NOTHING: two administrators (or workers) exempting the same person at
        # once both succeed, and the first reason is kept.
        new = insert_new(
            conn, t.cap_exemptions,
            [{"id_number": n, "reason": reason.strip(), "set_at": now} for n in wanted],
            returning=t.cap_exemptions.c.id_number,
        )  # fmt: skip
        platform.audit(
            conn, actor=actor, action="cap_exempt", project=None, subject=f"{len(new)} people",
            detail=reason.strip(),
        )  # fmt: skip
    return len(new)
