"""Person–ID check after an ID-card tap: the card waits for its holder's face (1:1) to check in.

Project setting `[checkin] face_verify_cards = "enrolled"`: a roster attendee's card tap is held
while the station verifies the next face against their enrolled template, or against the card
photo when a WLT decoder is configured (`[sam] wlt_decoder`). Matched: the card check-in is
committed with the face crop as evidence. Not matched, a failed challenge, or no face within
`[face] card_verify_timeout_s`: a denied record. Nobody waits: the reader thread only queues the
tap, the station's worker starts the 1:1, a timer thread ends it, the face thread decides it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from drivers.face.backend import Image
from drivers.face.events import FaceEvent, FaceVerified, LivenessFailed, LivenessStarted
from drivers.face.verification import CardPhotoDecoder, PersonIdVerifier
from kiosk.core.errors import KioskError
from kiosk.core.model import Method
from kiosk.runtime.face.timing import MISMATCH_EN, MISMATCH_ZH
from kiosk.services.checkin import Credential
from kiosk.services.driver_texts import LIVENESS_FAILED
from kiosk.services.screen import FacePrompt

if TYPE_CHECKING:
    from drivers.face.engine import FaceEngine
    from drivers.face.gallery import Gallery
    from kiosk.runtime.face.state import StationState

log = logging.getLogger(__name__)
audit = logging.getLogger("kiosk.audit")

VERIFY_ZH = "请看摄像头核验身份"
VERIFY_EN = "Look at the camera to confirm it is you"
UNVERIFIED_ZH = "未能核验身份，请联系工作人员"
UNVERIFIED_EN = "Could not verify it is you — please see staff"
_AFTER_CHALLENGE_S = 3.0  # a challenge's end, then the identity re-check (FaceDesk recheck_s 2 s)


class BmpSource(Protocol):
    """A vendor WLT library (`drivers.idcard.wlt.WltDecoder`): card photo bytes → BMP bytes."""

    def decode(self, wlt: bytes) -> bytes:
        """The photo as a BMP file's bytes; raises if the library refuses them."""
        ...


class CardPhotos:
    """`CardPhotoDecoder` over a vendor WLT library: the BMP it writes, as an RGB image."""

    def __init__(self, source: BmpSource) -> None:
        self.source = source

    def decode(self, wlt: bytes) -> Image | None:
        """The card photo in RGB, or None if the BMP does not decode (library errors propagate)."""
        import cv2

        bgr = cv2.imdecode(np.frombuffer(self.source.decode(wlt), np.uint8), cv2.IMREAD_COLOR)
        return None if bgr is None else np.ascontiguousarray(bgr[:, :, ::-1], dtype=np.uint8)


@dataclass(slots=True, eq=False)
class _Pending:
    credential: Credential
    attendee_id: str
    reference: str  # template | card_photo
    deadline: float
    timer: threading.Timer | None = None


