"""Person–ID verification: the live face against the ID-card photo when a WLT decoder is
configured, otherwise against the attendee's enrolled template."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from drivers.face.backend import Encoding, Image
from drivers.face.engine import FaceEngine
from drivers.face.gallery import Gallery
from drivers.face.settings import FaceSettings

log = logging.getLogger(__name__)


class CardPhotoDecoder(Protocol):
    """The hook for a vendor WLT library (ID-card issue): photo bytes from the card → RGB."""

    def decode(self, wlt: bytes) -> Image | None:
        """The card photo as an RGB image, or None if these bytes cannot be decoded."""


@dataclass(frozen=True, slots=True)
class PersonIdResult:
    """Whether the live face is the cardholder, and what it was compared with."""

    matched: bool
    reference: str  # card_photo | template | none
    distance: float | None
    reason: str  # match | above_threshold | no_template | no_card_face | decoder_failed


class PersonIdVerifier:
    """Compare a live face with the card photo (decoder configured) or the enrolled template."""

    def __init__(
        self,
        *,
        engine: FaceEngine,
        gallery: Gallery,
        settings: FaceSettings | None = None,
        decoder: CardPhotoDecoder | None = None,
        project: str | None = None,
    ) -> None:
        self.engine = engine
        self.gallery = gallery
        self.settings = settings or engine.settings
        self.decoder = decoder
        self.project = project

    def card_encoding(self, wlt: bytes) -> Encoding | None:
        """The encoding of the face on the card photo, or None (logged) if there is none."""
        if self.decoder is None:
            return None
        try:
            photo = self.decoder.decode(wlt)
        # A vendor library can fail in any way on bad bytes: the check falls back, never crashes.
        except Exception:  # noqa: BLE001
            log.warning("WLT decoder failed on a card photo")
            return None
        if photo is None:
            return None
        faces = self.engine.photo_faces(np.ascontiguousarray(photo, dtype=np.uint8), min_px=30)
        return faces[0].encoding if faces else None

    def verify(
        self, live: npt.ArrayLike, *, attendee_id: str, card_photo: bytes | None = None
    ) -> PersonIdResult:
        """Card photo first when a decoder and photo bytes exist; else the enrolled template."""
        probe = np.asarray(live, dtype=np.float32).reshape(-1)
        if self.decoder is not None and card_photo:
            ref = self.card_encoding(card_photo)
            if ref is None:
                return PersonIdResult(False, "card_photo", None, "no_card_face")
            d = float(np.linalg.norm(ref - probe))
            ok = d <= self.settings.card_photo_threshold
            return PersonIdResult(ok, "card_photo", d, "match" if ok else "above_threshold")
        v = self.gallery.verify(
            probe, attendee_id, threshold=self.settings.verify_threshold, project=self.project
        )
        if v.reason == "no_template":
            return PersonIdResult(False, "none", None, "no_template")
        return PersonIdResult(v.matched, "template", v.distance, v.reason)
