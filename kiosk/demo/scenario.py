"""The demo's morning and evening at one desk, as data: who presents what, and when."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.config import Config, parse_config
from kiosk.core.ids import DocumentType, IdentityDocument, mod11_2_check
from kiosk.core.model import DeskMode, Method
from kiosk.core.timeutil import SHANGHAI, local_day, utc_now
from kiosk.demo.fixtures import demo_project, demo_roster
from kiosk.services.checkin import CheckInService, Credential, Outcome
from sync.store import Store


@dataclass(frozen=True, slots=True)
class Step:
    """One presentation: at a local time, through a device, what the person presented."""

    hh: int
    mm: int
    device: str
    credential: Callable[[], Credential]


class DemoClock:
    """The demo's wall clock: set to each step's local time on the project day."""

    def __init__(self, day: date):
        self.day = day
        self.now = datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI)

    def set(self, hh: int, mm: int) -> None:
        """Move to hh:mm on the demo day."""
        self.now = datetime(self.day.year, self.day.month, self.day.day, hh, mm, tzinfo=SHANGHAI)

    def __call__(self) -> datetime:
        return self.now


@dataclass(slots=True)
class DemoDesk:
    """A desk with a fresh store in a private directory, ready for the steps."""

    data_dir: Path
    config: Config
    store: Store
    service: CheckInService
    clock: DemoClock


def build_desk(data_dir: Path | None = None) -> DemoDesk:
    """A store with today's demo project and roster, and the desk's service on a demo clock."""
    root = data_dir or Path(tempfile.mkdtemp(prefix="cme-kiosk-demo-"))
    config = parse_config({"kiosk": {"data_dir": str(root), "desk_name": "A"}})
    today = local_day(utc_now())
    project = demo_project(today)
    store = Store.open(root / "kiosk.sqlite3")
    store.save_project(project)
    store.save_roster(project.number, demo_roster())
    store.set_meta("device_id", "demo-desk-a")
    clock = DemoClock(today)
    service = CheckInService(
        store=store, project=project, device_id="demo-desk-a", desk_name="A",
        mode=DeskMode.AUTO, clock=clock, denied_key=b"demo-platform-denied-key-32bytes",
    )  # fmt: skip
    return DemoDesk(root, config, store, service, clock)


def steps() -> Iterator[Step]:
    """The scripted day: arrivals, a repeat, a walk-in, refusals, check-outs."""
    people = {a.name: a for a in demo_roster()}

    def card(name: str, *, expired: bool = False) -> Callable[[], Credential]:
        person = people[name]
        valid_to = date(2020, 1, 1) if expired else None
        return lambda: Credential.id_card(document=person.document, name=name, valid_to=valid_to)

    walk_in = IdentityDocument(
        DocumentType.RESIDENT_ID, "15020219930808006" + mod11_2_check("15020219930808006")
    )
    yield Step(8, 12, "身份证 ID card", card("张伟"))
    yield Step(8, 13, "身份证 ID card", card("张伟"))
    yield Step(8, 16, "工作证 staff card", lambda: Credential.card_uid("0713233758"))
    yield Step(8, 18, "二维码 QR code", lambda: Credential.attendee("A2", method=Method.QR))
    yield Step(
        8,
        20,
        "人脸 face",
        lambda: Credential.attendee("A4", method=Method.FACE, evidence=b"face-crop"),
    )
    yield Step(8, 24, "身份证 ID card", card("李娜", expired=True))
    yield Step(8, 27, "身份证 ID card", lambda: Credential.id_card(document=walk_in, name="孙丽"))
    yield Step(8, 29, "工作证 staff card", lambda: Credential.card_uid("DEADBEEF"))
    yield Step(17, 35, "身份证 ID card", card("张伟"))
    yield Step(17, 38, "二维码 QR code", lambda: Credential.attendee("A2", method=Method.QR))
    yield Step(
        17,
        40,
        "人脸 face",
        lambda: Credential.attendee("A4", method=Method.FACE, evidence=b"face-crop"),
    )


def run_step(desk: DemoDesk, step: Step) -> Outcome:
    """Present one step's credential at its time."""
    desk.clock.set(step.hh, step.mm)
    return desk.service.present(step.credential())


def describe(step: Step, outcome: Outcome) -> str:
    """One line of the scripted run."""
    who = (
        f"{outcome.attendee.name} {outcome.attendee.document.masked()}" if outcome.attendee else "?"
    )
    seq = f", seq {outcome.event.seq}" if outcome.event else ""
    flags = (
        f", flags {sorted(f.value for f in outcome.event.flags)}"
        if outcome.event and outcome.event.flags
        else ""
    )
    return (
        f"[{step.hh:02d}:{step.mm:02d}] {step.device:<18} {who:<24} → {outcome.message_zh}"
        f" / {outcome.message_en} ({outcome.status.value}{seq}{flags})"
    )


def demo_window_step_delay() -> timedelta:
    """How long each step stays on screen in the window demo."""
    return timedelta(seconds=2.5)
