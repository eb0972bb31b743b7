"""Hours → credits per profile: rates, partial blocks, assessment, caps; every figure explained."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import cast

from kiosk.core.credits.amounts import RoundingMode, as_json_number, quantize, show, show_exact
from kiosk.core.credits.assessment import Assessment
from kiosk.core.credits.calendar import project_credit_year
from kiosk.core.credits.hours import Piece, clip
from kiosk.core.credits.pairing import pair_attendee
from kiosk.core.credits.records import DESK_FLAGS, AttendanceRecord, CreditFlag, Person
from kiosk.core.credits.schedule import Schedule
from kiosk.core.ids import normalise
from kiosk.core.model import Project, Role
from kiosk.core.rules.schema import FormRules, Profile, Rate, Sourced
from kiosk.core.timeutil import SHANGHAI, format_local


@dataclass(frozen=True, slots=True)
class SessionLine:
    """One piece of attendance inside a session, with its rounded hours."""

    piece: Piece
    hours: Decimal
    speaking: bool  # this person teaches this session: speaker rate


@dataclass(frozen=True, slots=True)
class AttendeeCredits:
    """Everything the engine decided for one attendee of one project, and why."""

    person: Person
    role: Role
    lines: tuple[SessionLine, ...]
    hours: Decimal
    participant_hours: Decimal
    speaker_hours: Decimal
    scheduled_hours: Decimal
    credits: Decimal
    uncapped_credits: Decimal
    capped: bool
    flags: frozenset[CreditFlag]
    explanation: tuple[str, ...]
    assessment: Assessment | None
    credit_year: int
    # Dotted paths of the provisional figures (no text the project has says them) these credits
    # rest on: when any, the credits are computed but labelled 暂定.
    provisional_basis: tuple[str, ...] = ()
    yearly_cut: Decimal = Decimal(0)  # credits the yearly cap took from this project
    arrivals: tuple[datetime, ...] = ()  # each stay's check-in, after merging repeats

    @property
    def credits_provisional(self) -> bool:
        """The credits rest on a figure no text the project has says (shown as 暂定)."""
        return bool(self.provisional_basis)

    @property
    def needs_confirmation(self) -> bool:
        """Credits rest on an assumed check-out or results not yet imported."""
        return bool(self.flags & {CreditFlag.CHECKOUT_ASSUMED, CreditFlag.ASSESSMENT_PENDING})

    def to_json(self) -> dict[str, object]:
        """The `cme-kiosk credits` line: fixed keys, times with their +08:00 offset."""
        return {
            "id_number": self.person.id_number,
            "name": self.person.name,
            "role": self.role.value,
            "sessions": [
                {
                    "session": line.piece.session.id,
                    "in": line.piece.scan_in.astimezone(SHANGHAI).isoformat(),
                    "out": line.piece.scan_out.astimezone(SHANGHAI).isoformat()
                    if line.piece.scan_out is not None
                    else None,
                    "hours": as_json_number(line.hours),
                }
                for line in self.lines
            ],
            "hours": as_json_number(self.hours),
            "credits": as_json_number(self.credits),
            "capped": self.capped,
            "flags": sorted(f.value for f in self.flags),
            "explanation": "; ".join(self.explanation),
            # Added by issue 16, after the fixed keys: the credit year and 暂定.
            "credit_year": self.credit_year,
            "credits_provisional": self.credits_provisional,
            "provisional_figures": list(self.provisional_basis),
        }


def _hours(minutes: int, profile: Profile) -> Decimal:
    r = profile.rounding
    return _minutes_as_hours(minutes, r.hours_step, r.hours_mode)


@lru_cache(maxsize=4096)
def _minutes_as_hours(minutes: int, step: Decimal, mode: RoundingMode) -> Decimal:
    # Pure and called for every session line: a project's few distinct lengths are cached.
    return quantize(Fraction(minutes, 60), step, mode)


def _rate_credits(
    hours: Decimal,
    rate: Rate,
    rules: FormRules,
    *,
    short: Decimal | None,
    profile: Profile,
    relied: list[Sourced],
) -> tuple[Decimal, str]:
    """Credits for `hours` at `rate`, and the sentence that shows the arithmetic."""
    r = profile.rounding
    per = f"{show(rate.credits, places=0)} per {show(rate.per_hours, places=0)} h, {rate.source}"
    blocks = Fraction(hours) / Fraction(rate.per_hours)
    relied.append(rate)
    if blocks.denominator != 1:
        relied.append(rules.partial_blocks)  # a part of a block: how it counts matters
    if rules.partial_blocks.value == "proportional":
        exact = blocks * Fraction(rate.credits)
        got = quantize(exact, r.credit_step, r.credit_mode)
        how = "down" if r.credit_mode == "down" else "half up"
        return got, (
            f"{show(hours)} h ÷ {show(rate.per_hours, places=0)} h × {show(rate.credits, places=0)}"
            f" = {show_exact(exact)} → {show(got)} ({per}; rounded {how} to {r.credit_step})"
        )
    whole = math.floor(blocks)
    if whole >= 1:
        got = quantize(whole * Fraction(rate.credits), r.credit_step, r.credit_mode)
        return got, (
            f"{whole} whole block(s) of {show(rate.per_hours, places=0)} h in {show(hours)} h"
            f" → {show(got)} ({per}; the rest of a block does not count,"
            f" {rules.partial_blocks.source})"
        )
    rule = rules.short_session
    if short is not None and rule is not None and hours >= rule.min_hours:
        relied.append(rule)
        got = quantize(Fraction(short), r.credit_step, r.credit_mode)
        return got, (
            f"{show(hours)} h is shorter than {show(rate.per_hours, places=0)} h but at least"
            f" {show(rule.min_hours, places=0)} h → {show(got)} for the occasion ({rule.source})"
        )
    return Decimal(0).quantize(r.credit_step), (
        f"{show(hours)} h is less than one block of {show(rate.per_hours, places=0)} h"
        f" → 0.0 ({per})"
    )


def _rate_credits_memo(
    hours: Decimal,
    rate: Rate,
    rules: FormRules,
    *,
    short: Decimal | None,
    profile: Profile,
    relied: list[Sourced],
    plan: Schedule,
) -> tuple[Decimal, str]:
    """`_rate_credits`, computed once per run for each (hours, rate): thousands share a few."""
    key = ("rate", hours, id(rate), id(rules), short, id(profile))
    hit = cast("tuple[Decimal, str, tuple[Sourced, ...]] | None", plan.memo.get(key))
    if hit is None:
        used: list[Sourced] = []
        got, text = _rate_credits(hours, rate, rules, short=short, profile=profile, relied=used)
        hit = (got, text, tuple(used))
        plan.memo[key] = hit
    relied.extend(hit[2])
    return hit[0], hit[1]


def _speaking(person: Person, plan: Schedule) -> tuple[frozenset[str], bool, str | None]:
    """Sessions the person teaches, whether they are a speaker, and a note when unscheduled."""
    me = normalise(person.id_number)
    own = plan.taught.get(me, frozenset())
    listed = me in plan.listed
    if own:
        return own, True, None
    if listed:
        return (
            own,
            True,
            (
                "listed as a project speaker but no session names them: credited as a participant"
                " until the schedule says which sessions they teach"
            ),
        )
    if person.role is Role.SPEAKER:
        return (
            own,
            True,
            ("declared a speaker but not in the project's schedule: credited as a participant"),
        )
    return own, False, None


@dataclass(slots=True)
class _Why:
    """Flags, explanation lines and the figures relied on, gathered for one attendee."""

    flags: set[CreditFlag]
    notes: list[str]
    relied: list[Sourced] = field(default_factory=list)

    def add(self, flag: CreditFlag, note: str | None = None) -> None:
        self.flags.add(flag)
        if note:
            self.notes.append(note)


def _assess(
    rules: FormRules,
    assessments: Mapping[str, Assessment] | None,
    result: Assessment | None,
    credits: Decimal,
    why: _Why,
) -> Decimal:
    """Participant credits after the assessment rule (speaker credits never depend on it)."""
    why.relied.append(rules.assessment_required)
    if not rules.assessment_required.value:
        return credits
    src = rules.assessment_required.source
    if assessments is None:
        why.add(
            CreditFlag.ASSESSMENT_PENDING,
            f"assessment not imported yet: the credits stand only if passed ({src})",
        )
        return credits
    if result is None:
        why.add(
            CreditFlag.ASSESSMENT_MISSING,
            f"no assessment result: participant credits {show(credits)} → 0 ({src})",
        )
        return Decimal(0).quantize(credits)
    if not result.passed:
        why.add(
            CreditFlag.ASSESSMENT_FAILED,
            f"assessment failed: participant credits {show(credits)} → 0 ({src})",
        )
        return Decimal(0).quantize(credits)
    return credits


def _caps(
    rules: FormRules, credits: Decimal, *, prior: Decimal, exempt: bool, why: _Why
) -> tuple[Decimal, Decimal]:
    """Apply the per-project cap, then the yearly cap; the credits and what the year cap took."""
    cap = rules.project_max_credits
    if cap is not None and credits > cap.value:
        why.relied.append(cap)
        why.add(
            CreditFlag.PROJECT_CAP,
            f"{show(credits)} capped at {show(cap.value)} per project ({cap.source})",
        )
        credits = cap.value.quantize(credits)
    yearly = rules.yearly_max_credits
    if yearly is None:
        return credits, Decimal(0)
    room = max(Decimal(0), yearly.value - prior)
    if credits <= room:
        return credits, Decimal(0)
    excused = rules.yearly_cap_exempt
    if exempt and excused is not None:
        why.notes.append(
            f"not capped at {show(room)} a year: {excused.value} are exempt ({excused.source})"
        )
        return credits, Decimal(0)
    why.relied.append(yearly)
    why.add(
        CreditFlag.YEARLY_CAP,
        f"{show(credits)} capped at {show(room)}: {show(prior)} of the"
        f" {show(yearly.value)} a year already earned ({yearly.source})",
    )
    capped = room.quantize(credits)
    return capped, credits - capped


def _review_flags(
    project: Project,
    profile: Profile,
    person: Person,
    records: Sequence[AttendanceRecord],
    why: _Why,
) -> None:
    """Flags that change no figure but need the organizer: desk flags, methods, walk-ins."""
    desk = {DESK_FLAGS[f] for r in records for f in r.flags if f in DESK_FLAGS}
    why.flags |= desk - {CreditFlag.OUT_WITHOUT_IN}  # recomputed from the pairs instead
    if person.corrected or any(r.corrected for r in records):
        why.add(
            CreditFlag.CORRECTED,
            "corrected by the organizer (manual): see the correction log for who, when and why",
        )
    if person.provisional:
        why.add(CreditFlag.PROVISIONAL)
    if person.document_expired:
        why.add(CreditFlag.EXPIRED_DOCUMENT)
    accepted = profile.attendance.accepted(project.level)
    # A record the organizer added is the fix, not a desk's attendance method: it is marked
    # CORRECTED above, never METHOD_NOT_ACCEPTED.
    used = {r.method.value for r in records if not r.corrected}
    refused = sorted(used - {m.value for m in accepted.value})
    if refused:
        why.add(
            CreditFlag.METHOD_NOT_ACCEPTED,
            f"attendance by {', '.join(refused)} is not an accepted method for"
            f" {project.level.value} projects ({accepted.source}): for the organizer to review",
        )


def compute_attendee(
    project: Project,
    profile: Profile,
    person: Person,
    records: Sequence[AttendanceRecord],
    *,
    assessments: Mapping[str, Assessment] | None = None,
    prior_year_credits: Decimal = Decimal(0),
    yearly_cap_exempt: bool = False,
    schedule: Schedule | None = None,
) -> AttendeeCredits:
    """Credits of one attendee from their records; see `compute_project_credits`.

    `schedule` is the project's, when the caller computes many attendees (built otherwise).
    """
    plan = schedule if schedule is not None else Schedule.of(project)
    rules = profile.forms.get(project.form)
    why = _Why(set(), [])
    pairing = pair_attendee(records, project, schedule=plan)
    if pairing.outside_days:
        days = sorted({format_local(r.at, "%Y-%m-%d") for r in pairing.outside_days})
        why.add(
            CreditFlag.OUTSIDE_PROJECT_DAYS,
            f"records on {', '.join(days)} are outside the project's days: ignored",
        )
    missing = profile.attendance.missing_checkout.value
    clipped = clip(pairing.pairs, project.sessions, missing_checkout=missing, by_day=plan.by_day)
    why.flags |= clipped.flags
    why.notes.extend(clipped.notes)
    own, is_speaker, speaker_note = _speaking(person, plan)
    if speaker_note:
        why.add(CreditFlag.SPEAKER_NOT_SCHEDULED, speaker_note)
    lines = tuple(
        SessionLine(p, _hours(p.minutes, profile), p.session.id in own) for p in clipped.pieces
    )
    speaker_min = sum(line.piece.minutes for line in lines if line.speaking)
    participant_min = sum(line.piece.minutes for line in lines if not line.speaking)
    hours = _hours(speaker_min + participant_min, profile)
    scheduled = _hours(plan.scheduled_minutes, profile)
    p_hours, s_hours = _hours(participant_min, profile), _hours(speaker_min, profile)
    short = rules.short_session
    p_credits, p_why = _rate_credits_memo(
        p_hours,
        rules.participant,
        rules,
        short=short.participant if short else None,
        profile=profile,
        relied=why.relied if participant_min else [],
        plan=plan,
    )
    s_credits, s_why = _rate_credits_memo(
        s_hours,
        rules.speaker,
        rules,
        short=short.speaker if short else None,
        profile=profile,
        relied=why.relied if speaker_min else [],
        plan=plan,
    )
    if participant_min:
        why.notes.append(f"participant: {p_why}")
    if speaker_min:
        why.notes.append(f"speaker ({', '.join(sorted(own))}): {s_why}")
    result = assessments.get(person.id_number) if assessments is not None else None
    if participant_min:
        p_credits = _assess(rules, assessments, result, p_credits, why)
    uncapped = p_credits + s_credits
    credits, cut = _caps(
        rules, uncapped, prior=prior_year_credits, exempt=yearly_cap_exempt, why=why
    )
    _review_flags(project, profile, person, records, why)
    noun = "credit" if credits == 1 else "credits"
    summary = f"{show(hours)} h attended of {show(scheduled)} h scheduled → {show(credits)} {noun}"
    return AttendeeCredits(
        person=person,
        role=Role.SPEAKER if is_speaker else person.role,
        lines=lines,
        hours=hours,
        participant_hours=p_hours,
        speaker_hours=s_hours,
        scheduled_hours=scheduled,
        credits=credits,
        uncapped_credits=uncapped,
        capped=credits < uncapped,
        flags=frozenset(why.flags),
        explanation=(summary, *why.notes),
        assessment=result,
        credit_year=project_credit_year(project, profile),
        provisional_basis=_basis(profile, why.relied, plan),
        yearly_cut=cut,
        arrivals=tuple(p.check_in.at for p in pairing.pairs if p.check_in is not None),
    )


def _basis(profile: Profile, relied: Sequence[Sourced], plan: Schedule) -> tuple[str, ...]:
    """The dotted paths of the provisional figures among those relied on."""
    nodes = [node for node in relied if node.provisional]
    if not nodes:
        return ()
    key = ("basis", id(profile), *sorted(id(node) for node in nodes))
    hit = cast("tuple[str, ...] | None", plan.memo.get(key))
    if hit is None:
        hit = tuple(sorted({profile.path_of(node) for node in nodes}))
        plan.memo[key] = hit
    return hit


def compute_project_credits(
    project: Project,
    profile: Profile,
    records: Sequence[AttendanceRecord],
    *,
    people: Mapping[str, Person] | None = None,
    assessments: Mapping[str, Assessment] | None = None,
    prior_year_credits: Mapping[str, Decimal] | None = None,
    yearly_cap_exempt: frozenset[str] = frozenset(),
) -> list[AttendeeCredits]:
    """Credits of everyone with records, by ID number.

    `assessments` None means results are not imported yet (credits flagged pending); a mapping
    means imported, and a person missing from it gets no participant credits. `prior_year_credits`
    are credits of the same form already earned in the same credit year (for yearly caps).
    """
    by_person: dict[str, list[AttendanceRecord]] = {}
    for r in records:
        by_person.setdefault(r.id_number, []).append(r)
    known = people or {}
    prior = prior_year_credits or {}
    plan = Schedule.of(project)
    return [
        compute_attendee(
            project,
            profile,
            known.get(number, Person(number)),
            by_person[number],
            assessments=assessments,
            prior_year_credits=prior.get(number, Decimal(0)),
            yearly_cap_exempt=number in yearly_cap_exempt,
            schedule=plan,
        )
        for number in sorted(by_person)
    ]
