"""Error rates behind the [face] defaults, measured on ../shared/faces (docs/face.md quotes them).

Run as a script for the table: `.venv/bin/python tests/support/error_rates.py`.

Images: the nine enrollment photos of five people, plus the distinct Obama probes and both faces
of two_people.jpg (copies of enrollment photos are left out: they would be zero-distance pairs).
Verification (1:1) pairs: every two different images; genuine when the person is the same.
Identification (1:N): every image against a gallery of all enrollment photos except itself,
once with its person enrolled (must match them) and once with its person left out (must match
nobody).
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from drivers.face.gallery import Gallery  # noqa: E402
from tests.support.face_tracks import FACES, enrolled_people  # noqa: E402

PROBES = {
    "obama": ["obama-240p.jpg", "obama-480p.jpg", "obama-720p.jpg", "obama-1080p.jpg",
              "obama_small.jpg", "edge/obama3.jpg", "edge/obama_partial_face.jpg",
              "edge/obama_partial_face2.jpg"],
}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One face image with its person."""

    person: str
    label: str
    encoding: np.ndarray
    enrolled: bool  # an enrollment photo (may stand in a gallery)


def samples(faces_of: object) -> list[Sample]:
    """Every labelled face: enrollment photos, distinct probes, both faces of two_people.jpg."""
    get = faces_of  # a callable path -> list of PhotoFace (largest first)
    assert callable(get)
    out: list[Sample] = []
    for person, paths in enrolled_people().items():
        for p in paths:
            out.append(Sample(person, f"enroll/{person}/{p.name}", get(p)[0].encoding, True))
    for person, names in PROBES.items():
        for n in names:
            out.append(Sample(person, n, get(FACES / n)[0].encoding, False))
    two = sorted(get(FACES / "two_people.jpg"), key=lambda f: f.box.left)
    out.append(Sample("obama", "two_people.jpg#left", two[0].encoding, False))
    out.append(Sample("biden", "two_people.jpg#right", two[1].encoding, False))
    return out


def pair_distances(items: list[Sample]) -> tuple[list[float], list[float]]:
    """(genuine, impostor) distances over every two different images."""
    genuine: list[float] = []
    impostor: list[float] = []
    for a, b in itertools.combinations(items, 2):
        d = float(np.linalg.norm(a.encoding - b.encoding))
        (genuine if a.person == b.person else impostor).append(d)
    return genuine, impostor


@dataclass(frozen=True)
class IdentRates:
    """1:N outcomes at one threshold and margin."""

    trials_enrolled: int
    correct: int
    wrong: int  # matched another person: the error that matters most
    refused: int
    trials_absent: int
    false_accepts: int  # matched someone although their person was left out


def identification(items: list[Sample], *, threshold: float, margin: float) -> IdentRates:
    """Leave-one-out 1:N trials (see the module docstring)."""
    correct = wrong = refused = fa = 0
    n_in = n_out = 0
    for probe in items:
        for absent in (False, True):
            g = Gallery()
            for s in items:
                if s.enrolled and s is not probe and not (absent and s.person == probe.person):
                    g.add(s.person, s.encoding)
            if not absent and probe.person not in g.people():
                continue  # the only photo of this person: nothing to match against
            m = g.identify(probe.encoding, threshold=threshold, margin=margin)
            if absent:
                n_out += 1
                fa += m.person is not None
            else:
                n_in += 1
                if m.person == probe.person:
                    correct += 1
                elif m.person is None:
                    refused += 1
                else:
                    wrong += 1
    return IdentRates(n_in, correct, wrong, refused, n_out, fa)


def main() -> None:
    """Print the tables docs/face.md quotes."""
    from drivers.face.availability import load_engine
    from drivers.face.engine import load_rgb

    engine, status = load_engine()
    if engine is None:
        raise SystemExit(f"face models unavailable: {status.detail}")
    cache: dict[Path, list[object]] = {}

    def faces_of(p: Path) -> list[object]:
        if p not in cache:
            cache[p] = list(engine.photo_faces(load_rgb(p)))
        return cache[p]

    items = samples(faces_of)
    genuine, impostor = pair_distances(items)
    print(f"images: {len(items)} faces of {len({s.person for s in items})} people")
    print(f"1:1 pairs: {len(genuine)} genuine (max {max(genuine):.3f}), "
          f"{len(impostor)} impostor (min {min(impostor):.3f})")  # fmt: skip
    print("threshold  FRR (genuine > t)  FAR (impostor <= t)")
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        frr = sum(d > t for d in genuine)
        far = sum(d <= t for d in impostor)
        print(f"  {t:.2f}     {frr:3d}/{len(genuine)}            {far:3d}/{len(impostor)}")
    print("1:N leave-one-out (threshold, margin): correct/wrong/refused of enrolled trials; "
          "false accepts of absent trials")  # fmt: skip
    for t, m in ((0.4, 0.06), (0.5, 0.06), (0.6, 0.06), (0.5, 0.0), (0.5, 0.2)):
        r = identification(items, threshold=t, margin=m)
        print(f"  {t:.2f} {m:.2f}: {r.correct}/{r.wrong}/{r.refused} of {r.trials_enrolled}; "
              f"{r.false_accepts}/{r.trials_absent}")  # fmt: skip


if __name__ == "__main__":
    main()
