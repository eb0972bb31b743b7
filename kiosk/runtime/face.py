"""Face check-in at the desk: engine and gallery loaded off the GUI thread, events to the screen.

Threads: the engine loads on the station's own worker; frames reach `FaceDesk.feed` on the
camera's "face" subscription thread, previews on a "face-preview" one; check-ins and refusals go
to the bridge's single desk thread. Widgets are reached only through `DeskBridge` signals. The
module itself does not import Qt, so the CLI can share `templates_revision_key` cheaply.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from drivers.face.availability import FaceStatus, load_engine
from drivers.face.enrollment import EnrollmentError, EnrollmentState, OnSiteEnrollment
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
from drivers.face.gallery import Gallery, GalleryError
from drivers.face.settings import FaceSettings
from kiosk.config import Config
from kiosk.core.model import Method
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from sync.store import Store

if TYPE_CHECKING:
    import random

    from drivers.camera import Camera, Frame, Subscription
    from drivers.face.engine import FaceEngine
    from kiosk.ui.bridge import DeskBridge

log = logging.getLogger(__name__)
audit = logging.getLogger("kiosk.audit")

FACE_NAME = "人脸 face"
LOADING = "人脸模型加载中… face: loading…"
UNKNOWN_ZH = "未能识别，请刷身份证或扫码"
UNKNOWN_EN = "Not recognised — tap your ID card or scan your code"
MISMATCH_ZH = "人脸与证件不符，请联系工作人员"
MISMATCH_EN = "Face does not match the card — please see staff"
_POLICIES = ("off", "challenge_on_doubt", "always")

Loader = Callable[[], tuple["FaceEngine | None", FaceStatus]]


def templates_revision_key(project: str) -> str:
    """The store meta key bumped whenever templates change outside a running station."""
    return f"face_templates_rev:{project}"


def stricter_policy(*policies: str) -> str:
    """The strictest liveness policy named (the venue may raise the organizer's, never lower)."""
    return max(policies, key=_POLICIES.index)


# -- what the station shows (frozen, emitted through DeskBridge.face / .preview) ---------------


@dataclass(frozen=True, slots=True)
class FacePrompt:
    """A line for the person at the camera: kind liveness (with a deadline), hint or unknown."""

    kind: str
    zh: str
    en: str
    deadline: float | None = None  # time.monotonic() when a liveness challenge runs out


@dataclass(frozen=True, slots=True, eq=False)
class PreviewFrame:
    """A small RGB preview (mirrored like a looking glass); call `shown()` once painted."""

    rgb: npt.NDArray[np.uint8]
    shown: Callable[[], None]


class EnrollmentControls(Protocol):
    """What the consent screen may do with an offer (GUI thread; each call returns at once)."""

    def accept(self) -> None:
        """The person agreed."""

    def decline(self) -> None:
        """The person declined; the check-in stands."""

    def confirm(self) -> None:
        """Staff confirmed the person at the camera holds the card; capture starts."""

    def cancel(self) -> None:
        """Nobody answered, or the person left."""


@dataclass(frozen=True, slots=True, eq=False)
class EnrollmentOffer:
    """Offer face enrollment after this ID-card check-in (shown on the consent screen)."""

    outcome: Outcome
    controls: EnrollmentControls
    project_name: str


@dataclass(frozen=True, slots=True)
class EnrollmentUpdate:
    """An offered enrollment ended: stored | failed | cancelled (reason for failed)."""

    attendee_id: str
    state: str
    reason: str = ""


# -- the station ---------------------------------------------------------------------------------


class _Offer:
    """One open enrollment offer; its controls are called from the GUI thread."""

    def __init__(self, station: FaceStation, flow: OnSiteEnrollment, outcome: Outcome) -> None:
        self._station = station
        self.flow = flow
        self.outcome = outcome

    def _step(self, name: str, fn: Callable[[], object]) -> bool:
        try:
            fn()
        except EnrollmentError as exc:  # a double tap: the first one already moved the flow on
            log.info("enrollment %s ignored: %s", name, exc)
            return False
        return True

    def accept(self) -> None:
        """Record consent (its instant is kept with the template)."""
        if self._step("accept", self.flow.accept):
            audit.info("face consent given: project=%s attendee=%s at=%s", self.flow.project,
                       self.flow.attendee_id, self.flow.consent_at)  # fmt: skip

    def decline(self) -> None:
        """Nothing is stored; the card check-in is untouched."""
        if self._step("decline", self.flow.decline):
            audit.info("face consent declined: project=%s attendee=%s", self.flow.project,
                       self.flow.attendee_id)  # fmt: skip
            self._station._close_offer(self)

    def confirm(self) -> None:
        """Staff vouched for the cardholder: frames go to the enrollment from the next one on."""
        staff = self._station.staff
        if self._step("confirm", lambda: self.flow.confirm_cardholder(staff=staff)):
            # The store has no column for the confirming staff member: the audit log keeps it.
            audit.info("face cardholder confirmed: project=%s attendee=%s by=%s",
                       self.flow.project, self.flow.attendee_id, staff)  # fmt: skip
            self._station._capture(self)

    def cancel(self) -> None:
        """Abandon; a capture in progress ends at the next frame (EnrollmentFinished)."""
        capturing = self.flow.state is EnrollmentState.CAPTURING
        self.flow.cancel()
        if not capturing:
            self._station._close_offer(self)


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
        preview_fps: float = 5.0,
        preview_width: int = 240,
        poll_s: float = 2.0,
        capture_timeout_s: float = 20.0,
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
        self.lang = config.kiosk.language
        self._load: Loader = load or (lambda: load_engine(self.settings))
        self._rng = rng
        self._preview_gap = 1.0 / preview_fps
        self._preview_width = preview_width
        self._poll_s = poll_s
        self._capture_timeout = capture_timeout_s
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="face-station")
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []
        self._preview_busy = threading.Event()
        self._last_preview = 0.0
        self._last_poll = 0.0
        self._revision: str | None = None
        self._offer: _Offer | None = None
        self._stopped = False
        self.engine: FaceEngine | None = None
        self.gallery: Gallery | None = None
        self.desk: Any = None  # drivers.face.FaceDesk once ready
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

    def _report(self, *, ok: bool, detail: str) -> None:
        self.bridge.report_device(FACE_NAME, ok=ok, detail=detail)

    def _load_and_run(self) -> None:
        from drivers.face.desk import FaceDesk

        try:
            engine, status = self._load()
        # The loader guards the models itself; anything else is still a status, not a crash.
        except Exception as exc:
            log.exception("face engine failed to load")
            engine, status = None, FaceStatus(False, f"engine failed to load: {exc}")
        self.status = status
        if engine is None:
            self._report(ok=False, detail=f"{status.line('zh')} / {status.line('en')}")
            return
        gallery = self._gallery()
        self._revision = self.store.get_meta(templates_revision_key(self.project))
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
        )
        with self._lock:
            if self._stopped:
                return
            self._subs.append(self.camera.subscribe(self._on_frame, name="face"))
            self._subs.append(self.camera.subscribe(self._on_preview, name="face-preview"))
        self.camera.start()  # idempotent; the camera's owner also starts and closes it
        n = len(gallery.people(project=self.project))
        self._report(
            ok=True, detail=f"人脸签到可用，已登记 {n} 人 / face check-in ready, {n} enrolled"
        )

    def _gallery(self) -> Gallery:
        """The project's templates; a damaged one is skipped (that person uses the card)."""
        gallery = Gallery()
        for person, blob in self.store.face_templates(self.project).items():
            try:
                gallery.add_template(person, blob, project=self.project)
            except GalleryError as exc:
                log.warning("face template of attendee %s skipped: %s", person, exc)
        return gallery

    # -- frames (camera subscription threads) ---------------------------------------------------

    def _on_frame(self, frame: Frame) -> None:
        with self._lock:
            offer = self._offer
        if offer is not None and offer.flow.state is not EnrollmentState.CAPTURING:
            return  # the consent screen is up: nobody is identified meanwhile
        if frame.t - self._last_poll >= self._poll_s:
            self._last_poll = frame.t
            self._follow_store()
        self.desk.feed(frame)

    def _follow_store(self) -> None:
        """Templates withdrawn (or added) by another process reach the gallery here."""
        revision = self.store.get_meta(templates_revision_key(self.project))
        if revision == self._revision or self.gallery is None:
            return
        self._revision = revision
        held = self.store.face_templates(self.project)
        for person in self.gallery.people(project=self.project) - held.keys():
            self.gallery.remove(person, project=self.project)
            log.info("face template of attendee %s left the gallery (withdrawn)", person)
        for person in held.keys() - self.gallery.people(project=self.project):
            try:
                self.gallery.add_template(person, held[person], project=self.project)
            except GalleryError as exc:
                log.warning("face template of attendee %s skipped: %s", person, exc)
        self.desk.reset()  # a face already decided is decided again against the new gallery

    def _on_preview(self, frame: Frame) -> None:
        import cv2

        if frame.t - self._last_preview < self._preview_gap or self._preview_busy.is_set():
            return  # throttled, or the screen has not painted the last one yet
        self._last_preview = frame.t
        h, w = frame.image.shape[:2]
        size = (self._preview_width, max(1, round(h * self._preview_width / w)))
        small = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
        if not self.config.camera.mirror:
            small = small[:, ::-1]  # people expect to see themselves as in a mirror
        rgb = np.ascontiguousarray(small[:, :, ::-1], dtype=np.uint8)
        self._preview_busy.set()
        self.bridge.preview.emit(PreviewFrame(rgb, self._preview_busy.clear))

    # -- face events (the "face" subscription thread) -----------------------------------------

    def _on_event(self, event: FaceEvent) -> None:
        face = self.bridge.face
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
                capture_timeout_s=self._capture_timeout,
            )
            self._offer = _Offer(self, flow, outcome)
            self.bridge.face.emit(EnrollmentOffer(outcome, self._offer, self.service.project.name))

    def _offer_wanted(self, outcome: Outcome) -> bool:
        person, event = outcome.attendee, outcome.event
        return (
            not self._stopped
            and self.gallery is not None
            and outcome.status is Status.ACCEPTED
            and event is not None
            and event.method is Method.ID_CARD
            and person is not None
            and not person.provisional  # a walk-in is not on the roster the template belongs to
            and Method.FACE in self.service.project.checkin.methods
            and person.id not in self.gallery.people(project=self.project)
        )

    def _capture(self, offer: _Offer) -> None:
        with self._lock:
            if self._offer is not offer:
                offer.flow.cancel()
                return
        self.desk.begin_enrollment(offer.flow)

    def _close_offer(self, offer: _Offer) -> None:
        with self._lock:
            if self._offer is offer:
                self._offer = None
        self.desk.reset()  # the person now in front is served afresh

    def _enrollment_finished(self, event: EnrollmentFinished) -> None:
        with self._lock:
            offer = self._offer
            if offer is not None and offer.flow.attendee_id == event.attendee_id:
                self._offer = None
        if event.state == EnrollmentState.STORED:
            self._bump_revision()
            audit.info("face template stored on site: project=%s attendee=%s confirmed_by=%s",
                       self.project, event.attendee_id, self.staff)  # fmt: skip
        self.bridge.face.emit(EnrollmentUpdate(event.attendee_id, event.state, event.reason))

    def _bump_revision(self) -> None:
        """Other processes following the store see the change (our own gallery already has it)."""
        key = templates_revision_key(self.project)
        value = f"{time.time_ns()}"
        self.store.set_meta(key, value)
        self._revision = value
