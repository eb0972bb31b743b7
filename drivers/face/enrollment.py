"""Face enrollment with consent: from roster photos, or on site after an ID-card check-in.

On-site flow (PIPL: a face is sensitive personal information needing separate consent):

    OFFERED --accept()--> ACCEPTED --confirm_cardholder(staff)--> CAPTURING --feed(frames)--> STORED
       \\--decline()--> DECLINED  (nothing is written; the check-in stands as it was)
    any open state --cancel()--> CANCELLED
    CAPTURING --timeout, or the face is enrolled as someone else--> FAILED
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import numpy as np

from drivers.face.backend import Encoding, Image
from drivers.face.engine import FaceEngine, bgr_to_rgb, gray_of, load_rgb
from drivers.face.gallery import Gallery, pack_template
from drivers.face.geometry import Box, iou, primary_index
from drivers.face.settings import FaceSettings

log = logging.getLogger(__name__)


class TemplateStore(Protocol):
    """What enrollment needs from the kiosk store (sync.store.Store provides exactly this)."""

    def save_face_template(
        self,
        *,
        project: str,
        attendee_id: str,
        template: bytes,
        source: str,
        consent_at: datetime,
        confirmed_by: str = "",
    ) -> None:
        """Keep a template with its consent instant and who vouched for the cardholder."""

    def delete_face_template(self, project: str, attendee_id: str) -> bool:
        """Delete a template; True if there was one."""


class EnrollmentState(StrEnum):
    """Where an on-site enrollment stands."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    CAPTURING = "capturing"
    STORED = "stored"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        """Whether nothing more can happen."""
        return self in (self.STORED, self.DECLINED, self.CANCELLED, self.FAILED)


class EnrollmentError(RuntimeError):
    """A step was called out of order (a UI bug): the state does not change."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OnSiteEnrollment:
    """One person's on-site enrollment; call from one thread (the desk's), in the order above."""

    def __init__(
        self,
        *,
        project: str,
        attendee_id: str,
        store: TemplateStore,
        gallery: Gallery,
        engine: FaceEngine,
        settings: FaceSettings | None = None,
        clock: Callable[[], datetime] = _utc_now,
        capture_timeout_s: float = 20.0,
        min_gap_s: float = 0.25,
    ) -> None:
        self.project = project
        self.attendee_id = attendee_id
        self.store = store
        self.gallery = gallery
        self.engine = engine
        self.settings = settings or engine.settings
        self._clock = clock
        self._timeout = capture_timeout_s
        self._gap = min_gap_s
        self.state = EnrollmentState.OFFERED
        self.consent_at: datetime | None = None
        self.confirmed_by: str | None = None
        self.reason = ""
        self._started: float | None = None
        self._encodings: list[Encoding] = []
        self._last: tuple[float, Box] | None = None

    def _require(self, *states: EnrollmentState) -> None:
        if self.state not in states:
            raise EnrollmentError(f"enrollment is {self.state.value}")

    def accept(self) -> datetime:
        """The person consented on the consent screen; the consent instant is kept."""
        self._require(EnrollmentState.OFFERED)
        self.consent_at = self._clock()
        self.state = EnrollmentState.ACCEPTED
        return self.consent_at

    def decline(self) -> None:
        """The person declined: nothing is stored, nothing else changes."""
        self._require(EnrollmentState.OFFERED)
        self.state = EnrollmentState.DECLINED

    def confirm_cardholder(self, *, staff: str) -> None:
        """Staff confirmed that the person at the camera holds the card; capture may start."""
        self._require(EnrollmentState.ACCEPTED)
        if not staff:
            raise EnrollmentError("the confirming staff member must be named")
        self.confirmed_by = staff
        self.state = EnrollmentState.CAPTURING

    def cancel(self) -> None:
        """Abandon (staff pressed cancel, the person left); nothing is stored."""
        if not self.state.final:
            self.state = EnrollmentState.CANCELLED

    def feed(self, bgr: np.ndarray, t: float | None = None) -> EnrollmentState:
        """Offer one camera frame while CAPTURING; stores the template after enough good frames."""
        if self.state is not EnrollmentState.CAPTURING:
            return self.state
        now = time.monotonic() if t is None else t
        if self._started is None:
            self._started = now
        if now - self._started > self._timeout:
            return self._fail("timeout")
        if self._last is not None and now - self._last[0] < self._gap:
            return self.state
        rgb = bgr_to_rgb(bgr)
        box = self._usable_face(rgb)
        if box is None:
            return self.state
        if self._last is not None and iou(self._last[1], box) < 0.2:
            self._encodings.clear()  # a different face in front: start the collection again
        encoding = self.engine.encode(rgb, box)
        if (
            self._encodings
            and min(float(np.linalg.norm(e - encoding)) for e in self._encodings)
            > self.settings.threshold
        ):
            self._encodings.clear()  # not the same person as the frames before
        self._encodings.append(encoding)
        self._last = (now, box)
        if len(self._encodings) >= self.settings.enroll_frames:
            return self._store()
        return self.state

    def _usable_face(self, rgb: Image) -> Box | None:
        """The primary face if it passes the quality gates."""
        found = self.engine.detect_live(rgb)
        i = primary_index([b for b, _ in found], width=rgb.shape[1], height=rgb.shape[0])
        if i is None:
            return None
        box, score = found[i]
        return box if self.engine.inspect(rgb, gray_of(rgb), box, score).quality.ok else None

    def _fail(self, reason: str) -> EnrollmentState:
        self.state, self.reason = EnrollmentState.FAILED, reason
        log.warning("on-site face enrollment failed: %s", reason)
        return self.state

    def _store(self) -> EnrollmentState:
        vectors = np.stack(self._encodings)
        for enc in vectors:
            other = self.gallery.identify(
                enc, threshold=self.settings.threshold, margin=0.0, project=self.project
            )
            if other.person is not None and other.person != self.attendee_id:
                # The same face already belongs to another attendee: no second identity.
                return self._fail("enrolled_as_other")
        assert self.consent_at is not None
        self.store.save_face_template(
            project=self.project,
            attendee_id=self.attendee_id,
            template=pack_template(vectors),
            source="on_site",
            consent_at=self.consent_at,
            confirmed_by=self.confirmed_by or "",
        )
        self.gallery.remove(self.attendee_id, project=self.project)
        self.gallery.add(self.attendee_id, vectors, project=self.project)
        self.state = EnrollmentState.STORED
        log.info("face template stored on site (confirmed by staff %s)", self.confirmed_by)
        return self.state


@dataclass(frozen=True, slots=True)
class RosterResult:
    """Encodings taken from roster photos, and why any photo was not used."""

    encodings: np.ndarray
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether at least one photo gave an encoding."""
        return len(self.encodings) > 0


