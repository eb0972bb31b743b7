"""Face check-in at the desk: engine and gallery loaded off the GUI thread, events to the screen.

Threads: the engine loads on the station's own worker; frames reach `FaceDesk.feed` on the
camera's "face" subscription thread, previews on a "face-preview" one; check-ins and refusals go
to the bridge's single desk thread. Widgets are reached only through `DeskBridge` signals.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from drivers.face.availability import FaceStatus, load_engine
from drivers.face.enrollment import EnrollmentState, OnSiteEnrollment
from drivers.face.events import (
    EnrollmentFinished,
    FaceEvent,
    FaceHint,
    FaceMatched,
    FaceUnknown,
    FaceVerified,
    LivenessFailed,
    LivenessStarted,
)
from drivers.face.gallery import Gallery
from drivers.face.settings import FaceSettings
from kiosk.config import Config
from kiosk.core.model import Method
from kiosk.runtime.face.cardcheck import CardCheck
from kiosk.runtime.face.offer import Offer
from kiosk.runtime.face.screen import (
    FACE_NAME,
    LOADING,
    MISMATCH_EN,
    MISMATCH_ZH,
    UNKNOWN_EN,
    UNKNOWN_ZH,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    PreviewFrame,
    StationTiming,
    stricter_policy,
)
from kiosk.runtime.face.templates import (
    bump_revision,
    follow_store,
    load_gallery,
    templates_revision_key,
)
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from sync.store import Store

if TYPE_CHECKING:
    import random

    from drivers.camera import Camera, Frame, Subscription
    from drivers.face.desk import FaceDesk
    from drivers.face.engine import FaceEngine
    from kiosk.ui.bridge import DeskBridge

log = logging.getLogger(__name__)
audit = logging.getLogger("kiosk.audit")

Loader = Callable[[], tuple["FaceEngine | None", FaceStatus]]


class FaceStation:
    """The desk's face check-in: loads off the GUI thread, reports its status, never crashes."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        service: CheckInService,
        bridge: DeskBridge,
        camera: Camera,
        load: Loader | None = None,
        rng: random.Random | None = None,
        timing: StationTiming | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.service = service
        self.bridge = bridge
        self.camera = camera
        self.settings = FaceSettings.from_config(config.face)
        self.project = service.project.number
        self.policy = stricter_policy(service.project.checkin.liveness, config.face.liveness)
        self.staff = f"desk {service.desk_name} ({service.device_id})"
        self._load: Loader = load or (lambda: load_engine(self.settings))
        self._rng = rng
        self.timing = timing or StationTiming()
        self._quiet_until = 0.0
        self._recent: dict[str, float] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="face-station")
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []
        self._preview_busy = threading.Event()
        self._last_preview = 0.0
        self._last_poll = 0.0
        self._revision: str | None = None
        self._offer: Offer | None = None
        self._stopped = False
        self._purged = False
        self._declined: set[str] = set()
        self.engine: FaceEngine | None = None
        self.gallery: Gallery | None = None
        self.desk: FaceDesk | None = None  # once the engine has loaded
        self.cards = CardCheck(self)  # the SAM reader's verifier (project face_verify_cards)
        self.status = FaceStatus(False, "loading")

    @classmethod
    def create(
        cls,
        *,
        config: Config,
        store: Store,
        service: CheckInService,
        bridge: DeskBridge,
        camera: Camera,
    ) -> FaceStation | None:
        """A station, or None when face check-in is off in [face] or for this project."""
        if not config.face.enabled or Method.FACE not in service.project.checkin.methods:
            return None
        return cls(config=config, store=store, service=service, bridge=bridge, camera=camera)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Say "loading", then load the engine and gallery on the station's worker thread."""
        from PySide6.QtCore import Qt

        self._report(ok=False, detail=LOADING)
        # Direct: the check-in that may lead to an offer is judged on the thread that decided it.
        self.bridge.outcome.connect(self._after_outcome, Qt.ConnectionType.DirectConnection)
        self._worker.submit(self._load_and_run)

    def stop(self) -> None:
        """Unsubscribe from the camera (its owner closes it), drop any offer, end the worker."""
        with self._lock:
            self._stopped = True
            offer, self._offer = self._offer, None
            subs, self._subs = self._subs, []
        self.cards.close()
        if offer is not None:
            offer.flow.cancel()
        for sub in subs:
            unsubscribe = getattr(self.camera, "unsubscribe", None)
            if unsubscribe is not None:
                unsubscribe(sub)
            else:
                sub.close()
        with contextlib.suppress(RuntimeError, TypeError):  # never connected: no start()
            self.bridge.outcome.disconnect(self._after_outcome)
        self._worker.shutdown(wait=True)
        # The templates stay in the store; the in-memory copy need not outlive the station.
        if self.gallery is not None:
            self.gallery.remove_project(self.project)

    def project_purged(self, number: str) -> None:
        """Retention purged a project (any thread): its templates leave memory, face stops."""
        if number != self.project:
            return
        self._purged = True
        if self.gallery is not None:
            self.gallery.remove_project(number)
        if self.desk is not None:
            self.desk.reset()
        self._report(
            ok=False, detail="人脸签到已停用：本项目数据已到期删除 / face off: data purged"
        )

    def _report(self, *, ok: bool, detail: str) -> None:
        self.bridge.report_device(FACE_NAME, ok=ok, detail=detail)

    def _load_and_run(self) -> None:
        try:
            self._start_desk()
        # The loader guards the models itself; anything else (a store that cannot be read) is
        # still a status line, not a crash nor a desk stuck at "loading".
        except Exception as exc:
            log.exception("face station failed to start")
            self.status = FaceStatus(False, f"{type(exc).__name__}: {exc}")
            self._report(ok=False, detail=f"{self.status.line('zh')} / {self.status.line('en')}")

    def _start_desk(self) -> None:
        from drivers.face.desk import FaceDesk

        engine, status = self._load()
        self.status = status
        if engine is None:
            self._report(ok=False, detail=f"{status.line('zh')} / {status.line('en')}")
            return
        self._revision = self.store.get_meta(templates_revision_key(self.project))
        gallery = load_gallery(self.store, self.project)
        self.engine, self.gallery = engine, gallery
        self.desk = FaceDesk(
            engine=engine,
            gallery=gallery,
            on_event=self._on_event,
            settings=self.settings,
            policy=self.policy,
            project=self.project,
            mirror=self.config.camera.mirror,
            rng=self._rng,
            verifier=self.cards.person_id_verifier(engine, gallery),
        )
        with self._lock:
            if self._stopped:
                return
            # Said before the first frame can lead to a check-in: the line never lags the desk.
            n = len(gallery.people(project=self.project))
            self._report(
                ok=True, detail=f"人脸签到可用，已登记 {n} 人 / face check-in ready, {n} enrolled"
            )
            self._subs.append(self.camera.subscribe(self._on_frame, name="face"))
            self._subs.append(self.camera.subscribe(self._on_preview, name="face-preview"))
        self.camera.start()  # idempotent; the camera's owner also starts and closes it

    # -- frames (camera subscription threads) ---------------------------------------------------

    def _asking(self) -> bool:
        """Whether the consent screen is up (offered or accepted, not yet capturing)."""
        offer = self._offer
        asking = (EnrollmentState.OFFERED, EnrollmentState.ACCEPTED)
        return offer is not None and offer.flow.state in asking

    def _on_frame(self, frame: Frame) -> None:
        if self._asking():  # the consent screen is up: nobody is identified meanwhile
            offer = self._offer
            if offer is not None and time.monotonic() - offer.created > self.timing.offer_timeout_s:
                offer.cancel()  # no screen answered it (the screen's own limit is shorter)
                self.bridge.face.emit(EnrollmentUpdate(offer.flow.attendee_id, "cancelled"))
            return
        if frame.t < self._quiet_until or self._purged:
            return
        desk = self.desk
        assert desk is not None  # subscribed only once it exists
        if frame.t - self._last_poll >= self.timing.poll_s:
            self._last_poll = frame.t
            self._follow_store(desk)
        desk.feed(frame)

    def _follow_store(self, desk: FaceDesk) -> None:
        """Templates withdrawn (or added) by another process reach the gallery here."""
        revision = self.store.get_meta(templates_revision_key(self.project))
        if revision == self._revision or self.gallery is None:
            return
        self._revision = revision
        if follow_store(self.gallery, self.store, self.project):
            desk.reset()  # a face already decided is decided again against the new gallery

    def _on_preview(self, frame: Frame) -> None:
        import cv2

        since = frame.t - self._last_preview
        # Throttled; and while the screen has not painted the last one, wait (up to 1 s: a
        # frame nobody received must not stop the preview for good).
        if since < 1.0 / self.timing.preview_fps or (self._preview_busy.is_set() and since < 1.0):
            return
        self._last_preview = frame.t
        h, w = frame.image.shape[:2]
        size = (self.timing.preview_width, max(1, round(h * self.timing.preview_width / w)))
        small = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
        if not self.config.camera.mirror:
            small = small[:, ::-1]  # people expect to see themselves as in a mirror
        rgb = np.ascontiguousarray(small[:, :, ::-1], dtype=np.uint8)
        self._preview_busy.set()
        self.bridge.preview.emit(PreviewFrame(rgb, self._preview_busy.clear))

    # -- face events (the "face" subscription thread) -----------------------------------------

    def _on_event(self, event: FaceEvent) -> None:
        face = self.bridge.face
        if self.cards.take(event):
            return  # it decided a card tap held for this face
        if isinstance(event, FaceMatched):
            self._check_in(event.attendee_id, event.evidence)
        elif isinstance(event, FaceVerified):
            if event.matched:
                self._check_in(event.attendee_id, event.evidence)
            else:
                self._refuse("face_mismatch", MISMATCH_ZH, MISMATCH_EN, event.attendee_id)
        elif isinstance(event, LivenessFailed):
            self._refuse(f"liveness_{event.reason}", event.message_zh, event.message_en,
                         event.attendee_id)  # fmt: skip
        elif self._asking():
            return  # a prompt from the frame in flight when the consent screen came up
        elif isinstance(event, LivenessStarted):
            # The deadline is in frame time, which is time.monotonic() for a camera.
            face.emit(FacePrompt("liveness", event.prompt("zh"), event.prompt("en"),
                                 event.deadline))  # fmt: skip
        elif isinstance(event, FaceHint):
            face.emit(FacePrompt("hint", event.message("zh"), event.message("en")))
        elif isinstance(event, FaceUnknown):
            face.emit(FacePrompt("unknown", UNKNOWN_ZH, UNKNOWN_EN))
        elif isinstance(event, EnrollmentFinished):
            self._enrollment_finished(event)

    def _check_in(self, attendee_id: str, evidence: bytes) -> None:
        """The crop goes with the credential: the store seals it beside the record."""
        with self._lock:
            last = self._recent.get(attendee_id)
        if last is not None and time.monotonic() - last < self.timing.repeat_s:
            log.info("face of attendee %s seen again right after their check-in", attendee_id)
            return
        self.bridge.submit(Credential.attendee(attendee_id, method=Method.FACE, evidence=evidence))

    def _refuse(self, reason: str, zh: str, en: str, attendee_id: str) -> None:
        # The denied record keeps no crop: the store's denied table has no evidence column.
        self.bridge.submit_refusal(
            method=Method.FACE,
            reason=reason,
            message_zh=zh,
            message_en=en,
            detail=f"{reason} (matched attendee {attendee_id})",
        )

    # -- on-site enrollment ---------------------------------------------------------------------

    def _after_outcome(self, outcome: Outcome) -> None:
        """After a check-in: close an offer left open; offer enrollment to a new cardholder."""
        with self._lock:
            if outcome.attendee is not None:
                self._seen(outcome.attendee.id)
            offer = self._offer
            if offer is not None and offer.outcome is not outcome:
                self._offer = None  # someone else presented: the last person has gone
                offer.flow.cancel()
                offer = None
            if offer is not None or not self._offer_wanted(outcome):
                return
            assert outcome.attendee is not None and self.engine is not None
            assert self.gallery is not None
            flow = OnSiteEnrollment(
                project=self.project,
                attendee_id=outcome.attendee.id,
                store=self.store,
                gallery=self.gallery,
                engine=self.engine,
                settings=self.settings,
                capture_timeout_s=self.timing.capture_timeout_s,
            )
            self._offer = Offer(self, flow, outcome)
            self.bridge.face.emit(EnrollmentOffer(outcome, self._offer, self.service.project.name))

    def _seen(self, attendee_id: str) -> None:
        """Remember a check-in (caller holds the lock); old entries go."""
        now = time.monotonic()
        self._recent[attendee_id] = now
        if len(self._recent) > 256:
            self._recent = {k: t for k, t in self._recent.items() if now - t < self.timing.repeat_s}

    def _offer_wanted(self, outcome: Outcome) -> bool:
        person, event = outcome.attendee, outcome.event
        return (
            not self._stopped
            and not self._purged
            and self.gallery is not None
            and outcome.status is Status.ACCEPTED
            and event is not None
            and event.method is Method.ID_CARD
            and person is not None
            and not person.provisional  # a walk-in is not on the roster the template belongs to
            and Method.FACE in self.service.project.checkin.methods
            and person.id not in self._declined
            and person.id not in self.gallery.people(project=self.project)
        )

    def _capture(self, offer: Offer) -> None:
        with self._lock:
            if self._offer is not offer:
                offer.flow.cancel()
                return
        if self.desk is not None:
            self.desk.begin_enrollment(offer.flow)

    def _close_offer(self, offer: Offer, *, declined: bool = False) -> None:
        with self._lock:
            if self._offer is offer:
                self._offer = None
            if declined:  # not asked again while the desk runs (kept in memory only)
                self._declined.add(offer.flow.attendee_id)
            self._quiet_until = time.monotonic() + self.timing.quiet_s
        if self.desk is not None:
            self.desk.reset()  # the person now in front is served afresh

    def _enrollment_finished(self, event: EnrollmentFinished) -> None:
        with self._lock:
            offer = self._offer
            if offer is not None and offer.flow.attendee_id == event.attendee_id:
                self._offer = None
            self._seen(event.attendee_id)  # just enrolled: the same face is no new presentation
            self._quiet_until = time.monotonic() + self.timing.quiet_s
        if event.state == EnrollmentState.STORED:
            # Other processes following the store see it (our own gallery already has it).
            self._revision = bump_revision(self.store, self.project)
            audit.info("face template stored on site: project=%s attendee=%s confirmed_by=%s",
                       self.project, event.attendee_id, self.staff)  # fmt: skip
        self.bridge.face.emit(EnrollmentUpdate(event.attendee_id, event.state, event.reason))
