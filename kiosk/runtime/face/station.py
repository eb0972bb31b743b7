"""Face check-in at the desk: engine and gallery loaded off the GUI thread, events to the screen.

Threads: the engine loads on the station's own worker; frames reach `FaceDesk.feed` on the
camera's "face" subscription thread, previews on a "face-preview" one; check-ins and refusals go
to the desk service's single desk thread. The screen is reached only through its events.
"""

from __future__ import annotations

import functools
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
from kiosk.runtime.face.state import StationState
from kiosk.runtime.face.templates import (
    bump_revision,
    follow_store,
    load_gallery,
    templates_revision_key,
)
from kiosk.runtime.face.timing import (
    MISMATCH_EN,
    MISMATCH_ZH,
    UNKNOWN_EN,
    UNKNOWN_ZH,
    StationTiming,
    stricter_policy,
)
from kiosk.services.checkin import Credential, Outcome, Status
from kiosk.services.desk import DeskPort, Subscription
from kiosk.services.driver_texts import (
    LIVENESS_FAILED,
    FaceCheckState,
    challenge_text,
    face_hint_text,
)
from kiosk.services.screen import (
    FACE_NAME,
    DeviceReason,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    PreviewFrame,
    ScreenEvent,
)
from sync.store import Store

if TYPE_CHECKING:
    import random

    from drivers.camera import Camera, Frame
    from drivers.camera import Subscription as FrameSubscription
    from drivers.face.desk import FaceDesk
    from drivers.face.engine import FaceEngine

log = logging.getLogger(__name__)
audit = logging.getLogger("kiosk.audit")

Loader = Callable[[], tuple["FaceEngine | None", FaceStatus]]


