"""Enrolled faces as one float32 matrix: 1:N identification with threshold and margin; 1:1."""

from __future__ import annotations

import os
import struct
import threading
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

DIM = 128
FILE_FORMAT = "cme-kiosk-face-gallery/1"
_TEMPLATE_MAGIC = b"CMEF"
_TEMPLATE_HEADER = struct.Struct("<4sBHH")  # magic, version, count, dim
_TOP_K = 32  # candidate rows examined for the second-best *person*

Vectors = npt.NDArray[np.float32]


class GalleryError(ValueError):
    """A gallery file or template blob is malformed."""


def pack_template(vectors: npt.ArrayLike) -> bytes:
    """Template blob for the store: a small header, then float32 little-endian encodings."""
    arr = np.asarray(vectors, dtype="<f4").reshape(-1, DIM)
    if not 1 <= len(arr) <= 64 or not np.isfinite(arr).all():
        raise GalleryError("a template holds 1 to 64 finite encodings")
    return _TEMPLATE_HEADER.pack(_TEMPLATE_MAGIC, 1, len(arr), DIM) + arr.tobytes()


def unpack_template(blob: bytes) -> Vectors:
    """The (count, 128) encodings in a template blob; GalleryError if it is not one."""
    if len(blob) < _TEMPLATE_HEADER.size:
        raise GalleryError("template blob too short")
    magic, version, count, dim = _TEMPLATE_HEADER.unpack_from(blob)
    if magic != _TEMPLATE_MAGIC or version != 1 or dim != DIM or count < 1:
        raise GalleryError("not a face template (bad header)")
    body = blob[_TEMPLATE_HEADER.size :]
    if len(body) != count * dim * 4:
        raise GalleryError("face template length does not match its header")
    arr = np.frombuffer(body, dtype="<f4").reshape(count, dim).astype(np.float32)
    if not np.isfinite(arr).all():
        raise GalleryError("face template holds non-finite values")
    return arr


@dataclass(frozen=True, slots=True)
class Match:
    """A 1:N answer: `person` is set only when threshold and margin both passed."""

    person: str | None
    nearest: str | None  # the closest person even when refused (for logs and doubt)
    distance: float | None
    second_distance: float | None
    reason: str  # match | empty | above_threshold | ambiguous

    @property
    def margin(self) -> float | None:
        """Second-best minus best distance (None with fewer than two people)."""
        if self.distance is None or self.second_distance is None:
            return None
        return self.second_distance - self.distance


@dataclass(frozen=True, slots=True)
class Verification:
    """A 1:1 answer against one person's templates."""

    matched: bool
    distance: float | None
    reason: str  # match | no_template | above_threshold