class CardCheck:
    """One held card tap at a time; called as the SAM reader's `verifier`."""

    def __init__(self, state: StationState, *, photos: CardPhotoDecoder | None = None) -> None:
        self._state = state
        self.photos = photos  # else loaded from [sam] wlt_decoder with the engine, if configured
        self._lock = threading.Lock()
        self._pending: _Pending | None = None
        self._ended: tuple[str, float] | None = None  # a tap that timed out: (attendee, when)
        self._closed = False
        self._timers: list[threading.Timer] = []  # started, not yet joined (close() joins them)

    def person_id_verifier(self, engine: FaceEngine, gallery: Gallery) -> PersonIdVerifier:
        """The desk's 1:1 verifier, with the card-photo decoder when one loads (worker thread)."""
        sam = self._state.config.sam
        if self.photos is None and sam.wlt_decoder is not None:
            from drivers.idcard.wlt import load_wlt_decoder

            decoder, detail = load_wlt_decoder(sam.wlt_decoder, function=sam.wlt_function)
            log.info("ID-card photo decoder: %s", detail)
            self.photos = CardPhotos(decoder) if decoder is not None else None
        st = self._state
        return PersonIdVerifier(engine=engine, gallery=gallery, settings=st.settings,
                                decoder=self.photos, project=st.project)  # fmt: skip

    def __call__(self, credential: Credential, photo: bytes | None) -> bool:
        """Reader thread: True if this tap is held for a face (its outcome follows later)."""
        st = self._state
        if (
            st.desk.checkin.project.checkin.face_verify_cards != "enrolled"
            or credential.method is not Method.ID_CARD
            or credential.document is None
            or st.face_desk is None  # not loaded, or face check-in is off: the card works as ever
            or st.purged
            or self._closed
        ):
            return False
        try:
            st.worker.submit(self._begin, credential, photo)
        except RuntimeError:  # the station is stopping
            return False
        return True

    def close(self) -> None:
        """Drop a held tap without a record (the desk is closing); its timer thread is joined."""
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, None
            timers, self._timers = self._timers, []
        if pending is not None and pending.timer is not None:
            pending.timer.cancel()
        for timer in timers:
            timer.cancel()
            if timer is not threading.current_thread():
                timer.join()

    # -- the station's worker -------------------------------------------------------------------

    def _begin(self, credential: Credential, photo: bytes | None) -> None:
        st = self._state
        assert credential.document is not None and st.face_desk is not None
        try:
            person = st.desk.checkin.store.roster.find_by_document(
                st.project, credential.document.number
            )
            reference = self._reference(person.id if person else None, photo)
        except Exception:  # a store error must not swallow the tap: the service answers it
            log.exception("card tap: person-ID check not started")
            person, reference = None, None
        if person is None or reference is None:
            st.desk.submit(credential)  # a walk-in, or nothing to compare with: as without
            return
        timeout = st.config.face.card_verify_timeout_s
        pending = _Pending(credential, person.id, reference, time.monotonic() + timeout)
        card_photo = photo if reference == "card_photo" else None
        with self._lock:
            if self._closed:
                log.warning("card of attendee %s dropped: the desk is closing", person.id)
                return
            old, self._pending = self._pending, pending
            # Inside the lock: a timer ending the old tap cannot undo this expectation.
            st.face_desk.expect(person.id, card_photo=card_photo, until=pending.deadline)
            self._arm(pending)
        if old is not None:
            if old.timer is not None:
                old.timer.cancel()
            log.info("held card of attendee %s replaced by another tap", old.attendee_id)
            self._interrupted(old)
        st.drop_offer()
        log.info("card of attendee %s waits for a face (%s)", person.id, reference)
        st.desk.publish(FacePrompt("verify", VERIFY_ZH, VERIFY_EN, pending.deadline, code="verify"))

    def _reference(self, attendee_id: str | None, photo: bytes | None) -> str | None:
        st = self._state
        if attendee_id is None or st.gallery is None:
            return None
        if self.photos is not None and photo:
            return "card_photo"
        return "template" if attendee_id in st.gallery.people(project=st.project) else None

    # -- the face thread and the timer ----------------------------------------------------------

    def _arm(self, pending: _Pending) -> None:
        """(Re)start the tap's timer for its deadline (caller holds the lock)."""
        if pending.timer is not None:
            pending.timer.cancel()
        pending.timer = threading.Timer(
            max(0.0, pending.deadline - time.monotonic()), self._expire, args=(pending,)
        )
        pending.timer.daemon = True
        self._timers = [t for t in self._timers if t.is_alive()]
        self._timers.append(pending.timer)
        pending.timer.start()

    def take(self, event: FaceEvent) -> bool:
        """Face thread: True if the event decided the held tap (the station does nothing more)."""
        if isinstance(event, LivenessStarted):
            self._challenged(event)
            return False  # the station shows the challenge
        if not isinstance(event, FaceVerified | LivenessFailed):
            return False
        with self._lock:
            pending, ended = self._pending, self._ended
            if pending is None or pending.attendee_id != event.attendee_id:
                # A verdict from the frame in flight when the tap timed out: already answered.
                if ended is None or ended[0] != event.attendee_id:
                    return False
                return time.monotonic() - ended[1] < _AFTER_CHALLENGE_S
            self._pending = None
        if pending.timer is not None:
            pending.timer.cancel()
        if isinstance(event, LivenessFailed):
            self._refuse(pending, f"liveness_{event.reason}", *LIVENESS_FAILED)
        elif event.matched:
            audit.info("card check-in confirmed by face: project=%s attendee=%s reference=%s "
                       "distance=%.3f", self._state.project, pending.attendee_id,
                       event.reference, event.distance or 0.0)  # fmt: skip
            self._state.desk.submit(replace(pending.credential, evidence=event.evidence))
        elif event.distance is None:  # no face on the card photo: nothing was compared
            self._refuse(pending, "face_verify_no_reference", UNVERIFIED_ZH, UNVERIFIED_EN)
        else:
            self._refuse(pending, "face_mismatch", MISMATCH_ZH, MISMATCH_EN)
        return True

    def _challenged(self, event: LivenessStarted) -> None:
        """The cardholder's face matched and got a liveness challenge: wait for its verdict."""
        with self._lock:
            pending = self._pending
            if pending is None or pending.attendee_id != event.attendee_id:
                return
            pending.deadline = max(pending.deadline, event.deadline + _AFTER_CHALLENGE_S)
            self._arm(pending)

    def _expire(self, pending: _Pending) -> None:
        """Timer thread: no face decided the tap in time; the desk returns to 1:N."""
        with self._lock:
            if self._pending is not pending:
                return
            self._pending = None
            self._ended = (pending.attendee_id, time.monotonic())
            if self._state.face_desk is not None:
                self._state.face_desk.expect(None)  # a challenge still running ends unanswered
        self._refuse(pending, "face_verify_timeout", UNVERIFIED_ZH, UNVERIFIED_EN)

    def _interrupted(self, pending: _Pending) -> None:
        """A held tap another card replaced: kept as a denied record, not shown (the new one is)."""
        try:
            self._state.desk.checkin.deny(
                method=Method.ID_CARD,
                reason="face_verify_interrupted",
                credential_text=pending.credential.audit_text(),
                detail=f"another card was tapped before the face of attendee "
                f"{pending.attendee_id} was checked",
            )
        except KioskError as exc:  # a full disk: the log still says what happened
            log.error("interrupted card tap not recorded: %s", exc.detail)

    def _refuse(self, pending: _Pending, reason: str, zh: str, en: str) -> None:
        """A denied record keyed by the card (its HMAC), never its number in clear."""
        masked = pending.credential.document.masked() if pending.credential.document else ""
        audit.info("card check-in refused by the face check: project=%s attendee=%s card=%s "
                   "reason=%s", self._state.project, pending.attendee_id, masked,
                   reason)  # fmt: skip
        self._state.desk.submit_refusal(
            method=Method.ID_CARD,
            reason=reason,
            message_zh=zh,
            message_en=en,
            detail=f"{reason} (card of attendee {pending.attendee_id}, {pending.reference})",
            credential=pending.credential,
        )
