"""Staff at the demo desk, signed in by name: what the staff-mode screens do, through DeskService.

The member is added on the platform with the real `cme-kiosk server staff add` command; the
desk learns them at its next pull and opens staff mode with their own PIN. Every action below is
the one the staff screens call (manual check-in, the walk-in form, undo, dispute), so each
record carries the member's id and reason in its signed fields.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from typing import TypeVar

from kiosk.core.ids import mod11_2_check
from kiosk.core.model import Direction
from kiosk.demo.scenario import Step, tap
from kiosk.demo.stage import Stage
from kiosk.services.screen import ScreenEvent, StaffState
from kiosk.services.staff_records import WalkInForm

STAFF_NAME = "周敏"
STAFF_PIN = "602417"  # the demo's own; a real member chooses theirs at the prompt
# Someone with a valid resident ID who is not on the roster: registered with the walk-in form.
WALK_IN_NAME = "孙丽"
WALK_IN_NUMBER = "15020219930808006" + mod11_2_check("15020219930808006")
_TYPO = WALK_IN_NUMBER[:-1] + ("0" if WALK_IN_NUMBER[-1] != "0" else "1")
_LEARN_S = 20.0
T = TypeVar("T")


def _done(future: Future[T], what: str, *, timeout: float = 20.0) -> T:
    try:
        return future.result(timeout)
    except TimeoutError:
        raise RuntimeError(f"the desk did not answer {what} in time") from None


def add_member(stage: Stage) -> str:
    """`cme-kiosk server staff add` on the platform's database; its one line of output."""
    db = f"sqlite:///{(stage.root / 'platform' / 'server.sqlite3').resolve()}"
    number = stage.venue.project.number
    out = subprocess.run(  # noqa: S603 - our own command, arguments from the demo
        [sys.executable, "-m", "kiosk", "server", "staff", "add", number, "--db", db,
         "--name", STAFF_NAME, "--role", "lead", "--pin-stdin"],
        input=STAFF_PIN + "\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"server staff add failed: {out.stderr.strip()[-500:]}")
    return out.stdout.strip()


def _open_staff_mode(stage: Stage) -> StaffState:
    """Staff mode opened with the member's own PIN (as the PIN dialog does)."""
    service = stage.service
    states: list[StaffState] = []

    def seen(event: ScreenEvent) -> None:
        if isinstance(event, StaffState):
            states.append(event)

    listening = service.subscribe(seen)
    try:
        _done(service.sign_in(STAFF_PIN), "the sign-in")
        _done(service.settled(), "the sign-in")
    finally:
        listening.close()
    who = next((s for s in states if s.signed_in), None)
    if who is None:
        raise RuntimeError("staff sign-in was refused")
    return who


def as_staff(act: Callable[[Stage], list[str]]) -> Callable[[Stage], list[str]]:
    """Staff open staff mode for one task and close it after (the screen returns to attendees)."""

    def task(stage: Stage) -> list[str]:
        _open_staff_mode(stage)
        try:
            return act(stage)
        finally:
            _done(stage.service.sign_out(), "the sign-out")

    return task


def sign_in(stage: Stage) -> list[str]:
    """Add the member on the platform, let the desk pull them, then sign in with their PIN."""
    lines = [f"$ cme-kiosk server staff add … --name {STAFF_NAME} --role lead --pin-stdin"]
    lines.append(add_member(stage))
    service, number = stage.service, stage.venue.project.number
    deadline = time.monotonic() + _LEARN_S
    while not _done(service.run(lambda: service.checkin.store.staff.count(number)), "a count"):
        if time.monotonic() > deadline:
            raise RuntimeError("the desk never pulled the staff list")
        stage.sync.sync_now()
        time.sleep(0.3)
    who = _open_staff_mode(stage)
    _done(service.sign_out(), "the sign-out")
    lines.append(f"desk pulled the member; {who.name} ({who.staff_id}, {who.role}) signs in "
                 "with their own PIN, and out again after each task")  # fmt: skip
    return lines


def _attendee_id(stage: Stage, query: str, name: str) -> str:
    """Staff mode's roster search, as the search box does it: the row named `name`."""
    found = _done(stage.service.search(query), "a search")
    row = next((r for r in getattr(found, "rows", ()) if r.name == name), None)
    if row is None:
        raise RuntimeError(f"staff search for {query!r} did not find {name}")
    return str(row.attendee_id)


def manual_checkin(name: str, query: str) -> Callable[[Stage], list[str]]:
    """Search the roster, see what to offer first, then record a manual check-in with a reason."""

    def act(stage: Stage) -> list[str]:
        attendee = _attendee_id(stage, query, name)
        offers = _done(stage.service.manual_fallbacks(attendee), "the offers")
        kinds = [o.kind for o in getattr(offers, "offers", ())]
        stage.service.manual(
            attendee, reason="身份证无法读取（芯片损坏），已核对名单与本人 / card will not read"
        )
        return [f"staff search {query!r} → {name}; offered: {', '.join(kinds)}"]

    return as_staff(act)


def walk_in(stage: Stage) -> list[str]:
    """The walk-in form: a mistyped number is caught by its check digit, then registered."""
    form = WalkInForm("resident_id", _TYPO, WALK_IN_NAME, unit="包头市第四医院",
                      department="重症医学科", title="护理")  # fmt: skip
    first = stage.service.register_walk_in(form)
    _done(first, "the walk-in form")
    refused = stage.next_outcome(5)
    reason = refused.reason if refused is not None else "no answer"
    stage.service.register_walk_in(replace(form, number=WALK_IN_NUMBER))
    return [f"form with a mistyped ID number → refused ({reason}); corrected and sent again"]


def undo_last(name: str) -> Callable[[Stage], list[str]]:
    """Void the person's last record (this desk's) with the reason."""

    def act(stage: Stage) -> list[str]:
        attendee = _attendee_id(stage, name, name)
        stage.service.void_last(
            attendee, reason="误刷：来咨询问题时刷了卡，并未离场 / tapped by mistake"
        )
        return []

    return as_staff(act)


def dispute(name: str, words: str) -> Callable[[Stage], list[str]]:
    """The attendee's dispute in their words, with the receipt they were given."""

    def act(stage: Stage) -> list[str]:
        attendee = _attendee_id(stage, name, name)
        receipt = stage.last_receipt.get(attendee)
        stage.service.dispute(attendee, words=words, receipt=receipt)
        return [f"their words: {words}"] + (
            ["the receipt they showed is attached"] if receipt else []
        )

    return as_staff(act)


def morning() -> Iterator[Step]:
    """Staff at the desk in the morning: sign-in, a card that will not read, a walk-in."""
    yield Step(
        "08:05",
        "工作人员 staff",
        f"{STAFF_NAME} signs in by name",
        sign_in,
        answers=False,
        key="staff_sign_in",
        why="records staff make carry the member's id: a named sign-in is required",
    )
    yield Step(
        "08:29",
        "工作人员 staff",
        "刘洋's card will not read",
        manual_checkin("刘洋", "ly"),
        key="manual",
        why="manual is an accepted method here, so the record is not flagged",
    )
    yield Step(
        "08:33",
        "工作人员 staff",
        f"{WALK_IN_NAME} (walk-in form)",
        as_staff(walk_in),
        key="walk_in",
        why="flagged on purpose: a walk-in is provisional until the organizer checks",
    )


def mistaken_tap() -> Iterator[Step]:
    """Mid-morning: a tap that was not meant as a check-out, undone by staff."""
    yield Step(
        "10:20",
        "身份证 ID card",
        "王芳 taps while asking",
        tap("王芳"),
        key="mistaken_tap",
        why="auto mode: 30 minutes after her check-in, a tap is a check-out",
    )
    yield Step(
        "10:21",
        "工作人员 staff",
        "undo 王芳's mistaken tap",
        undo_last("王芳"),
        key="void",
        why="nothing is deleted: a signed void record undoes it, for the organizer",
    )


def manual_checkout(name: str) -> Callable[[Stage], list[str]]:
    """A manual check-out by staff (the walk-in has no card or code of the platform's)."""

    def act(stage: Stage) -> list[str]:
        attendee = _attendee_id(stage, name, name)
        stage.service.manual(attendee, direction=Direction.OUT,
                             reason="临时登记学员离场，工作人员签退 / walk-in leaving")  # fmt: skip
        return []

    return as_staff(act)


def disputes() -> Iterator[Step]:
    """After check-out: an attendee disputes their time."""
    yield Step(
        "17:36",
        "工作人员 staff",
        "张伟 disputes his time",
        dispute("张伟", "我 8:05 就到了，读卡前排队，签到应早于 08:12"),
        key="dispute",
        why="kept in his words for the organizer; the records themselves stay",
    )
    yield Step(
        "17:33",
        "工作人员 staff",
        f"{WALK_IN_NAME} leaves",
        manual_checkout(WALK_IN_NAME),
        key="walk_in_out",
    )
