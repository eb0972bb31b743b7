"""The gallery matrix: threshold and margin, several templates per person, projects, files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from drivers.face.gallery import (
    DIM,
    Gallery,
    GalleryError,
    pack_template,
    unpack_template,
)

RNG = np.random.default_rng(7)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def point(scale: float = 1.0) -> np.ndarray:
    return unit(RNG.normal(size=DIM)) * scale


def near(v: np.ndarray, d: float) -> np.ndarray:
    """A vector exactly at distance d from v."""
    return (v + unit(RNG.normal(size=DIM)) * d).astype(np.float32)


def test_match_needs_threshold_and_margin() -> None:
    a, b = point(), point()
    g = Gallery()
    g.add("A", a)
    g.add("B", b)
    probe = near(a, 0.3)
    m = g.identify(probe, threshold=0.5, margin=0.06)
    assert (m.person, m.reason) == ("A", "match")
    assert m.distance == pytest.approx(0.3, abs=1e-5)
    assert m.second_distance == pytest.approx(float(np.linalg.norm(probe - b)), abs=1e-5)
    # Over the threshold: refused, but the nearest person is still reported.
    far = g.identify(near(a, 0.7), threshold=0.5, margin=0.06)
    assert (far.person, far.nearest, far.reason) == (None, "A", "above_threshold")


def test_ambiguous_between_two_people_is_refused() -> None:
    a = point()
    b = near(a, 0.1)  # two people whose templates are close
    g = Gallery()
    g.add("A", a)
    g.add("B", b)
    probe = (a + b) / 2
    m = g.identify(probe, threshold=0.5, margin=0.06)
    assert m.person is None and m.reason == "ambiguous" and m.nearest in ("A", "B")
    assert m.margin is not None and m.margin < 0.06


def test_near_ties_are_ordered_by_exact_distance() -> None:
    # Float32 ranking alone can put the farther of two almost equidistant rows first; with no
    # margin asked, the answer must still be a match with second >= best.
    for _ in range(200):
        a = point()
        b = near(a, 0.1)
        g = Gallery()
        g.add("A", a)
        g.add("B", b)
        m = g.identify((a + b) / 2, threshold=0.5, margin=0.0)
        assert m.person in ("A", "B") and m.second_distance >= m.distance  # type: ignore[operator]


def test_second_best_is_another_person_not_another_template() -> None:
    a, b = point(), point()
    g = Gallery()
    g.add("A", np.stack([near(a, 0.05) for _ in range(40)]))  # more rows than the top-k window
    g.add("B", b)
    m = g.identify(a, threshold=0.5, margin=0.06)
    assert m.person == "A"
    assert m.second_distance == pytest.approx(float(np.linalg.norm(a - b)), abs=1e-5)


def test_single_person_gallery_and_empty_gallery() -> None:
    a = point()
    g = Gallery()
    assert g.identify(a, threshold=0.5, margin=0.06).reason == "empty"
    g.add("A", a)
    m = g.identify(near(a, 0.2), threshold=0.5, margin=0.06)
    assert m.person == "A" and m.second_distance is None and m.margin is None


def test_matches_bruteforce_on_many_rows() -> None:
    people = [f"P{i}" for i in range(500)]
    rows = np.stack([point() for _ in people])
    g = Gallery()
    g.add_many(people, rows, projects=["X"] * len(people))
    for _ in range(20):
        probe = point()
        d = np.linalg.norm(rows - probe, axis=1)
        order = np.argsort(d)
        m = g.identify(probe, threshold=2.0, margin=0.0)
        assert m.nearest == people[order[0]]
        assert m.distance == pytest.approx(d[order[0]], abs=1e-4)
        assert m.second_distance == pytest.approx(d[order[1]], abs=1e-4)


def test_verify_one_to_one() -> None:
    a, b = point(), point()
    g = Gallery()
    g.add("A", np.stack([a, near(a, 0.2)]))
    g.add("B", b)
    assert g.verify(near(a, 0.3), "A", threshold=0.55).matched
    no = g.verify(b, "A", threshold=0.55)
    assert not no.matched and no.reason == "above_threshold"
    assert g.verify(a, "C", threshold=0.55).reason == "no_template"


def test_projects_remove_and_withdraw() -> None:
    a, b, c = point(), point(), point()
    g = Gallery()
    g.add("A", a, project="P1")
    g.add("B", b, project="P1")
    g.add("A", c, project="P2")  # the same attendee id in another project is another template
    assert g.people(project="P1") == {"A", "B"} and g.people(project="P2") == {"A"}
    assert g.identify(a, threshold=0.5, margin=0.06, project="P2").person is None
    assert g.identify(a, threshold=0.5, margin=0.06, project="P1").person == "A"
    assert g.verify(a, "A", threshold=0.5, project="P2").reason == "above_threshold"
    assert g.remove("A", project="P1") == 1
    assert g.identify(a, threshold=0.5, margin=0.06, project="P1").person is None
    assert g.remove_project("P2") == 1
    assert g.people() == {"B"} and len(g) == 1
    assert g.remove("nobody") == 0 and g.remove_project("P9") == 0


def test_template_blob_roundtrip_and_garbage() -> None:
    v = np.stack([point(), point(), point()])
    blob = pack_template(v)
    assert len(blob) == 9 + 3 * DIM * 4
    assert np.array_equal(unpack_template(blob), v)
    for bad in (b"", b"CMEF", b"XXXX" + blob[4:], blob[:-1], blob + b"\0"):
        with pytest.raises(GalleryError):
            unpack_template(bad)
    nan = blob[:9] + np.full(3 * DIM, np.nan, dtype="<f4").tobytes()
    with pytest.raises(GalleryError):
        unpack_template(nan)
    with pytest.raises(GalleryError):
        pack_template(np.zeros((0, DIM)))
    g = Gallery.from_templates("P1", {"A": blob})
    assert g.people(project="P1") == {"A"} and len(g) == 3


def test_file_roundtrip_is_private(tmp_path: Path) -> None:
    g = Gallery()
    g.add("张三", point(), project="2026-15-01-001")
    g.add("B", np.stack([point(), point()]))
    path = tmp_path / "gallery.npz"
    old = os.umask(0)
    try:
        g.save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    back = Gallery.load(path)
    assert back.people() == {"张三", "B"}
    assert back.people(project="2026-15-01-001") == {"张三"}
    assert np.array_equal(back.matrix(), g.matrix())
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip", b"PK\x03\x04garbage"],
)
def test_bad_gallery_files_raise_gallery_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(GalleryError):
        Gallery.load(path)


def test_foreign_npz_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, vectors=np.zeros((1, DIM), dtype=np.float32))
    with pytest.raises(GalleryError, match="not a cme-kiosk face gallery"):
        Gallery.load(path)
    with pytest.raises(GalleryError):
        Gallery.load(tmp_path / "missing.npz")


def test_bad_rows_are_refused() -> None:
    g = Gallery()
    with pytest.raises(GalleryError):
        g.add("", point())
    with pytest.raises(GalleryError):
        g.add("A", np.full(DIM, np.inf))
    with pytest.raises(GalleryError):
        g.add_many(["A", "B"], np.zeros((1, DIM)), projects=["P"])
