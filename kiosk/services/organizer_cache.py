"""The organizer's computed review kept between runs, so opening needs no credits engine.

A 5,000-person project takes the engine seconds; the figures change only when the pulled data,
the profile, the corrections, the imported results or the engine itself change. The result is
kept in `<workspace>/<project>/<name>.cache` (mode 0600, in the 0700 project directory, written
to a temporary file then renamed) under a key that digests all of them; any other key, or a file
that cannot be read, means computing again. It is a pickle in the 0700 directory beside the token;
loading it resolves only the project's own types and plain values (a planted file naming any other
callable is refused and computed again), and the project and profile objects are not stored in it
(they are given back on loading).
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import kiosk
from kiosk.core.credits.ledger import Grant
from kiosk.core.credits.review import ReviewTable
from kiosk.core.model import Project
from kiosk.core.rules.schema import Profile
from kiosk.reports.files import open_private
from kiosk.reports.staff_review import StaffNote
from kiosk.reports.workspace import Workspace, WorkspaceError

log = logging.getLogger(__name__)

FORMAT = b"cme-review-cache 1\n"
_ROOT = Path(__file__).resolve().parents[1]
# The code whose results are kept: a change in any of it computes again.
_SOURCES = ("core/credits", "core/rules", "core/model.py", "reports", "services/organizer_cache.py",
            "services/organizer_records.py", "services/organizer_view.py")  # fmt: skip


@cache
def code_digest() -> str:
    """A digest of the version and of the engine's and the review's source files."""
    digest = hashlib.sha256(kiosk.__version__.encode())
    for name in _SOURCES:
        path = _ROOT / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            digest.update(f.relative_to(_ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def cache_key(*parts: str | bytes) -> str:
    """The key of a result from everything it was computed from (and the code)."""
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def file_bytes(paths: Iterable[Path]) -> bytes:
    """The contents of input files (a missing one counts as empty), for a key."""
    out = b""
    for path in paths:
        data = path.read_bytes() if path.exists() else b""
        out += len(data).to_bytes(8, "big") + data
    return out


_Slots = tuple[tuple[str, ...], tuple[Callable[[Any, Any], None], ...]]
_SLOTS: dict[type, _Slots | None] = {}


def _slots(cls: type) -> _Slots | None:
    """A slotted dataclass's field names and their slots' setters (None: not one)."""
    try:
        return _SLOTS[cls]
    except KeyError:
        pass
    found: _Slots | None = None
    if is_dataclass(cls) and "__slots__" in cls.__dict__:
        names = tuple(f.name for f in fields(cls))
        found = names, tuple(getattr(cls, n).__set__ for n in names)
    _SLOTS[cls] = found
    return found


def _restore(cls: type, values: tuple[object, ...]) -> object:
    """A slotted dataclass from its field values, by its slots (frozen ones too).

    80,000 of them in a 5,000-person review: the dataclass's own __setstate__ looks its fields
    up again for each one and took most of the loading time.
    """
    obj: object = object.__new__(cls)
    slots = _slots(cls)
    assert slots is not None
    for setter, value in zip(slots[1], values, strict=True):
        setter(obj, value)
    return obj


# What a review holds besides the project's own classes (kiosk.*): plain values only.
_PLAIN = frozenset({
    ("builtins", "set"), ("builtins", "frozenset"), ("datetime", "date"),
    ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"), ("zoneinfo", "ZoneInfo"),
    ("zoneinfo._zoneinfo", "ZoneInfo"),
})  # fmt: skip


def _enum_member(cls: object, name: str) -> object:
    """getattr for unpickling, limited to the project's enum members and ZoneInfo's loader."""
    if isinstance(cls, type) and issubclass(cls, Enum) and cls.__module__.startswith("kiosk."):
        return cls[name]
    if cls is ZoneInfo and name == "_unpickle":  # how a ZoneInfo pickles
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError("getattr of something other than an enum member")


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        slots = _slots(type(obj))
        if slots is None:
            return NotImplemented
        return _restore, (type(obj), tuple([getattr(obj, n) for n in slots[0]]))

    def persistent_id(self, obj: object) -> str | None:
        # The profile (pydantic generics do not pickle) and project are the caller's own.
        if isinstance(obj, Profile):
            return "profile"
        if isinstance(obj, Project):
            return "project"
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, known: dict[str, object]) -> None:
        super().__init__(io.BytesIO(data))
        self._known = known

    def persistent_load(self, pid: object) -> object:
        return self._known[str(pid)]

    def find_class(self, module: str, name: str) -> Any:
        # Only the project's own classes and plain values: a planted file cannot name os.system
        # (nor reach it through a dotted name or a module's function).
        if (module, name) == ("builtins", "getattr"):
            return _enum_member  # how an Enum member (and a ZoneInfo) pickles: getattr(class, name)
        if (module, name) in _PLAIN:
            return super().find_class(module, name)
        if module.split(".", maxsplit=1)[0] == "kiosk" and "." not in name:
            found = super().find_class(module, name)
            if found is _restore or (
                isinstance(found, type) and found.__module__.split(".")[0] == "kiosk"
            ):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a review type")


class ReviewCache:
    """One kept result in one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, key: str, *, project: Project, profile: Profile) -> object | None:
        """The result kept under `key`, or None (absent, another key, unreadable)."""
        try:
            with self.path.open("rb") as f:
                if f.readline() != FORMAT or f.readline().strip().decode() != key:
                    return None
                data = f.read()
        except (OSError, UnicodeDecodeError):
            return None
        enabled = gc.isenabled()
        gc.disable()  # hundreds of thousands of small acyclic objects: no collection passes
        try:
            value: object = _Unpickler(data, {"project": project, "profile": profile}).load()
            return value
        except Exception as exc:  # noqa: BLE001 - a damaged file raises any kind: computed again
            log.warning("review cache %s unreadable (%s): computing again", self.path.name,
                        type(exc).__name__)  # fmt: skip
            return None
        finally:
            if enabled:
                gc.enable()

    def put(self, key: str, value: object) -> bool:
        """Keep `value` under `key` (atomically, 0600); False when it cannot be kept."""
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            log.warning("review not kept: %s", type(exc).__name__)
            return False
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open_private(tmp) as f:
                f.write(FORMAT + key.encode() + b"\n" + buffer.getvalue())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk costs only the next open's speed
            log.warning("review not kept: %s", exc.strerror)
            tmp.unlink(missing_ok=True)
            return False
        return True

    def clear(self) -> None:
        """Forget the kept result."""
        self.path.unlink(missing_ok=True)


