"""Pure pieces: boxes, primary face, landmark measures, the IoU tracker, quality gates, crops."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image as PilImage

from drivers.face.engine import BadImage, FaceEngine, face_crop_jpeg, gray_of, load_rgb
from drivers.face.geometry import (
    Box,
    affine_residual,
    eye_aspect_ratio,
    iou,
    normalized,
    primary_index,
    roll_degrees,
    yaw_ratio,
)
from drivers.face.quality import assess
from drivers.face.tracker import IouTracker
from tests.support.face_tracks import FACES
from tests.support.faces import PhotoCache


def test_iou() -> None:
    a = Box(0, 0, 10, 10)
    assert iou(a, a) == 1.0
    assert iou(a, Box(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou(a, Box(10, 10, 20, 20)) == 0.0


def test_primary_is_largest_and_most_central() -> None:
    w, h = 640, 480
    central = Box(270, 190, 370, 290)  # 100 px in the middle
    edge_big = Box(0, 0, 110, 110)  # a little larger, in the corner
    assert primary_index([edge_big, central], width=w, height=h) == 1
    close = Box(200, 120, 440, 360)  # someone stepping up close wins over the centred one
    assert primary_index([central, close, edge_big], width=w, height=h) == 1
    assert primary_index([], width=w, height=h) is None


def landmarks_of(photos: PhotoCache, name: str) -> np.ndarray:
    return photos.faces(FACES / name)[0].points


def test_landmark_measures_on_a_real_face(photos: PhotoCache) -> None:
    p = landmarks_of(photos, "obama-720p.jpg")
    n = normalized(p)
    assert n[36:42].mean(0) == pytest.approx([-0.5, 0.0], abs=1e-9)
    assert n[42:48].mean(0) == pytest.approx([0.5, 0.0], abs=1e-9)
    assert abs(yaw_ratio(p)) < 0.1 and abs(roll_degrees(p)) < 3
    # Rotating, scaling and moving the face changes none of the pose-free measures.
    th = np.radians(20)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    q = (p - 300) @ rot.T * 1.7 + 50
    assert yaw_ratio(q) == pytest.approx(yaw_ratio(p), abs=1e-9)
    assert roll_degrees(q) == pytest.approx(roll_degrees(p) + 20, abs=1e-6)
    assert affine_residual(p, q) == pytest.approx(0.0, abs=1e-9)
    shear = p @ np.array([[1.0, 0.3], [0.0, 0.8]]).T  # any affine map: a flat picture
    assert affine_residual(p, shear) < 1e-9
    bent = p.copy()
    bent[27:36, 0] += 6.0  # the nose alone moves: not affine, a 3-D face
    assert affine_residual(p, bent) > 0.02


def test_eye_aspect_ratio() -> None:
    open_eye = np.array([[0, 0], [3, -2], [7, -2], [10, 0], [7, 2], [3, 2]], dtype=float)
    assert eye_aspect_ratio(open_eye) == pytest.approx(0.4)
    shut = open_eye.copy()
    shut[[1, 2], 1] = 1.8
    assert eye_aspect_ratio(shut) == pytest.approx(0.02)
    assert eye_aspect_ratio(np.zeros((6, 2))) == 0.0


def test_tracker_keeps_ids_and_ends_tracks() -> None:
    tr = IouTracker(iou_min=0.3, ttl_s=1.0)
    (a,), ended = tr.update([Box(100, 100, 200, 200)], 0.0)
    assert ended == []
    (a2, b), _ = tr.update([Box(105, 102, 205, 202), Box(400, 100, 480, 180)], 0.1)
    assert a2.id == a.id and b.id != a.id and a2.hits == 2
    (b2,), ended = tr.update([Box(402, 100, 482, 180)], 1.15)
    assert b2.id == b.id and [t.id for t in ended] == [a.id]  # unseen for more than ttl
    (c,), _ = tr.update([Box(100, 100, 200, 200)], 1.2)
    assert c.id not in (a.id, b.id)  # a face coming back later is a new track
    assert {t.id for t in tr.clear()} == {b.id, c.id} and tr.tracks == {}


def test_quality_gates(engine: FaceEngine, photos: PhotoCache) -> None:
    import cv2

    rgb = load_rgb(FACES / "obama-720p.jpg")
    face = photos.faces(FACES / "obama-720p.jpg")[0]
    s = engine.settings
    good = assess(gray_of(rgb), face.box, face.points, s)
    assert good.ok and good.size_px >= 160 and good.sharpness > 200
    blurred = np.ascontiguousarray(cv2.GaussianBlur(rgb, (0, 0), 3))
    assert assess(gray_of(blurred), face.box, face.points, s).problem == "blurry"
    assert assess(gray_of(rgb), face.box, face.points, replace(s, min_face_px=200)).problem == (
        "too_small"
    )
    turned = photos.faces(FACES / "obama2.jpg")[0]  # looking to the side: yaw ratio about -0.4
    rgb2 = load_rgb(FACES / "obama2.jpg")
    q = assess(gray_of(rgb2), turned.box, turned.points, replace(s, max_yaw=0.3))
    assert q.problem == "not_frontal" and q.yaw < -0.3


def test_face_crop_evidence(photos: PhotoCache) -> None:
    rgb = load_rgb(FACES / "obama-1080p.jpg")
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    box = photos.faces(FACES / "obama-1080p.jpg")[0].box
    jpeg = face_crop_jpeg(bgr, box)
    assert jpeg[:2] == b"\xff\xd8" and len(jpeg) < 40_000
    crop = load_rgb(jpeg)
    assert max(crop.shape[:2]) == 240  # scaled down: evidence, not a biometric sample
    with pytest.raises(ValueError):
        face_crop_jpeg(bgr, Box(5000, 5000, 5100, 5100))


def test_load_rgb_applies_exif_rotation_and_refuses_junk() -> None:
    img = PilImage.fromarray(np.zeros((40, 80, 3), dtype=np.uint8))
    exif = PilImage.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    assert load_rgb(buf.getvalue()).shape == (80, 40, 3)
    for junk in (b"", b"GIF89a", b"\xff\xd8\xff\xe0 broken"):
        with pytest.raises(BadImage):
            load_rgb(junk)
    with pytest.raises(BadImage):
        load_rgb(np.zeros((4, 4, 3), dtype=np.uint8).tobytes())
