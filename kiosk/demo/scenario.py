"""The demo's day at one desk, as data: at what time, on which device, who presents what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.codes import Ticket, sign_ticket
from kiosk.core.model import Attendee
from kiosk.demo.devices import card_of
from kiosk.demo.fixtures import demo_roster
from kiosk.demo.stage import Stage
from kiosk.qr_render import qr_image
from kiosk.services.checkin import Outcome


@dataclass(frozen=True, slots=True)
class Step:
    """One moment of the day: local time, the device or person acting, what happens there.

    `act` presents something (the desk's answer comes as an Outcome) or, with `answers` False,
    does something that is not a presentation (the platform stopped, the organizer's work) and
    returns the lines to print. `why` is the narration: why a record is flagged, what it shows.
    """

    at: str  # local time on the demo day, "hh:mm" or "hh:mm:ss"
    device: str
    what: str
    act: Callable[[Stage], list[str] | None]
    why: str = ""
    answers: bool = True
    key: str = ""  # a stable name for the step (screenshots, tests)
    then: Callable[[Stage], list[str]] | None = None  # more lines, once the desk has answered
    timeout: float = 10.0  # how long the desk's answer may take (a face challenge: longer)

    @property
    def time(self) -> tuple[int, int, int]:
        """(hour, minute, second)."""
        parts = [int(p) for p in self.at.split(":")]
        return parts[0], parts[1], parts[2] if len(parts) > 2 else 0


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step did: the desk's answer (if it gives one) and any further lines."""

    outcome: Outcome | None
    lines: tuple[str, ...] = ()


def person(name: str) -> Attendee:
    """The roster entry of the demo person named `name`."""
    return _person(name)


def _person(name: str) -> Attendee:
    return next(a for a in demo_roster() if a.name == name)


def tap(name: str, *, expired: bool = False) -> Callable[[Stage], None]:
    """The person's ID card on the SAM reader."""
    return lambda st: _tapped(st, card_of(_person(name), expired=expired))


def _tapped(st: Stage, card: object) -> None:
    if not st.devices.tap(card):  # type: ignore[arg-type]
        raise RuntimeError("the ID-card reader never read the card (is the reader running?)")


def printed_ticket(name: str) -> Callable[[Stage], None]:
    """A printed ticket the platform signed, read by the serial scanner."""
    number = _person(name).document.number
    return lambda st: st.devices.scanner.scan(st.venue.ticket(number, now=st.clock()))


def phone_code(name: str) -> Callable[[Stage], None]:
    """The attendee's rotating code on a phone held up to the camera."""
    number = _person(name).document.number
    return lambda st: st.devices.camera.show(
        qr_image(st.venue.rotating_code(number, now=st.clock()), box_size=6)
    )


def phone_ticket(name: str) -> Callable[[Stage], None]:
    """The attendee's ticket on a phone held up to the camera."""
    number = _person(name).document.number
    return lambda st: st.devices.camera.show(
        qr_image(st.venue.ticket(number, now=st.clock()), box_size=5)
    )


def forwarded_code(name: str) -> Callable[[Stage], None]:
    """A screenshot of someone's current rotating code, scanned for an absent colleague."""
    number = _person(name).document.number
    return lambda st: st.devices.scanner.scan(st.venue.rotating_code(number, now=st.clock()))


def forged_ticket(name: str) -> Callable[[Stage], None]:
    """A ticket made outside the platform: right format and key id, someone else's signing key."""
    number = _person(name).document.number

    def act(st: Stage) -> None:
        key_id, _ = st.venue.admin.ticket_signing_key(st.venue.project.number)
        now = st.clock()
        fake = Ticket(st.venue.project.number, st.venue.ref(number), key_id,
                      now - timedelta(hours=1), now + timedelta(hours=8))  # fmt: skip
        st.devices.scanner.scan(sign_ticket(fake, Ed25519PrivateKey.generate()))

    return act


def arrivals() -> Iterator[Step]:
    """The morning at the desk: cards and codes, a repeat, a replay, a forgery, flags on purpose."""
    yield Step("08:12", "身份证 ID card", "张伟", tap("张伟"), key="card")
    yield Step(
        "08:13",
        "身份证 ID card",
        "张伟 again",
        tap("张伟"),
        key="card_again",
        why="a second tap minutes later is a repeat: nothing new is recorded",
    )
    yield Step(
        "08:15", "扫码枪 scanner", "王芳's printed ticket", printed_ticket("王芳"), key="ticket"
    )
    yield Step(
        "08:18:05", "摄像头 camera", "李娜's phone code", phone_code("李娜"), key="phone_code"
    )
    yield Step(
        "08:18:20",
        "扫码枪 scanner",
        "李娜's code forwarded",
        forwarded_code("李娜"),
        key="replay",
        why="her code's screenshot sent to an absent colleague: each code counts once",
    )
    yield Step(
        "08:20",
        "扫码枪 scanner",
        "a forged ticket",
        forged_ticket("陈静"),
        key="forged",
        why="made outside the platform: refused, and kept for the audit",
    )
    yield Step(
        "08:24",
        "身份证 ID card",
        "陈静 (expired card)",
        tap("陈静", expired=True),
        key="expired",
        why="flagged on purpose: the project admits an expired ID with a flag"
        " (expired_document), and the organizer reviews it",
    )


def departures() -> Iterator[Step]:
    """The end of the day: check-outs by card and by a ticket on the phone."""
    yield Step("17:35", "身份证 ID card", "张伟", tap("张伟"), key="card_out")
    yield Step(
        "17:37", "摄像头 camera", "陈静's phone code", phone_code("陈静"), key="phone_code_out"
    )
    yield Step(
        "17:38",
        "摄像头 camera",
        "王芳's ticket on her phone",
        phone_ticket("王芳"),
        key="phone_ticket_out",
    )


def run_step(stage: Stage, step: Step) -> StepResult:
    """Do one step at its time; the desk's answer (None if it never answered) and any lines."""
    stage.clock.set(*step.time)
    try:
        lines = step.act(stage) or []
        outcome = stage.next_outcome(step.timeout) if step.answers else None
        if step.then is not None:
            lines += step.then(stage)
        return StepResult(outcome, tuple(lines))
    finally:
        stage.clear_camera()


def describe(step: Step, result: StepResult) -> str:
    """The run's lines for one step: time, device, what happened, the desk's answer, why."""
    head = f"[{step.at[:5]}] {step.device:<16} {step.what:<28}"
    tail = "".join(f"\n{'':>8}{line}" for line in result.lines)
    tail += f"\n{'':>8}({step.why})" if step.why else ""
    if not step.answers:
        return f"{head}{tail}"
    return answer_line(head, result.outcome) + tail


def answer_line(head: str, outcome: Outcome | None) -> str:
    """`head` → the desk's answer: who (masked), the message, status, seq and flags."""
    if outcome is None:
        return f"{head} → no answer from the desk"
    who = (
        f"{outcome.attendee.name} {outcome.attendee.document.masked()} " if outcome.attendee else ""
    )
    seq = f", seq {outcome.event.seq} {outcome.event.method.value}" if outcome.event else ""
    flags = (
        f", flags {sorted(f.value for f in outcome.event.flags)}"
        if outcome.event and outcome.event.flags
        else ""
    )
    receipt = outcome.receipt
    hours = (
        f"\n{'':>8}receipt: {receipt.total_hours} h counted today, code …{receipt.text[-16:]}"
        if receipt is not None
        else ""
    )
    return (
        f"{head} → {who}{outcome.message_zh} / {outcome.message_en}"
        f" ({outcome.status.value}{seq}{flags}){hours}"
    )