class Gallery:
    """Rows of (person, project, encoding); queries are thread-safe and O(rows) in NumPy."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._mat: Vectors = np.zeros((0, DIM), dtype=np.float32)
        self._sq: Vectors = np.zeros(0, dtype=np.float32)
        self._person: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._project: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._people: list[str] = []
        self._people_code: dict[str, int] = {}
        self._projects: list[str] = []
        self._project_code: dict[str, int] = {}
        self._pending: list[tuple[str, str, Vectors]] = []

    # -- building ---------------------------------------------------------------------------

    def _code(self, names: list[str], codes: dict[str, int], name: str) -> int:
        if name not in codes:
            codes[name] = len(names)
            names.append(name)
        return codes[name]

    def add(self, person: str, vectors: npt.ArrayLike, *, project: str = "") -> None:
        """Add one person's encodings (appended; consolidated into the matrix at the next query)."""
        arr = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        if not person or not np.isfinite(arr).all():
            raise GalleryError("a gallery row needs a person id and finite values")
        with self._lock:
            self._pending.append((person, project, arr))

    def add_template(self, person: str, blob: bytes, *, project: str = "") -> None:
        """Add a template blob as stored by the kiosk store."""
        self.add(person, unpack_template(blob), project=project)

    @classmethod
    def from_templates(cls, project: str, templates: Mapping[str, bytes]) -> Gallery:
        """A gallery for one project from the store's `face_templates(project)`."""
        g = cls()
        for person, blob in templates.items():
            g.add_template(person, blob, project=project)
        return g

    def _consolidate(self) -> None:
        if not self._pending:
            return
        parts = [self._mat] + [a for _, _, a in self._pending]
        persons = [self._person]
        projects = [self._project]
        for person, project, arr in self._pending:
            pc = self._code(self._people, self._people_code, person)
            jc = self._code(self._projects, self._project_code, project)
            persons.append(np.full(len(arr), pc, dtype=np.int32))
            projects.append(np.full(len(arr), jc, dtype=np.int32))
        self._mat = np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
        self._sq = np.einsum("ij,ij->i", self._mat, self._mat).astype(np.float32)
        self._person = np.concatenate(persons)
        self._project = np.concatenate(projects)
        self._pending.clear()

    def _keep(self, keep: npt.NDArray[np.bool_]) -> int:
        removed = int((~keep).sum())
        if removed:
            self._mat = np.ascontiguousarray(self._mat[keep])
            self._sq = self._sq[keep]
            self._person = self._person[keep]
            self._project = self._project[keep]
        return removed

    def remove(self, person: str, *, project: str | None = None) -> int:
        """Delete a person's rows (in one project, or all); the number of rows removed."""
        with self._lock:
            self._consolidate()
            pc = self._people_code.get(person)
            if pc is None:
                return 0
            drop = self._person == pc
            if project is not None:
                drop &= self._project == self._project_code.get(project, -1)
            return self._keep(~drop)

    def remove_project(self, project: str) -> int:
        """Delete every row of one project (its retention ended); the number removed."""
        with self._lock:
            self._consolidate()
            code = self._project_code.get(project)
            return 0 if code is None else self._keep(self._project != code)

    # -- queries ----------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            self._consolidate()
            return len(self._mat)

    def people(self, *, project: str | None = None) -> set[str]:
        """The persons with at least one row (in one project, or all)."""
        with self._lock:
            self._consolidate()
            rows = self._person
            if project is not None:
                rows = rows[self._project == self._project_code.get(project, -1)]
            return {self._people[i] for i in np.unique(rows)}

    def matrix(self) -> Vectors:
        """The (rows, 128) float32 matrix (read-only view, for benchmarks and tools)."""
        with self._lock:
            self._consolidate()
            view = self._mat.view()
            view.flags.writeable = False
            return view

    def _sq_dist(self, probe: Vectors, project: str | None) -> npt.NDArray[np.float32]:
        d2 = self._sq - 2.0 * (self._mat @ probe) + float(probe @ probe)
        if project is not None:
            d2 = np.where(self._project == self._project_code.get(project, -1), d2, np.inf)
        return np.maximum(d2, 0.0).astype(np.float32)

    def identify(
        self,
        encoding: npt.ArrayLike,
        *,
        threshold: float,
        margin: float,
        project: str | None = None,
    ) -> Match:
        """The nearest person, accepted only if distance <= threshold and the margin holds."""
        probe = np.asarray(encoding, dtype=np.float32).reshape(DIM)
        with self._lock:
            self._consolidate()
            if not len(self._mat):
                return Match(None, None, None, None, "empty")
            d2 = self._sq_dist(probe, project)
            k = min(len(d2), _TOP_K)
            cand = np.argpartition(d2, k - 1)[:k]
            cand = cand[np.isfinite(d2[cand])]
            if not len(cand):
                return Match(None, None, None, None, "empty")
            # The expansion |g|^2 - 2g.p + |p|^2 in float32 only ranks; the answer uses exact
            # distances of the candidates, so near-ties are ordered correctly.
            exact = np.linalg.norm(self._mat[cand] - probe, axis=1)
            order = np.argsort(exact, kind="stable")
            cand, exact = cand[order], exact[order]
            best_person = self._person[cand[0]]
            best = float(exact[0])
            others = np.flatnonzero(self._person[cand] != best_person)
            second: float | None = float(exact[others[0]]) if len(others) else None
            if second is None:
                rest = np.where(self._person == best_person, np.inf, d2)
                if np.isfinite(rest).any():
                    row = int(np.argmin(rest))
                    second = float(np.linalg.norm(self._mat[row] - probe))
            name = self._people[best_person]
        if best > threshold:
            return Match(None, name, best, second, "above_threshold")
        if second is not None and second - best < margin:
            return Match(None, name, best, second, "ambiguous")
        return Match(name, name, best, second, "match")

    def verify(
        self, encoding: npt.ArrayLike, person: str, *, threshold: float, project: str | None = None
    ) -> Verification:
        """1:1: whether the face is `person` (nearest of their rows within threshold)."""
        probe = np.asarray(encoding, dtype=np.float32).reshape(DIM)
        with self._lock:
            self._consolidate()
            pc = self._people_code.get(person)
            rows = self._person == pc if pc is not None else np.zeros(len(self._mat), dtype=bool)
            if project is not None:
                rows &= self._project == self._project_code.get(project, -1)
            if not rows.any():
                return Verification(False, None, "no_template")
            best = float(np.linalg.norm(self._mat[rows] - probe, axis=1).min())
        if best <= threshold:
            return Verification(True, best, "match")
        return Verification(False, best, "above_threshold")

    # -- files ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the gallery as .npz (format in docs/face.md), 0600, atomically."""
        with self._lock:
            self._consolidate()
            arrays = {
                "format": np.array(FILE_FORMAT),
                "vectors": self._mat,
                "person": np.array([self._people[i] for i in self._person], dtype=np.str_),
                "project": np.array([self._projects[i] for i in self._project], dtype=np.str_),
            }
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)  # type: ignore[arg-type]
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)  # an existing .tmp kept its old mode through O_TRUNC
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Gallery:
        """Read a gallery file; GalleryError with the reason if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as data:
                fmt = str(data["format"]) if "format" in data.files else ""
                if fmt != FILE_FORMAT:
                    raise GalleryError(f"{path}: not a cme-kiosk face gallery")
                vectors = np.asarray(data["vectors"], dtype=np.float32)
                persons = [str(p) for p in data["person"]]
                projects = [str(p) for p in data["project"]]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            if isinstance(exc, GalleryError):
                raise
            raise GalleryError(f"{path}: cannot read gallery: {exc}") from None
        if (
            vectors.ndim != 2
            or vectors.shape[1] != DIM
            or not (len(vectors) == len(persons) == len(projects))
        ):
            raise GalleryError(f"{path}: gallery arrays have inconsistent shapes")
        g = cls()
        g.add_many(persons, vectors, projects=projects)
        return g

    def add_many(
        self, persons: Iterable[str], vectors: npt.ArrayLike, *, projects: Iterable[str]
    ) -> None:
        """Add many rows at once (one person and project per row), e.g. a loaded file."""
        arr = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        names, owners = list(persons), list(projects)
        if not len(arr) == len(names) == len(owners):
            raise GalleryError("persons, projects and vectors differ in length")
        if not all(names) or not np.isfinite(arr).all():
            raise GalleryError("a gallery row needs a person id and finite values")
        with self._lock:
            self._consolidate()
            pcs = [self._code(self._people, self._people_code, n) for n in names]
            jcs = [self._code(self._projects, self._project_code, n) for n in owners]
            self._mat = np.ascontiguousarray(np.concatenate([self._mat, arr]))
            self._sq = np.einsum("ij,ij->i", self._mat, self._mat).astype(np.float32)
            self._person = np.concatenate([self._person, np.asarray(pcs, dtype=np.int32)])
            self._project = np.concatenate([self._project, np.asarray(jcs, dtype=np.int32)])
