"""1:N identification on the shared photos: the five enrolled people, distinct probes, strangers."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.face.engine import FaceEngine, load_rgb
from drivers.face.gallery import Gallery
from drivers.face.settings import FaceSettings
from tests.support import error_rates
from tests.support.face_tracks import FACES, enrolled_people
from tests.support.faces import PhotoCache, encoding_of, gallery_of

S = FaceSettings()

# Distinct probes: other files than the enrollment photos (obama.jpg, obama2.jpg, biden.jpg at the
# top level and edge/32bit.png are copies of enrollment photos and only prove loading).
OBAMA_PROBES = ["obama-240p.jpg", "obama-480p.jpg", "obama-720p.jpg", "obama-1080p.jpg",
                "obama_small.jpg", "edge/obama3.jpg"]  # fmt: skip
PARTIAL = ["edge/obama_partial_face.jpg", "edge/obama_partial_face2.jpg"]


def identify(g: Gallery, enc: np.ndarray) -> tuple[str | None, float | None, str]:
    m = g.identify(enc, threshold=S.threshold, margin=S.margin)
    return m.person, m.distance, m.reason


def test_five_people_enrolled(gallery5: Gallery) -> None:
    assert gallery5.people() == {"alex_lacamoire", "biden", "kit_harington", "obama", "rose_leslie"}
    assert len(gallery5) == sum(len(v) for v in enrolled_people().values()) == 9


@pytest.mark.parametrize("name", OBAMA_PROBES)
def test_distinct_obama_probes_are_identified(
    name: str, photos: PhotoCache, gallery5: Gallery
) -> None:
    person, distance, _ = identify(gallery5, encoding_of(photos, FACES / name))
    assert person == "obama"
    assert distance is not None and distance < S.threshold


@pytest.mark.parametrize("name", PARTIAL)
def test_partial_faces_are_obama_or_refused(
    name: str, photos: PhotoCache, gallery5: Gallery
) -> None:
    faces = photos.faces(FACES / name)
    for face in faces:
        person, _, reason = identify(gallery5, face.encoding)
        assert person in ("obama", None), f"{name} matched {person}"
        if person is None:
            assert reason in ("above_threshold", "ambiguous")


def test_two_people_are_biden_and_obama(photos: PhotoCache, gallery5: Gallery) -> None:
    faces = photos.faces(FACES / "two_people.jpg")
    assert len(faces) == 2
    by_x = sorted(faces, key=lambda f: f.box.left)
    assert [identify(gallery5, f.encoding)[0] for f in by_x] == ["obama", "biden"]


@pytest.mark.parametrize(
    ("name", "who"),
    [("obama.jpg", "obama"), ("obama2.jpg", "obama"), ("biden.jpg", "biden"),
     ("edge/32bit.png", "obama")],
)  # fmt: skip
def test_copies_of_enrollment_photos_load_and_match(
    name: str, who: str, photos: PhotoCache, gallery5: Gallery
) -> None:
    # They prove loading (JPEG, RGBA PNG), not recognition: the distance is (near) zero.
    person, distance, _ = identify(gallery5, encoding_of(photos, FACES / name))
    assert person == who
    assert distance is not None and distance < 0.05


def test_rgba_png_loads_as_rgb() -> None:
    rgb = load_rgb(FACES / "edge" / "32bit.png")
    assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8


@pytest.mark.parametrize("left_out", sorted(enrolled_people()))
def test_person_left_out_is_not_matched(left_out: str, photos: PhotoCache) -> None:
    g = gallery_of(photos, leave_out=left_out)
    probes = list(enrolled_people()[left_out])
    if left_out == "obama":
        probes += [FACES / n for n in OBAMA_PROBES[:3]]
    for path in probes:
        for face in photos.faces(path):
            person, distance, reason = identify(g, face.encoding)
            assert person is None, f"{path.name} of {left_out} matched {person} at {distance}"
            assert reason == "above_threshold"


def test_image_without_a_face_yields_none(engine: FaceEngine) -> None:
    # A real frame of the clip where nobody faces the camera, and a flat grey card.
    import cv2

    cap = cv2.VideoCapture(str(FACES / "short_hamilton_clip.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 40)
    ok, frame = cap.read()
    cap.release()
    assert ok
    rgb = np.ascontiguousarray(frame[:, :, ::-1])
    assert engine.detect_live(rgb) == []
    assert engine.photo_faces(rgb) == []
    assert engine.photo_faces(np.full((480, 640, 3), 128, dtype=np.uint8)) == []


def test_documented_error_rates_hold(photos: PhotoCache) -> None:
    """The figures docs/face.md quotes (tests/support/error_rates.py prints the full table)."""
    items = error_rates.samples(photos.faces)
    assert len(items) == 19
    genuine, impostor = error_rates.pair_distances(items)
    assert (len(genuine), len(impostor)) == (60, 111)
    assert sum(d > S.threshold for d in genuine) == 0  # FRR 0/60 at the default threshold
    assert sum(d <= S.threshold for d in impostor) == 0  # FAR 0/111
    assert round(max(genuine), 2) == 0.43 and round(min(impostor), 2) == 0.76
    assert sum(d > S.verify_threshold for d in genuine) == 0
    r = error_rates.identification(items, threshold=S.threshold, margin=S.margin)
    assert (r.trials_enrolled, r.correct, r.wrong, r.refused) == (18, 18, 0, 0)
    assert (r.trials_absent, r.false_accepts) == (19, 0)
    # A stricter threshold trades misses for nothing here: the table in docs/face.md.
    strict = error_rates.identification(items, threshold=0.4, margin=S.margin)
    assert (strict.correct, strict.wrong, strict.refused) == (16, 0, 2)


@pytest.mark.slow
def test_probes_at_full_resolution_agree(photos: PhotoCache, engine: FaceEngine) -> None:
    """Detection on downscaled photos loses nothing: full-size detection gives the same answers."""
    from dataclasses import replace

    full = FaceEngine(engine.backend, replace(engine.settings, photo_max_side=4000))
    g = gallery_of(photos)
    for name in [*OBAMA_PROBES, "biden.jpg", "two_people.jpg"]:
        faces = full.photo_faces(load_rgb(FACES / name))
        assert faces, name
        assert all(identify(g, f.encoding)[0] in ("obama", "biden") for f in faces)