def encodings_from_photos(
    engine: FaceEngine, photos: Sequence[bytes | Image], *, min_px: int = 80
) -> RosterResult:
    """One encoding per usable photo: exactly one clear face (or one far larger than the rest)."""
    found: list[Encoding] = []
    problems: list[str] = []
    for n, photo in enumerate(photos, start=1):
        try:
            rgb = load_rgb(photo) if isinstance(photo, bytes) else photo
        except ValueError as exc:
            problems.append(f"photo {n}: {exc}")
            continue
        faces = [f for f in engine.photo_faces(rgb, min_px=20)]
        if not faces:
            problems.append(f"photo {n}: no face")
            continue
        main = faces[0]
        if len(faces) > 1 and faces[1].box.area * 2 > main.box.area:
            problems.append(f"photo {n}: several faces of similar size")
            continue
        if min(main.box.width, main.box.height) < min_px:
            problems.append(f"photo {n}: face smaller than {min_px} px")
            continue
        found.append(main.encoding)
    arr = np.stack(found) if found else np.zeros((0, 128), dtype=np.float32)
    return RosterResult(arr, tuple(problems))


def enroll_from_roster(
    *,
    engine: FaceEngine,
    store: TemplateStore,
    gallery: Gallery,
    project: str,
    attendee_id: str,
    photos: Sequence[bytes | Image],
    consent_at: datetime,
) -> RosterResult:
    """Store a template from the platform's roster photos (consent given at registration)."""
    result = encodings_from_photos(engine, photos)
    if result.ok:
        store.save_face_template(
            project=project,
            attendee_id=attendee_id,
            template=pack_template(result.encodings),
            source="roster_photo",
            consent_at=consent_at,
        )
        gallery.remove(attendee_id, project=project)
        gallery.add(attendee_id, result.encodings, project=project)
    return result


def withdraw(*, store: TemplateStore, gallery: Gallery, project: str, attendee_id: str) -> bool:
    """Consent withdrawn: the template leaves the store and the in-memory gallery."""
    removed_rows = gallery.remove(attendee_id, project=project)
    had = store.delete_face_template(project, attendee_id)
    log.info("face template withdrawn (%s)", "deleted" if had or removed_rows else "none held")
    return had or removed_rows > 0
