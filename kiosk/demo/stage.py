"""The demo venue assembled: platform, simulated devices, and the real kiosk enrolled with it.

Everything after the simulators is the production path: enrollment and pull from the platform,
`open_desk`, the desk service, the device runtime built from the configuration, and background
sync. The only demo-specific piece on the kiosk side is the clock, which walks through the day.
"""

from __future__ import annotations

import logging
import queue
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.config import Config, parse_config
from kiosk.core.timeutil import SHANGHAI, local_day, utc_now
from kiosk.demo.clip import ClipPlayer
from kiosk.demo.devices import DemoDevices, start_devices
from kiosk.demo.fixtures import demo_project, demo_roster
from kiosk.demo.venue import Venue, start_venue
from kiosk.runtime import Runtime
from kiosk.runtime.faces import FaceDevice
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.opening import Desk, open_desk
from kiosk.services.platform import enroll_kiosk, start_sync
from kiosk.services.platform_sync import SyncHandle, sync_state
from kiosk.services.screen import EnrollmentOffer, EnrollmentUpdate, FacePrompt, ScreenEvent
from sync.store import Store

log = logging.getLogger(__name__)


class DemoClock:
    """The desk's wall clock: set to each step's local time on the project day."""

    def __init__(self, day: date):
        self.day = day
        self.now = datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI)

    def set(self, hh: int, mm: int, ss: int = 0) -> None:
        """Move to hh:mm:ss on the demo day."""
        self.now = datetime(
            self.day.year, self.day.month, self.day.day, hh, mm, ss, tzinfo=SHANGHAI
        )

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Stage:
    """A running demo: close() stops everything in reverse order."""

    root: Path
    clock: DemoClock
    venue: Venue
    devices: DemoDevices
    config: Config
    desk: Desk
    service: DeskService
    runtime: Runtime
    sync: SyncHandle
    outcomes: queue.Queue[Outcome] = field(default_factory=queue.Queue)
    last_receipt: dict[str, str] = field(default_factory=dict)  # attendee id → receipt text
    closers: list[Callable[[], None]] = field(default_factory=list)  # closed first, last first
    organizer: object | None = None  # the organizer's workspace, once opened
    player: ClipPlayer | None = None  # the person at the camera (frames of a real clip)
    offers: dict[str, EnrollmentOffer] = field(default_factory=dict)  # newest, by attendee
    face_events: queue.Queue[FacePrompt | EnrollmentUpdate] = field(default_factory=queue.Queue)
    marks: dict[str, float] = field(default_factory=dict)  # monotonic times steps remember
    submission: object | None = None  # the platform's answer to the submission

    def next_outcome(self, timeout: float = 10.0) -> Outcome | None:
        """The next answer the desk gave, or None if none came in time."""
        try:
            return self.outcomes.get(timeout=timeout)
        except queue.Empty:
            return None

    def clear_camera(self) -> None:
        """Whoever stood at the camera steps away: the empty desk in view."""
        if self.player is not None:
            self.player.stop()
        else:
            self.devices.camera.clear()

    def close(self) -> None:
        """Stop what the day opened, devices, sync, the desk thread, simulators, the platform."""
        for close in reversed(self.closers):
            close()
        if self.player is not None:
            self.player.stop()
        self.runtime.stop()
        self.sync.stop()
        self.service.stop()
        self.desk.close()
        self.devices.close()
        self.venue.stop()


# With it the printed photo is asked to blink, and the next four challenges are all "turn
# right", which the clip does: see kiosk.demo.faces.
CHALLENGE_SEED = 14


def seed_challenges(runtime: Runtime) -> None:
    """Fix the face station's challenges with a seed (the desk's own are system-random)."""
    for device in runtime.devices:
        if isinstance(device, FaceDevice):
            device.station.use_challenge_rng(random.Random(CHALLENGE_SEED))  # noqa: S311 - a demo


def demo_config(root: Path, devices: DemoDevices, venue: Venue) -> Config:
    """The kiosk configuration a field engineer would write for this desk."""
    return parse_config(
        {
            "kiosk": {"data_dir": str(root / "kiosk"), "desk_name": "A"},
            "desk": {"mode": "auto"},
            "sync": {
                "server_url": venue.url, "ca_bundle": str(venue.tls.ca_pem),
                "push_interval_s": 1.0, "pull_interval_s": 5.0,
            },
            # Every face at this desk gets a liveness challenge (the venue's setting; the
            # project's own policy is the lighter challenge_on_doubt): the photo attack fails it.
            # A challenge gets 8 s here (6 s by default): a demo machine is often a busy laptop.
            "face": {"enabled": True, "liveness": "always", "liveness_timeout_s": 8},
            # No keyboard-wedge filter: the demo has no scanner typing into the window.
            **{**devices.config_sections(), "scanner": {
                **devices.config_sections()["scanner"], "wedge": False}},
        },
        source="demo",
    )  # fmt: skip


def open_stage(root: Path) -> Stage:
    """Start the platform and simulators, enroll the kiosk, open the desk and start its devices."""
    # Yesterday, played again: the platform keeps real time, and its submission window opens
    # when the day's last session has ended, so the organizer can submit at the end.
    clock = DemoClock(local_day(utc_now()) - timedelta(days=1))
    venue = start_venue(root / "platform", project=demo_project(clock.day), roster=demo_roster())
    devices = start_devices(root)
    config = demo_config(root, devices, venue)
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    store = Store.open(config.data_dir / "kiosk.sqlite3")
    try:
        enroll_kiosk(config, store, server_url=venue.url, code=venue.enrollment_code())
    finally:
        store.close()
    desk = open_desk(config, clock=clock)
    service = DeskService(desk.service)
    stage_outcomes: queue.Queue[Outcome] = queue.Queue()
    receipts: dict[str, str] = {}
    offers: dict[str, EnrollmentOffer] = {}
    face_events: queue.Queue[FacePrompt | EnrollmentUpdate] = queue.Queue()

    def collect(event: ScreenEvent) -> None:  # on the desk thread, with or without a Qt loop
        if isinstance(event, Outcome):
            if event.receipt is not None and event.attendee is not None:
                receipts[event.attendee.id] = event.receipt.text
            stage_outcomes.put(event)
        elif isinstance(event, EnrollmentOffer) and event.outcome.attendee is not None:
            offers[event.outcome.attendee.id] = event
        elif isinstance(event, FacePrompt | EnrollmentUpdate):
            face_events.put(event)

    service.subscribe(collect)
    runtime = Runtime.from_config(config, desk=service)
    seed_challenges(runtime)
    runtime.start()
    sync = start_sync(config, desk.store, project=desk.service.project.number,
                      on_status=lambda status: service.publish(sync_state(status)))  # fmt: skip
    return Stage(root, clock, venue, devices, config, desk, service, runtime, sync, stage_outcomes,
                 receipts, player=ClipPlayer(devices.camera), offers=offers,
                 face_events=face_events)  # fmt: skip
