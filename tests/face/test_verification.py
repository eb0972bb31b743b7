"""Person–ID verification: the ID-card photo through a decoder hook, else the enrolled template."""

from __future__ import annotations

import io

import numpy as np
import pytest

from drivers.face.backend import Image
from drivers.face.engine import FaceEngine, load_rgb
from drivers.face.verification import PersonIdVerifier
from tests.support.face_tracks import FACES
from tests.support.faces import PhotoCache, encoding_of, gallery_of


class ImageBytesDecoder:
    """Stands in for a vendor WLT library (which cannot run here): the 'card photo' bytes are an
    ordinary image file, decoded to RGB like the vendor's bitmap would be."""

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, wlt: bytes) -> Image | None:
        self.calls += 1
        try:
            return load_rgb(wlt)
        except ValueError:
            return None


class BrokenDecoder:
    def decode(self, wlt: bytes) -> Image | None:
        raise OSError("vendor library crashed")


def card_photo(name: str) -> bytes:
    """A photo at the ID card's resolution (102×126, the card stores a tiny portrait)."""
    from PIL import Image as PilImage

    rgb = load_rgb(FACES / name)
    h, w = rgb.shape[:2]
    side = min(h, w)
    square = rgb[(h - side) // 2 : (h - side) // 2 + side, (w - side) // 2 : (w - side) // 2 + side]
    out = io.BytesIO()
    PilImage.fromarray(np.ascontiguousarray(square)).resize((102, 126)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def verifier_factory(engine: FaceEngine, photos: PhotoCache):  # type: ignore[no-untyped-def]
    def make(decoder: object = None) -> PersonIdVerifier:
        return PersonIdVerifier(engine=engine, gallery=gallery_of(photos), decoder=decoder)  # type: ignore[arg-type]

    return make


def test_without_a_decoder_the_template_is_the_reference(verifier_factory, photos) -> None:  # type: ignore[no-untyped-def]
    v = verifier_factory()
    live = encoding_of(photos, FACES / "obama-480p.jpg")
    ok = v.verify(live, attendee_id="obama", card_photo=card_photo("obama.jpg"))
    assert ok.matched and ok.reference == "template" and ok.distance < 0.55
    bad = v.verify(live, attendee_id="biden")
    assert not bad.matched and bad.reason == "above_threshold"
    none = v.verify(live, attendee_id="A-never-enrolled")
    assert not none.matched and none.reference == "none" and none.reason == "no_template"


def test_with_a_decoder_the_card_photo_is_the_reference(verifier_factory, photos) -> None:  # type: ignore[no-untyped-def]
    decoder = ImageBytesDecoder()
    v = verifier_factory(decoder)
    live = encoding_of(photos, FACES / "obama-480p.jpg")
    ok = v.verify(live, attendee_id="A-never-enrolled", card_photo=card_photo("obama.jpg"))
    assert ok.matched and ok.reference == "card_photo" and decoder.calls == 1
    assert ok.distance is not None and ok.distance < 0.6
    stand_in = v.verify(
        encoding_of(photos, FACES / "biden.jpg"),
        attendee_id="obama",
        card_photo=card_photo("obama.jpg"),
    )
    assert not stand_in.matched and stand_in.reason == "above_threshold"
    # No card photo read (an older reader): back to the template.
    assert v.verify(live, attendee_id="obama").reference == "template"


def test_undecodable_card_photo_never_crashes(verifier_factory, photos) -> None:  # type: ignore[no-untyped-def]
    live = encoding_of(photos, FACES / "obama-480p.jpg")
    r = verifier_factory(ImageBytesDecoder()).verify(
        live, attendee_id="obama", card_photo=b"WLT\x00junk"
    )
    assert not r.matched and r.reason == "no_card_face"
    r2 = verifier_factory(BrokenDecoder()).verify(live, attendee_id="obama", card_photo=b"x")
    assert not r2.matched and r2.reason == "no_card_face"