class FaceStation:
    """The desk's face check-in: loads off the GUI thread, reports its status, never crashes."""

    def __init__(
        self,
        *,
        config: Config,
        desk: DeskPort,
        camera: Camera,
        load: Loader | None = None,
        rng: random.Random | None = None,
        timing: StationTiming | None = None,
    ) -> None:
        checkin = desk.checkin
        settings = FaceSettings.from_config(config.face)
        self.camera = camera
        self.state = StationState(
            config=config,
            desk=desk,
            settings=settings,
            project=checkin.project.number,
            policy=stricter_policy(checkin.project.checkin.liveness, config.face.liveness),
            staff=f"desk {checkin.desk_name} ({checkin.device_id})",
            timing=timing or StationTiming(),
            worker=ThreadPoolExecutor(max_workers=1, thread_name_prefix="face-station"),
        )
        self._load: Loader = load or functools.partial(load_engine, settings)
        self._rng = rng
        self._recent: dict[str, float] = {}
        self._subs: list[FrameSubscription] = []
        self._outcomes: Subscription | None = None
        self._preview_busy = threading.Event()
        self._last_preview = 0.0
        self._last_poll = 0.0
        self._revision: str | None = None
        self.cards = CardCheck(self.state)  # the SAM reader's verifier (project face_verify_cards)
        self.status = FaceCheckState(False, "loading")

    @classmethod
    def create(cls, *, config: Config, desk: DeskPort, camera: Camera) -> FaceStation | None:
        """A station, or None when face check-in is off in [face] or for this project."""
        if not config.face.enabled or Method.FACE not in desk.checkin.project.checkin.methods:
            return None
        return cls(config=config, desk=desk, camera=camera)

    def use_challenge_rng(self, rng: random.Random) -> None:
        """Draw liveness challenges from `rng` (a demo's seed; else system-random); before start."""
        if self._outcomes is not None:
            raise RuntimeError("the challenge rng is set before the station starts")
        self._rng = rng

    # Read-only views the tests and the runtime use.
    @property
    def store(self) -> Store:
        """The desk's store."""
        return self.state.desk.checkin.store

    @property
    def project(self) -> str:
        """The project number."""
        return self.state.project

    @property
    def gallery(self) -> Gallery | None:
        """The loaded gallery (None until the engine has loaded)."""
        return self.state.gallery

    @property
    def desk(self) -> FaceDesk | None:
        """The face desk (None until the engine has loaded)."""
        return self.state.face_desk

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Say "loading", then load the engine and gallery on the station's worker thread."""
        self._report(ok=False, reason=DeviceReason("face_loading"))
        # Outcomes arrive on the desk thread that decided them: an offer follows its check-in.
        self._outcomes = self.state.desk.subscribe(self._after_event)
        self.state.worker.submit(self._load_and_run)

    def stop(self) -> None:
        """Unsubscribe from the camera (its owner closes it), drop any offer, join every thread."""
        st = self.state
        with st.lock:
            st.stopped = True
            offer, st.offer = st.offer, None
            subs, self._subs = self._subs, []
        if self._outcomes is not None:
            self._outcomes.close()
            self._outcomes = None
        self.cards.close()
        if offer is not None:
            offer.flow.cancel()
        for sub in subs:
            unsubscribe = getattr(self.camera, "unsubscribe", None)
            if unsubscribe is not None:
                unsubscribe(sub)  # joins the subscription's thread
            else:
                sub.close()
        st.worker.shutdown(wait=True)
        # The templates stay in the store; the in-memory copy need not outlive the station.
        if st.gallery is not None:
            st.gallery.remove_project(st.project)

    def project_purged(self, number: str) -> None:
        """Retention purged a project (any thread): its templates leave memory, face stops."""
        st = self.state
        if number != st.project:
            return
        st.purged = True
        if st.gallery is not None:
            st.gallery.remove_project(number)
        if st.face_desk is not None:
            st.face_desk.reset()
        self._report(ok=False, reason=DeviceReason("face_purged"))

    def _report(self, *, ok: bool, reason: DeviceReason, detail: str = "") -> None:
        self.state.desk.report_device(FACE_NAME, ok=ok, reason=reason, detail=detail)

    def _load_and_run(self) -> None:
        try:
            self._start_desk()
        # The loader guards the models itself; anything else (a store that cannot be read) is
        # still a status line, not a crash nor a desk stuck at "loading".
        except Exception as exc:
            log.exception("face station failed to start")
            self.status = FaceCheckState(False, type(exc).__name__)
            self._report(ok=False, reason=DeviceReason("face_off"), detail=self.status.line())

    def _start_desk(self) -> None:
        from drivers.face.desk import FaceDesk

        st = self.state
        engine, status = self._load()
        self.status = FaceCheckState.of(status)
        if engine is None:
            self._report(ok=False, reason=DeviceReason("face_off"), detail=self.status.line())
            return
        self._revision = self.store.get_meta(templates_revision_key(st.project))
        gallery = load_gallery(self.store, st.project)
        face_desk = FaceDesk(
            engine=engine,
            gallery=gallery,
            on_event=self._on_event,
            settings=st.settings,
            policy=st.policy,
            project=st.project,
            mirror=st.config.camera.mirror,
            rng=self._rng,
            verifier=self.cards.person_id_verifier(engine, gallery),
        )
        with st.lock:
            if st.stopped:
                return
            st.engine, st.gallery, st.face_desk = engine, gallery, face_desk
            n = len(gallery.people(project=st.project))
        # Said before the first frame can lead to a check-in (the line never lags the desk), and
        # outside the station's lock: the report goes through the desk's subscribers, and the
        # desk thread, answering a card under its subscription lock, may be waiting for ours.
        self._report(ok=True, reason=DeviceReason("face_ready", (str(n),)))
        with st.lock:
            if st.stopped:
                return
            self._subs.append(self.camera.subscribe(self._on_frame, name="face"))
            self._subs.append(self.camera.subscribe(self._on_preview, name="face-preview"))
        self.camera.start()  # idempotent; the camera's owner also starts and closes it

    # -- frames (camera subscription threads) ---------------------------------------------------

    def _asking(self) -> bool:
        """Whether the consent screen is up (offered or accepted, not yet capturing)."""
        offer = self.state.offer
        asking = (EnrollmentState.OFFERED, EnrollmentState.ACCEPTED)
        return offer is not None and offer.flow.state in asking

    def _on_frame(self, frame: Frame) -> None:
        st = self.state
        if self._asking():  # the consent screen is up: nobody is identified meanwhile
            offer = st.offer
            if offer is not None and time.monotonic() - offer.created > st.timing.offer_timeout_s:
                offer.cancel_now()  # no screen answered it (the screen's own limit is shorter)
                st.desk.publish(EnrollmentUpdate(offer.flow.attendee_id, "cancelled"))
            return
        if frame.t < st.quiet_until or st.purged:
            return
        face_desk = st.face_desk
        assert face_desk is not None  # subscribed only once it exists
        if frame.t - self._last_poll >= st.timing.poll_s:
            self._last_poll = frame.t
            self._follow_store(face_desk)
        face_desk.feed(frame)

    def _follow_store(self, face_desk: FaceDesk) -> None:
        """Templates withdrawn (or added) by another process reach the gallery here."""
        st = self.state
        revision = self.store.get_meta(templates_revision_key(st.project))
        if revision == self._revision or st.gallery is None:
            return
        self._revision = revision
        if follow_store(st.gallery, self.store, st.project):
            face_desk.reset()  # a face already decided is decided again against the new gallery

    def _on_preview(self, frame: Frame) -> None:
        import cv2

        timing = self.state.timing
        since = frame.t - self._last_preview
        # Throttled; and while the screen has not painted the last one, wait (up to 1 s: a
        # frame nobody received must not stop the preview for good).
        if since < 1.0 / timing.preview_fps or (self._preview_busy.is_set() and since < 1.0):
            return
        self._last_preview = frame.t
        h, w = frame.image.shape[:2]
        size = (timing.preview_width, max(1, round(h * timing.preview_width / w)))
        small = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
        if not self.state.config.camera.mirror:
            small = small[:, ::-1]  # people expect to see themselves as in a mirror
        rgb = np.ascontiguousarray(small[:, :, ::-1], dtype=np.uint8)
        self._preview_busy.set()
        self.state.desk.publish(PreviewFrame(rgb, self._preview_busy.clear, box=self._face_box()))

    def _face_box(self) -> tuple[float, float, float, float] | None:
        """The face the desk is serving, as fractions of the preview (mirrored like it)."""
        face_desk = self.state.face_desk
        seen = face_desk.primary_box if face_desk is not None else None
        if seen is None:
            return None
        box, w, h = seen
        left, right = box.left / w, box.right / w
        if not self.state.config.camera.mirror:
            left, right = 1.0 - right, 1.0 - left
        return (left, box.top / h, right, box.bottom / h)

    # -- face events (the "face" subscription thread) -----------------------------------------

    def _on_event(self, event: FaceEvent) -> None:
        publish = self.state.desk.publish
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
            self._refuse(f"liveness_{event.reason}", *LIVENESS_FAILED, event.attendee_id)
        elif self._asking():
            return  # a prompt from the frame in flight when the consent screen came up
        elif isinstance(event, LivenessStarted):
            # The deadline is in frame time, which is time.monotonic() for a camera.
            zh, en = challenge_text(event.challenge)
            publish(FacePrompt("liveness", zh, en, event.deadline, code=event.challenge.value))
        elif isinstance(event, FaceHint):
            zh, en = face_hint_text(event.problem)
            publish(FacePrompt("hint", zh, en, code=event.problem))
        elif isinstance(event, FaceUnknown):
            publish(FacePrompt("unknown", UNKNOWN_ZH, UNKNOWN_EN, code="unknown"))
        elif isinstance(event, EnrollmentFinished):
            self._enrollment_finished(event)

    def _check_in(self, attendee_id: str, evidence: bytes) -> None:
        """The crop goes with the credential: the store seals it beside the record."""
        with self.state.lock:
            last = self._recent.get(attendee_id)
        if last is not None and time.monotonic() - last < self.state.timing.repeat_s:
            log.info("face of attendee %s seen again right after their check-in", attendee_id)
            return
        self.state.desk.submit(
            Credential.attendee(attendee_id, method=Method.FACE, evidence=evidence)
        )

    def _refuse(self, reason: str, zh: str, en: str, attendee_id: str) -> None:
        # The denied record keeps no crop: the store's denied table has no evidence column.
        self.state.desk.submit_refusal(
            method=Method.FACE,
            reason=reason,
            message_zh=zh,
            message_en=en,
            detail=f"{reason} (matched attendee {attendee_id})",
        )

    # -- on-site enrollment (the desk thread) ---------------------------------------------------

    def _after_event(self, event: ScreenEvent) -> None:
        if isinstance(event, Outcome):
            self._after_outcome(event)

    def _after_outcome(self, outcome: Outcome) -> None:
        """After a check-in: close an offer left open; offer enrollment to a new cardholder."""
        st = self.state
        events: list[ScreenEvent] = []
        with st.lock:
            if outcome.attendee is not None:
                self._seen(outcome.attendee.id)
            offer = st.offer
            if offer is not None and offer.outcome is not outcome:
                st.offer = None  # someone else presented: the last person has gone
                offer.flow.cancel()
                # Said now: the camera may next serve another offer and not feed this one's end.
                events.append(EnrollmentUpdate(offer.flow.attendee_id, "cancelled"))
                offer = None
            if offer is None and self._offer_wanted(outcome):
                assert outcome.attendee is not None and st.engine is not None
                assert st.gallery is not None
                flow = OnSiteEnrollment(
                    project=st.project,
                    attendee_id=outcome.attendee.id,
                    store=self.store.records,
                    gallery=st.gallery,
                    engine=st.engine,
                    settings=st.settings,
                    capture_timeout_s=st.timing.capture_timeout_s,
                )
                st.offer = Offer(st, flow, outcome)
                events.append(EnrollmentOffer(outcome, st.offer, st.desk.checkin.project.name))
        for event in events:  # outside the lock: listeners may call back into the station
            st.desk.publish(event)

    def _seen(self, attendee_id: str) -> None:
        """Remember a check-in (caller holds the lock); old entries go."""
        now = time.monotonic()
        self._recent[attendee_id] = now
        if len(self._recent) > 256:
            repeat = self.state.timing.repeat_s
            self._recent = {k: t for k, t in self._recent.items() if now - t < repeat}

    def _offer_wanted(self, outcome: Outcome) -> bool:
        st = self.state
        person, event = outcome.attendee, outcome.event
        return (
            not st.stopped
            and not st.purged
            and st.gallery is not None
            and outcome.status is Status.ACCEPTED
            and event is not None
            and event.method is Method.ID_CARD
            and person is not None
            and not person.provisional  # a walk-in is not on the roster the template belongs to
            and Method.FACE in st.desk.checkin.project.checkin.methods
            and person.id not in st.declined
            and person.id not in st.gallery.people(project=st.project)
        )

    def _enrollment_finished(self, event: EnrollmentFinished) -> None:
        st = self.state
        with st.lock:
            offer = st.offer
            if offer is not None and offer.flow.attendee_id == event.attendee_id:
                st.offer = None
            self._seen(event.attendee_id)  # just enrolled: the same face is no new presentation
            st.quiet_until = time.monotonic() + st.timing.quiet_s
        if event.state == EnrollmentState.STORED:
            # Other processes following the store see it (our own gallery already has it).
            self._revision = bump_revision(self.store, st.project)
            audit.info("face template stored on site: project=%s attendee=%s confirmed_by=%s",
                       st.project, event.attendee_id, st.staff)  # fmt: skip
        st.desk.publish(EnrollmentUpdate(event.attendee_id, event.state, event.reason))
