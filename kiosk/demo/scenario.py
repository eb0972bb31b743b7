"""The demo's day at one desk, as data: at what time, on which device, who presents what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.codes import Ticket, sign_ticket
from kiosk.core.ids import mod11_2_check
from kiosk.core.model import Attendee
from kiosk.demo.devices import card_of
from kiosk.demo.fixtures import demo_roster
from kiosk.demo.stage import Stage
from kiosk.qr_render import qr_image
from kiosk.services.checkin import Outcome

# Someone with a valid resident ID who is not on the roster: a walk-in.
WALK_IN_NAME = "孙丽"
WALK_IN_NUMBER = "15020219930808006" + mod11_2_check("15020219930808006")


@dataclass(frozen=True, slots=True)
class Step:
    """One presentation: local time on the project day, the device, what happens there."""

    hh: int
    mm: int
    ss: int
    device: str
    what: str
    act: Callable[[Stage], None]


def _person(name: str) -> Attendee:
    return next(a for a in demo_roster() if a.name == name)


def tap(name: str, *, expired: bool = False) -> Callable[[Stage], None]:
    """The person's ID card on the SAM reader."""
    return lambda st: _tapped(st, card_of(_person(name), expired=expired))


def tap_walk_in() -> Callable[[Stage], None]:
    """A valid card of someone not on the roster."""
    card = card_of(_person("张伟"), name=WALK_IN_NAME, number=WALK_IN_NUMBER)
    return lambda st: _tapped(st, card)


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


def steps() -> Iterator[Step]:
    """The scripted day: arrivals, a repeat, codes good and bad, a walk-in, check-outs."""
    yield Step(8, 12, 0, "身份证 ID card", "张伟", tap("张伟"))
    yield Step(8, 13, 0, "身份证 ID card", "张伟 again", tap("张伟"))
    yield Step(8, 15, 0, "扫码枪 scanner", "王芳's printed ticket", printed_ticket("王芳"))
    yield Step(8, 18, 5, "摄像头 camera", "李娜's phone code", phone_code("李娜"))
    yield Step(8, 18, 20, "扫码枪 scanner", "李娜's code forwarded", forwarded_code("李娜"))
    yield Step(8, 20, 0, "扫码枪 scanner", "a forged ticket", forged_ticket("陈静"))
    yield Step(8, 24, 0, "身份证 ID card", "陈静 (expired card)", tap("陈静", expired=True))
    yield Step(8, 27, 0, "身份证 ID card", f"{WALK_IN_NAME} (walk-in)", tap_walk_in())
    yield Step(17, 35, 0, "身份证 ID card", "张伟", tap("张伟"))
    yield Step(17, 38, 0, "摄像头 camera", "王芳's ticket on her phone", phone_ticket("王芳"))


def run_step(stage: Stage, step: Step, *, timeout: float = 10.0) -> Outcome | None:
    """Do one step at its time and return the desk's answer (None if the desk never answered)."""
    stage.clock.set(step.hh, step.mm, step.ss)
    try:
        step.act(stage)
        return stage.next_outcome(timeout)
    finally:
        stage.devices.camera.clear()


def describe(step: Step, outcome: Outcome | None) -> str:
    """One line of the run: time, device, what was presented, the desk's answer."""
    head = f"[{step.hh:02d}:{step.mm:02d}] {step.device:<16} {step.what:<28}"
    if outcome is None:
        return f"{head} → no answer from the desk"
    who = (
        f"{outcome.attendee.name} {outcome.attendee.document.masked()} " if outcome.attendee else ""
    )
    seq = f", seq {outcome.event.seq}" if outcome.event else ""
    flags = (
        f", flags {sorted(f.value for f in outcome.event.flags)}"
        if outcome.event and outcome.event.flags
        else ""
    )
    return (
        f"{head} → {who}{outcome.message_zh} / {outcome.message_en}"
        f" ({outcome.status.value}{seq}{flags})"
    )
