"""What the face station, its card check and its enrollment offers share, under one lock.

The station owns this object; `CardCheck` and `Offer` receive it, so neither needs the station
(no import circle, and no reference cycle through the station). Nothing here is a Qt object: the
screen is reached only through the desk service's events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drivers.face.settings import FaceSettings
from kiosk.config import Config
from kiosk.runtime.face.timing import StationTiming
from kiosk.services.desk import DeskPort
from kiosk.services.screen import EnrollmentUpdate

if TYPE_CHECKING:
    from drivers.face.desk import FaceDesk
    from drivers.face.engine import FaceEngine
    from drivers.face.gallery import Gallery
    from kiosk.runtime.face.offer import Offer

log = logging.getLogger(__name__)


@dataclass(eq=False)
class StationState:
    """The station's configuration, its loaded engine, and the mutable state `lock` guards."""

    config: Config
    desk: DeskPort
    settings: FaceSettings
    project: str
    policy: str
    staff: str  # who vouches for a cardholder at this desk (kept with on-site templates)
    timing: StationTiming
    worker: ThreadPoolExecutor  # the station's one worker thread (loading, card checks)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set once by the worker when the engine has loaded; read without the lock afterwards.
    engine: FaceEngine | None = None
    gallery: Gallery | None = None
    face_desk: FaceDesk | None = None
    # Guarded by `lock`.
    offer: Offer | None = None
    quiet_until: float = 0.0
    stopped: bool = False
    purged: bool = False
    declined: set[str] = field(default_factory=set)

    def post(self, work: Callable[[], None]) -> None:
        """Run `work` on the station's worker; dropped once the station has stopped."""
        try:
            self.worker.submit(work)
        except RuntimeError:  # shut down: the desk is closing, nothing is waiting for it
            log.info("face station stopped: %s dropped", getattr(work, "__name__", "work"))

    def drop_offer(self) -> None:
        """A new cardholder stands at the camera: an open consent question and any pause end."""
        with self.lock:
            offer, self.offer = self.offer, None
            self.quiet_until = 0.0
        if offer is not None:
            offer.flow.cancel()
            self.desk.publish(EnrollmentUpdate(offer.flow.attendee_id, "cancelled"))

    def capture(self, offer: Offer) -> None:
        """Staff confirmed the cardholder: the next frames go to the enrollment."""
        with self.lock:
            if self.offer is not offer:
                offer.flow.cancel()
                return
        if self.face_desk is not None:
            self.face_desk.begin_enrollment(offer.flow)

    def close_offer(self, offer: Offer, *, declined: bool = False) -> None:
        """The consent screen closed this offer; a decline is remembered while the desk runs."""
        with self.lock:
            if self.offer is offer:
                self.offer = None
            if declined:  # not asked again while the desk runs (kept in memory only)
                self.declined.add(offer.flow.attendee_id)
            self.quiet_until = time.monotonic() + self.timing.quiet_s
        if self.face_desk is not None:
            self.face_desk.reset()  # the person now in front is served afresh
