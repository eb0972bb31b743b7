"""Every rule of issue 7 as a worked example: records in, hours, credits, flags and the why out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from kiosk.core.credits import (
    Assessment,
    AttendanceRecord,
    CreditFlag,
    Person,
    compute_attendee,
)
from kiosk.core.credits.amounts import show
from kiosk.core.model import Method, Project, ProjectForm, ProjectLevel, Role, Session
from kiosk.core.rules import Profile, load_profile
from tests.support.credits import (
    ALICE,
    D1,
    D2,
    IN,
    OUT,
    SPEAKER,
    at,
    idn,
    people,
    project,
    rec,
    stay,
    variant,
)

IM = "inner-mongolia-2025-draft"
CQ = "chongqing-2017"
F = CreditFlag
PENDING = {F.ASSESSMENT_PENDING}
ONE_SESSION = (Session("am", at(D1, 8, 30), at(D1, 12), "上午"),)
PRACTICE_15 = (Session("demo", at(D1, 9), at(D1, 10, 30), "手术示范", speakers=(SPEAKER,)),)
PASS = {ALICE: Assessment(ALICE, True), SPEAKER: Assessment(SPEAKER, True)}


@dataclass
class Case:
    name: str
    records: list[AttendanceRecord]
    hours: str
    credits: str
    flags: set[CreditFlag]
    why: list[str] = field(default_factory=list)  # substrings of the explanation
    who: str = ALICE
    proj: Project = field(default_factory=project)
    profile: str | Profile = IM
    assessments: dict[str, Assessment] | None = None
    prior: str = "0"
    exempt: bool = False
    capped: bool = False
    person: Person | None = None


CASES = [
    Case("a 6.5 h day", stay(ALICE, D1, (8, 30), (12, 0)) + stay(ALICE, D1, (14, 0), (17, 0)),
         "6.5", "2.1", PENDING,
         ["6.5 h attended of 6.5 h scheduled → 2.1 credits", "6.5 h ÷ 3 h × 1 = 2.1666… → 2.1",
          "第十条（一）", "rounded down to 0.1"]),
    Case("a 6.5 h day, rounding half up", stay(ALICE, D1, (8, 30), (12, 0))
         + stay(ALICE, D1, (14, 0), (17, 0)), "6.5", "2.2", PENDING, ["→ 2.2"],
         profile=variant(IM, rounding={"credit_mode": "half_up"})),
    Case("a 6.5 h day in one stay: the lunch break does not count",
         stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "2.1", PENDING,
         ["stay 08:30–17:00", "120 min outside the sessions"]),
    Case("the issue's sentence", stay(ALICE, D1, (9, 0), (12, 0)), "3.0", "1.0", set(),
         ["3.0 h attended of 3.5 h scheduled → 1.0 credit"],
         proj=project(sessions=ONE_SESSION), assessments=PASS),
    Case("a check-in before the first session counts from its start",
         stay(ALICE, D1, (8, 5), (12, 0)), "3.5", "1.1", PENDING,
         ["25 min outside the sessions (registration, breaks) not counted"]),
    Case("check-in during the break counts from the afternoon session",
         stay(ALICE, D1, (12, 30), (17, 0)), "3.0", "1.0", PENDING),
    Case("several stays add up", stay(ALICE, D1, (8, 30), (10, 0))
         + stay(ALICE, D1, (10, 30), (12, 0)) + stay(ALICE, D1, (14, 0), (15, 0)),
         "4.0", "1.3", PENDING),
    Case("a speaker: 2 credits an hour taught, participant rate for the rest",
         stay(SPEAKER, D1, (8, 25), (17, 5)), "6.5", "8.0", PENDING,
         ["speaker (24-am): 3.5 h ÷ 1 h × 2 = 7.0 → 7.0", "participant: 3.0 h ÷ 3 h × 1 = 1.0"],
         who=SPEAKER),
    Case("a speaker's credits do not wait for the assessment", stay(SPEAKER, D1, (8, 25), (12, 0)),
         "3.5", "7.0", set(), who=SPEAKER),
    Case("a speaker who failed the assessment keeps the speaker credits",
         stay(SPEAKER, D1, (8, 25), (17, 0)), "6.5", "7.0", {F.ASSESSMENT_FAILED},
         ["assessment failed: participant credits 1.0 → 0"], who=SPEAKER,
         assessments={SPEAKER: Assessment(SPEAKER, False)}),
    Case("a speaker on two days hits the 10-credit project cap",
         stay(SPEAKER, D1, (8, 30), (17, 0)) + stay(SPEAKER, D2, (8, 30), (17, 0)),
         "13.0", "10.0", PENDING | {F.PROJECT_CAP}, ["16.0 capped at 10.0 per project (第十条（一）)"],
         who=SPEAKER, proj=project(days=(D1, D2)), capped=True),
    Case("a remote project hits its 3-credit cap",
         stay(ALICE, D1, (8, 30), (17, 0)) + stay(ALICE, D2, (8, 30), (17, 0)),
         "13.0", "3.0", {F.PROJECT_CAP}, ["4.3 capped at 3.0 per project"],
         proj=project(form=ProjectForm.REMOTE, days=(D1, D2)), assessments=PASS, capped=True),
    Case("a remote project within the yearly remote cap (第四条: 10 a year)",
         stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "1.0", {F.YEARLY_CAP},
         ["2.1 capped at 1.0: 9.0 of the 10.0 a year already earned (第四条)"],
         proj=project(form=ProjectForm.REMOTE), assessments=PASS, prior="9.0", capped=True),
    Case("the yearly remote cap does not bind primary-care staff (exempt)",
         stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "2.1", set(),
         proj=project(form=ProjectForm.REMOTE), assessments=PASS, prior="9.0", exempt=True),
    Case("a practice activity with a 1.5 h session: 0.2 for a participant",
         stay(ALICE, D1, (8, 55), (10, 40)), "1.5", "0.2", set(),
         ["shorter than 6 h but at least 1 h → 0.2 for the occasion (第十条（五）)"],
         proj=project(form=ProjectForm.PRACTICE_ACTIVITY, sessions=PRACTICE_15)),
    Case("a practice activity with a 1.5 h session: 0.5 for its speaker",
         stay(SPEAKER, D1, (8, 55), (10, 40)), "1.5", "0.5", set(), ["→ 0.5 for the occasion"],
         who=SPEAKER, proj=project(form=ProjectForm.PRACTICE_ACTIVITY, sessions=PRACTICE_15)),
    Case("a practice activity attended less than an hour earns nothing",
         stay(ALICE, D1, (9, 40), (10, 30)), "0.83", "0.0", set(), ["less than one block"],
         proj=project(form=ProjectForm.PRACTICE_ACTIVITY, sessions=PRACTICE_15)),
    Case("a 6.5 h practice activity: one whole 6 h block, the rest does not count",
         stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "1.0", set(), ["1 whole block(s) of 6 h"],
         proj=project(form=ProjectForm.PRACTICE_ACTIVITY, speakers=())),
    Case("practice activities stop at 15 a year", stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "0.1",
         {F.YEARLY_CAP}, ["1.0 capped at 0.1: 14.9 of the 15.0 a year"],
         proj=project(form=ProjectForm.PRACTICE_ACTIVITY, speakers=()), prior="14.9",
         capped=True),
    Case("a missing check-out is never credited (Inner Mongolia: policy none)",
         [rec(ALICE, IN, at(D1, 8, 30))], "0.0", "0.0", {F.MISSING_CHECKOUT},
         ["has no check-out: not credited until the organizer records one"]),
    Case("a missing check-out: the session's end, to be confirmed (Chongqing)",
         [rec(ALICE, IN, at(D1, 8, 30), method=Method.QR)], "3.5", "1.1",
         PENDING | {F.CHECKOUT_ASSUMED}, ["the end of session 24-am (12:00) is assumed"],
         profile=CQ, proj=project(profile=CQ)),
    Case("a second check-in after a session ended leaves the first one open",
         [rec(ALICE, IN, at(D1, 8, 30)), *stay(ALICE, D1, (14, 0), (17, 0))], "3.0", "1.0",
         PENDING | {F.MISSING_CHECKOUT}),
    Case("a check-out with no check-in", [rec(ALICE, OUT, at(D1, 17))], "0.0", "0.0",
         {F.OUT_WITHOUT_IN}, ["has no check-in: not credited"]),
    Case("a failed assessment", stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "0.0",
         {F.ASSESSMENT_FAILED}, ["assessment failed: participant credits 2.1 → 0 (第十条（一）)"],
         assessments={ALICE: Assessment(ALICE, False, Decimal(52), Decimal(60))}),
    Case("no result in an imported assessment file", stay(ALICE, D1, (8, 30), (17, 0)), "6.5",
         "0.0", {F.ASSESSMENT_MISSING}, ["no assessment result"], assessments={}),
    Case("a passed assessment", stay(ALICE, D1, (8, 30), (17, 0)), "6.5", "2.1", set(),
         assessments=PASS),
    Case("two desks' conflicting records merge: hours never counted twice",
         [rec(ALICE, IN, at(D1, 8, 29), desk="A"), rec(ALICE, IN, at(D1, 8, 31), desk="B"),
          rec(ALICE, OUT, at(D1, 11, 58), desk="B"), rec(ALICE, OUT, at(D1, 12, 1), desk="A")],
         "3.5", "1.1", PENDING | {F.CONFLICT},
         ["check-in 08:31 at desk B merged into 08:29 at desk A",
          "check-out 11:58 at desk B merged into 12:01 at desk A"]),
    Case("overlapping stays from two desks count once",
         stay(ALICE, D1, (8, 30), (12, 0), desk="A") + stay(ALICE, D1, (9, 0), (10, 0), desk="B"),
         "3.5", "1.1", PENDING | {F.CONFLICT}),
    Case("the same record delivered twice is one record",
         [rec(ALICE, IN, at(D1, 8, 30), record_id="u1"), rec(ALICE, IN, at(D1, 8, 30),
          record_id="u1"), rec(ALICE, OUT, at(D1, 12), record_id="u2")], "3.5", "1.1", PENDING),
    Case("present only in the break", stay(ALICE, D1, (12, 10), (13, 50)), "0.0", "0.0",
         {F.NO_SESSION_TIME}, ["present only outside the scheduled sessions"]),
    Case("records on a day outside the project are ignored",
         stay(ALICE, D2, (8, 30), (12, 0)), "0.0", "0.0", {F.OUTSIDE_PROJECT_DAYS},
         ["records on 2026-11-25 are outside the project's days"]),
    Case("ID-card attendance at a provincial project (第十六条: QR or face)",
         stay(ALICE, D1, (8, 30), (12, 0), method=Method.ID_CARD), "3.5", "1.1",
         PENDING | {F.METHOD_NOT_ACCEPTED}, ["attendance by id_card is not an accepted method"]),
    Case("ID-card attendance at a unit-level project is fine",
         stay(ALICE, D1, (8, 30), (12, 0), method=Method.ID_CARD), "3.5", "1.1", PENDING,
         proj=project(level=ProjectLevel.UNIT)),
    Case("face attendance in Chongqing ((十六): ID card and QR)",
         stay(ALICE, D1, (8, 30), (12, 0), method=Method.FACE), "3.5", "1.1",
         PENDING | {F.METHOD_NOT_ACCEPTED}, ["（十六）"], profile=CQ, proj=project(profile=CQ)),
    Case("a declared speaker missing from the schedule is credited as a participant",
         stay(ALICE, D1, (8, 30), (12, 0)), "3.5", "1.1", PENDING | {F.SPEAKER_NOT_SCHEDULED},
         ["declared a speaker but not in the project's schedule"],
         person=Person(ALICE, "张伟", role=Role.SPEAKER)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_worked_example(case: Case) -> None:
    profile = case.profile if isinstance(case.profile, Profile) else load_profile(case.profile)
    person = case.person or people(case.who)[case.who]
    result = compute_attendee(
        case.proj,
        profile,
        person,
        case.records,
        assessments=case.assessments,
        prior_year_credits=Decimal(case.prior),
        yearly_cap_exempt=case.exempt,
    )
    assert (result.hours, result.credits) == (Decimal(case.hours), Decimal(case.credits))
    assert set(result.flags) == case.flags
    assert result.capped is case.capped
    text = "; ".join(result.explanation)
    for part in case.why:
        assert part in text, text
    # The first line always states attended, scheduled and the credit: "x h attended of y h …".
    head = f"{show(result.hours)} h attended of {show(result.scheduled_hours)} h scheduled → "
    assert result.explanation[0].startswith(head + show(result.credits)), result.explanation[0]


def test_a_speaker_is_reported_as_a_speaker_with_the_sessions_taught() -> None:
    r = compute_attendee(
        project(), load_profile(IM), people(SPEAKER)[SPEAKER], stay(SPEAKER, D1, (8, 25), (17, 5))
    )
    assert r.role is Role.SPEAKER
    assert [(line.piece.session.id, line.speaking) for line in r.lines] == [
        ("24-am", True),
        ("24-pm", False),
    ]
    assert (r.speaker_hours, r.participant_hours) == (Decimal("3.5"), Decimal("3.0"))


def test_speaker_numbers_in_the_schedule_match_whatever_their_case_and_spacing() -> None:
    x_speaker = idn(7)  # its check character is X; schedules often carry a lower-case x
    schedule = (Session("am", at(D1, 8, 30), at(D1, 12), speakers=(f" {x_speaker.lower()} ",)),)
    r = compute_attendee(
        project(sessions=schedule, speakers=()),
        load_profile(IM),
        Person(x_speaker, "赵敏"),
        stay(x_speaker, D1, (8, 30), (12, 0)),
    )
    assert x_speaker.endswith("X")
    assert (r.role, r.speaker_hours, r.credits) == (Role.SPEAKER, Decimal("3.5"), Decimal("7.0"))


def test_assumed_check_out_needs_confirmation_and_shows_no_out_time() -> None:
    r = compute_attendee(
        project(profile=CQ),
        load_profile(CQ),
        people(ALICE)[ALICE],
        [rec(ALICE, IN, at(D1, 8, 30), method=Method.QR)],
    )
    assert r.needs_confirmation
    assert r.to_json()["sessions"] == [
        {"session": "24-am", "in": "2026-11-24T08:30:00+08:00", "out": None, "hours": 3.5}
    ]


@pytest.mark.parametrize(
    ("profile", "hours", "basis"),
    [
        # 6.0 h is two whole 3 h blocks: every figure used is cited.
        (IM, ((8, 30), (12, 0), (14, 0), (16, 30)), ()),
        # 6.5 h is not: how a part of a block counts is not in the draft.
        (IM, ((8, 30), (12, 0), (14, 0), (17, 0)), ("forms.face_to_face.partial_blocks",)),
        # Nothing national is cited: the rate itself is provisional.
        (
            "national-2024",
            ((8, 30), (12, 0), (14, 0), (16, 30)),
            ("forms.face_to_face.assessment_required", "forms.face_to_face.participant"),
        ),
    ],
    ids=["im-whole-blocks", "im-part-of-a-block", "national"],
)
def test_credits_resting_on_a_provisional_figure_are_labelled(
    profile: str, hours: tuple[tuple[int, int], ...], basis: tuple[str, ...]
) -> None:
    am_in, am_out, pm_in, pm_out = hours
    records = stay(ALICE, D1, am_in, am_out) + stay(ALICE, D1, pm_in, pm_out)
    r = compute_attendee(
        project(profile=profile), load_profile(profile), people(ALICE)[ALICE], records
    )
    assert r.provisional_basis == basis and r.credits_provisional is bool(basis)
    assert r.to_json()["provisional_figures"] == list(basis)