def kept_review(
    ws: Workspace,
    number: str,
    *,
    dirs: Sequence[Path] = (),
    caps: Callable[[Profile], tuple[Sequence[Grant] | None, frozenset[str]]],
) -> tuple[ReviewTable, tuple[StaffNote, ...]]:
    """`organizer report`'s review of the pulled copy and its staff records: kept from the last
    report when nothing it depends on changed, else computed (and kept).

    `caps(profile)` gives the yearly-cap inputs (earlier grants, exempt ID numbers): part of
    the key. The deadline and window are those of the pull's time, as when computed.
    """
    from kiosk.core.credits.calendar import deadline_status
    from kiosk.core.credits.submission import submission_window
    from kiosk.reports.organizer_data import build, load, profile_for, revision

    rev = revision(ws, number)
    if rev is None:
        raise WorkspaceError(f"project {number} has not been pulled yet")
    profile = profile_for(rev.project, dirs)
    grants, exempt = caps(profile)
    directory = ws.directory(number)
    key = cache_key(
        "report", rev.digest, profile.model_dump_json(),
        file_bytes([directory / "corrections.json", directory / "assessments.json"]),
        repr(grants), repr(sorted(exempt)),
    )  # fmt: skip
    cache = ReviewCache(directory / "report.cache")
    kept = cache.get(key, project=rev.project, profile=profile)
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], ReviewTable):
        table, staff = kept
        now = rev.pulled_at
        return replace(
            table, deadline=deadline_status(rev.project, profile, now=now),
            window=submission_window(rev.project, profile, now=now), as_of=now,
        ), staff  # fmt: skip
    pulled = load(ws, number)
    table = build(pulled, ws, profile, now=rev.pulled_at, ledger=grants, exempt=exempt)
    cache.put(key, (table, pulled.staff))
    return table, pulled.staff
